package io.carbonstream.connect.it;

import io.carbonstream.connect.electricitymaps.ElectricityMapsSourceConnector;
import io.carbonstream.schema.IntensityUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/**
 * What the Connect tests of the Electricity Maps connector share: a broker and a worker set up for
 * exactly-once source tasks, the API's points as it writes them, its past-range answer over a set
 * of points, and the connector's settings (exactly-once, byte-array converters, one zone, one
 * factor type, stages fast enough for a test).
 */
final class ConnectFixtures {

    private ConnectFixtures() {}

    /** A single broker that keeps every record and can run transactions. */
    static Properties broker() {
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        broker.put("log.retention.ms", "-1");
        return broker;
    }

    /**
     * A worker with exactly-once source support that finds the plugins by service loading,
     * rebalances at once and commits source offsets every second.
     */
    static Map<String, String> worker() {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("plugin.discovery", "service_load");
        worker.put("scheduled.rebalance.max.delay.ms", "0");
        worker.put("offset.flush.interval.ms", "1000");
        return worker;
    }

    /** One lifecycle point of the zone as the API writes it (created five minutes in). */
    static String point(
            String zone, Instant datetime, double value, Instant updatedAt, boolean estimated) {
        return "{\"zone\":\""
                + zone
                + "\",\"carbonIntensity\":"
                + value
                + ",\"datetime\":\""
                + datetime
                + "\",\"updatedAt\":\""
                + updatedAt
                + "\",\"createdAt\":\""
                + datetime.plus(Duration.ofMinutes(5))
                + "\",\"emissionFactorType\":\"lifecycle\","
                + "\"isEstimated\":"
                + estimated
                + ",\"estimationMethod\":"
                + (estimated ? "\"TIME_SLICER_AVERAGE\"" : "null")
                + "}";
    }

    /** Starts a Connect cluster of one worker on one broker. */
    static EmbeddedConnectCluster startConnect(
            String name, Properties broker, Map<String, String> worker) {
        EmbeddedConnectCluster connect =
                new EmbeddedConnectCluster.Builder()
                        .name(name)
                        .numWorkers(1)
                        .numBrokers(1)
                        .brokerProps(broker)
                        .workerProps(worker)
                        .build();
        connect.start();
        return connect;
    }

    /** Whether the updates read hold a measured (not estimated) value of {@code datetime}. */
    static Predicate<List<IntensityUpdate>> measured(Instant datetime) {
        return updates ->
                updates.stream()
                        .anyMatch(u -> u.getValidFrom().equals(datetime) && !u.getEstimated());
    }

    /** /past-range: the points of {@code api} (by datetime) in [start, end), in order. */
    static String pastRange(String zone, Map<Instant, String> api, Instant start, Instant end) {
        List<String> kept =
                api.entrySet().stream()
                        .filter(e -> !e.getKey().isBefore(start) && e.getKey().isBefore(end))
                        .sorted(Map.Entry.comparingByKey())
                        .map(Map.Entry::getValue)
                        .toList();
        return "{\"zone\":\"" + zone + "\",\"data\":[" + String.join(",", kept) + "]}";
    }

    /**
     * The connector's settings: one task, exactly-once, the zone's lifecycle values; latest and the
     * refetch every second, live horizon 30 min, one refetch age of 1 h; no forecast.
     */
    static Map<String, String> connectorConfig(
            String token, String baseUrl, String zone, Instant refetchStart) {
        Map<String, String> config = new HashMap<>();
        config.put("connector.class", ElectricityMapsSourceConnector.class.getName());
        config.put("tasks.max", "1");
        config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("exactly.once.support", "required");
        config.put("electricitymaps.api.token", token);
        config.put("electricitymaps.base.url", baseUrl);
        config.put("electricitymaps.zones", zone);
        config.put("electricitymaps.emission.factor.types", "lifecycle");
        config.put("electricitymaps.latest.interval", "1s");
        config.put("electricitymaps.live.horizon", "30m");
        config.put("electricitymaps.refetch.ages", "1h");
        config.put("electricitymaps.refetch.interval", "1s");
        config.put("electricitymaps.refetch.start", refetchStart.toString());
        config.put("electricitymaps.forecast.enabled", "false");
        return config;
    }
}
