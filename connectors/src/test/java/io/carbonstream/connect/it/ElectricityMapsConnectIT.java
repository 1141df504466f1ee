package io.carbonstream.connect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.carbonstream.connect.common.AvroWire;
import io.carbonstream.connect.common.FixtureServer;
import io.carbonstream.connect.common.FixtureServer.Response;
import io.carbonstream.connect.common.LogCapture;
import io.carbonstream.connect.common.TaskHarness;
import io.carbonstream.connect.common.Times;
import io.carbonstream.schema.IntensityUpdate;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.logging.log4j.Level;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The Electricity Maps connector in a real Connect worker (distributed,
 * exactly.once.source.support=enabled) on a real in-process broker, against the fixture server. The
 * API is described relative to the wall clock (the worker runs in real time): D0, three hours ago,
 * whose latest value is an estimate and whose past-range value was since corrected; DX an hour
 * later, whose estimate the live stage fills in, and whose correction appears only while the worker
 * is down. The topic must end up with each value once: D0 estimate, DX estimate, D0 correction,
 * then, after the worker restart, DX correction; nothing repeated by the restart.
 */
class ElectricityMapsConnectIT {
    static final String TOKEN = "em-it-token-0c1d2e3f4a5b6c7d";
    static final String TOPIC = "carbonstream.intensity";
    static final String CONNECTOR = "electricitymaps";

    static String point(Instant datetime, double value, Instant updatedAt, boolean estimated) {
        return ConnectFixtures.point("DE", datetime, value, updatedAt, estimated);
    }

    @Test
    void aCorrectionFollowsItsEstimateAndAWorkerRestartRepeatsNothing() throws Exception {
        Instant d0 = Instant.now().minus(Duration.ofHours(3)).truncatedTo(ChronoUnit.HOURS);
        Instant dx = d0.plus(Duration.ofHours(1));
        String d0Estimate = point(d0, 302, d0.plus(Duration.ofMinutes(10)), true);
        String d0Corrected = point(d0, 298, d0.plus(Duration.ofMinutes(50)), false);
        String dxEstimate = point(dx, 310, dx.plus(Duration.ofMinutes(10)), true);
        String dxCorrected = point(dx, 320, dx.plus(Duration.ofMinutes(45)), false);
        Map<Instant, String> pastRange =
                new java.util.concurrent.ConcurrentHashMap<>(
                        Map.of(d0, d0Corrected, dx, dxEstimate));

        try (LogCapture logs =
                        new LogCapture(
                                Level.INFO,
                                Map.of(
                                        "io.carbonstream",
                                        Level.ALL,
                                        "org.apache.kafka.connect",
                                        Level.DEBUG));
                FixtureServer server = new FixtureServer(Clock.systemUTC())) {
            server.route(
                    "/v3/carbon-intensity/latest",
                    r ->
                            TOKEN.equals(r.header("auth-token"))
                                    ? Response.json(d0Estimate)
                                    : Response.status(401, "{\"message\":\"Invalid auth-token\"}"));
            server.route(
                    "/v3/carbon-intensity/past-range",
                    r -> {
                        if (!TOKEN.equals(r.header("auth-token")))
                            return Response.status(401, "{}");
                        Instant start = Times.parseOrNull(r.query().get("start"));
                        Instant end = Times.parseOrNull(r.query().get("end"));
                        return Response.json(
                                ConnectFixtures.pastRange("DE", pastRange, start, end));
                    });

            Properties broker = ConnectFixtures.broker();
            Map<String, String> worker = ConnectFixtures.worker();
            // The token comes from a file through Connect's FileConfigProvider: the connector
            // config (REST payload,
            // config topic) holds only the placeholder, the worker resolves it when it starts the
            // connector.
            worker.put("config.providers", "file");
            worker.put(
                    "config.providers.file.class",
                    "org.apache.kafka.common.config.provider.FileConfigProvider");
            Path secrets =
                    Files.createTempFile(
                            Path.of(System.getProperty("java.io.tmpdir")),
                            "carbonstream-secrets",
                            ".properties");
            Files.writeString(secrets, "electricitymaps.token=" + TOKEN + "\n");
            EmbeddedConnectCluster connect =
                    ConnectFixtures.startConnect("carbonstream-connect-it", broker, worker);
            try {
                connect.kafka().createTopic(TOPIC, 1);
                connect.kafka().createTopic("carbonstream.forecasts", 1);

                Map<String, String> config =
                        ConnectFixtures.connectorConfig(
                                "${file:" + secrets + ":electricitymaps.token}",
                                server.baseUrl(),
                                "DE",
                                d0.minus(Duration.ofHours(1)));
                connect.configureConnector(CONNECTOR, config);
                List<Tuple> beforeRestart =
                        List.of(
                                tuple(d0, 302.0, true),
                                tuple(dx, 310.0, true),
                                tuple(d0, 298.0, false));
                readWhenRunning(
                        connect,
                        "the connector did not start",
                        ConnectFixtures.measured(d0),
                        beforeRestart);

                // The worker goes away; meanwhile the source corrects DX; a new worker takes over
                // from the committed offsets.
                connect.removeWorker();
                pastRange.put(dx, dxCorrected);
                connect.addWorker();
                // What was there before, once, and DX's correction.
                List<Tuple> afterRestart = new ArrayList<>(beforeRestart);
                afterRestart.add(tuple(dx, 320.0, false));
                List<IntensityUpdate> all =
                        readWhenRunning(
                                connect,
                                "the connector did not come back",
                                ConnectFixtures.measured(dx),
                                afterRestart);
                List<IntensityUpdate> d0Versions =
                        all.stream().filter(u -> u.getValidFrom().equals(d0)).toList();
                assertThat(d0Versions)
                        .allSatisfy(
                                u -> {
                                    assertThat(u.getZone()).isEqualTo("DE");
                                    assertThat(u.getSource()).isEqualTo("electricitymaps");
                                    assertThat(u.getSignal()).isEqualTo("average");
                                });
                assertThat(d0Versions.get(1).getUpdatedAt())
                        .isAfter(d0Versions.get(0).getUpdatedAt());

                // The committed offsets, as the worker's REST API shows them: one per source
                // partition.
                List<Object> endpoints =
                        connect.connectorOffsets(CONNECTOR).offsets().stream()
                                .map(ConnectorOffset::partition)
                                .map(p -> (Object) p.get("endpoint"))
                                .toList();
                assertThat(endpoints).containsExactlyInAnyOrder("latest", "past-range");
                assertThat(server.requests)
                        .allSatisfy(r -> assertThat(r.header("auth-token")).isEqualTo(TOKEN));

                // The task's counters are Connect plugin metrics, in JMX (the worker's
                // JmxReporter).
                MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
                List<Double> published = new ArrayList<>();
                for (ObjectName name :
                        mbeans.queryNames(new ObjectName("kafka.connect:type=plugins,*"), null)) {
                    try {
                        published.add(
                                ((Number) mbeans.getAttribute(name, "intensity-records-total"))
                                        .doubleValue());
                    } catch (javax.management.AttributeNotFoundException notOurs) {
                        // another plugin's metrics
                    }
                }
                assertThat(published)
                        .as(
                                "intensity-records-total of the running task (one record since the"
                                        + " restart)")
                        .containsExactly(1.0);
            } finally {
                connect.stop();
                Files.deleteIfExists(secrets);
            }
            assertThat(logs.lines).as("log lines captured").isNotEmpty();
            assertThat(logs.containing(TOKEN)).as("log lines with the token").isEmpty();
        }
    }

    /**
     * Waits until the connector's one task runs, then reads the topic until {@code done} holds and
     * checks the values read, (valid_from, g/kWh, estimated), in order.
     */
    static List<IntensityUpdate> readWhenRunning(
            EmbeddedConnectCluster connect,
            String notRunning,
            Predicate<List<IntensityUpdate>> done,
            List<Tuple> expected)
            throws InterruptedException {
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning(CONNECTOR, 1, notRunning);
        List<IntensityUpdate> read = readUntil(connect, done);
        assertThat(read).extracting(TaskHarness::value).containsExactlyElementsOf(expected);
        return read;
    }

    /**
     * Reads the intensity topic from the start, read_committed, until {@code done} holds for
     * everything read so far. The deadline only bounds a failing run.
     */
    static List<IntensityUpdate> readUntil(
            EmbeddedConnectCluster connect, Predicate<List<IntensityUpdate>> done) {
        Map<String, Object> props =
                Map.of(
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "it-" + System.nanoTime());
        try (KafkaConsumer<byte[], byte[]> consumer = connect.kafka().createConsumer(props)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<IntensityUpdate> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    IntensityUpdate u = AvroWire.decode(r.value(), IntensityUpdate.class);
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(u.getZone());
                    out.add(u);
                }
                if (done.test(out)) {
                    // Whatever the same transactions or polls could still add is committed by now:
                    // read to the end.
                    long end = consumer.endOffsets(List.of(tp)).get(tp);
                    while (consumer.position(tp) < end) {
                        for (ConsumerRecord<byte[], byte[]> r :
                                consumer.poll(Duration.ofMillis(500)))
                            out.add(AvroWire.decode(r.value(), IntensityUpdate.class));
                    }
                    return out;
                }
            }
            throw new AssertionError("the topic never held what was expected; it holds " + out);
        }
    }
}
