package io.carbonstream.demo;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/** The topics of an embedded run: the job's defaults, plus the alerts topic. */
final class DemoTopics {

    private DemoTopics() {}

    static final String EVENTS = "carbonstream.events";
    static final String INTENSITY = "carbonstream.intensity";
    static final String REGISTRY = "carbonstream.registry";
    static final String AGGREGATES = "carbonstream.aggregates";
    static final String DEAD_LETTERS = "carbonstream.dead-letters";
    static final String LATE = "carbonstream.late-events";
    static final String ALERTS = "carbonstream.alerts";
    static final String RESTATEMENTS = "carbonstream.restatements";
    static final String CERTIFICATES = "carbonstream.certificates";
    static final String LEDGER = "carbonstream.ledger";

    /**
     * GPU energy counter readings of the generator's metered GPU pool (the job reads them with
     * --topic.gpu-energy).
     */
    static final String GPU_ENERGY = "carbonstream.gpu-energy";

    /** The job's metered GPU energy per GPU, datacenter and model hour. */
    static final String GPU_ATTRIBUTION = "carbonstream.gpu-attribution";

    /**
     * Intensity forecasts (IntensityForecast), the job's --topic.forecasts: created so that a
     * connector or a producer pointed at the demo's broker feeds the FORECAST_SPIKE early warning;
     * the generator writes none.
     */
    static final String FORECASTS = "carbonstream.forecasts";

    /** Requests as OpenTelemetry spans (--events-as otlp). */
    static final String OTLP_SPANS = "carbonstream.otlp-spans";

    private static final Map<String, String> COMPACT = Map.of("cleanup.policy", "compact");

    /** As deploy/conf/topics.conf: the newest forecast per key, for a week at most. */
    private static final Map<String, String> FORECAST_RETENTION =
            Map.of("cleanup.policy", "compact,delete", "retention.ms", "604800000");

    /**
     * Events get 2 partitions so the job's two source readers both work. Intensity has one: the job
     * reads it with one reader anyway, and one partition keeps each zone's updates in publish
     * order. The registry, the aggregates, the alerts, the certificates, the ledger and the GPU
     * attribution are compacted: the latest value per key is what counts. GPU energy readings have
     * one partition: each GPU's readings in order. Forecasts are compacted and deleted after a
     * week, as in every deployment.
     */
    static List<NewTopic> all() {
        return List.of(
                new NewTopic(EVENTS, 2, (short) 1),
                new NewTopic(INTENSITY, 1, (short) 1),
                new NewTopic(REGISTRY, 1, (short) 1).configs(COMPACT),
                new NewTopic(AGGREGATES, 2, (short) 1).configs(COMPACT),
                new NewTopic(DEAD_LETTERS, 1, (short) 1),
                new NewTopic(LATE, 1, (short) 1),
                new NewTopic(ALERTS, 1, (short) 1).configs(COMPACT),
                new NewTopic(RESTATEMENTS, 1, (short) 1),
                new NewTopic(CERTIFICATES, 1, (short) 1).configs(COMPACT),
                new NewTopic(LEDGER, 2, (short) 1).configs(COMPACT),
                new NewTopic(GPU_ENERGY, 1, (short) 1),
                new NewTopic(GPU_ATTRIBUTION, 2, (short) 1).configs(COMPACT),
                new NewTopic(OTLP_SPANS, 2, (short) 1),
                new NewTopic(FORECASTS, 1, (short) 1).configs(FORECAST_RETENTION));
    }
}
