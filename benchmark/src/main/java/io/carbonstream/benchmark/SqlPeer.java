package io.carbonstream.benchmark;

import java.time.Duration;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The SQL peer: carbonstream's semantics written in Flink SQL.
 *
 * <pre>
 * events ── temporal join (AS OF event_time) ── registry_v (versioned by datacenter_id)
 *        ── temporal join (AS OF event_time) ── intensity (upsert changelog keyed by zone, event time valid_from)
 *        ── GPU_JOULES(...) (the job's EnergyModel) → facility kWh, gCO2e, water
 *        ── CASCADED: TUMBLE 1 min by (dc, model) → minute rows ── TUMBLE 1 min (dc), (model) / HOP 1 h by 1 min
 *           / TUMBLE 1 h over the minute rows, GROUPING SETS (dc, model), (dc), (model)
 *           PER_WINDOW: TUMBLE 1 min / HOP 1 h by 1 min / TUMBLE 1 h over every request, the same GROUPING SETS
 *        ── Kafka, exactly-once, Avro
 * </pre>
 *
 * Accepted differences, none of which changes a total on the benchmark's input: no dead-letter or
 * late-events outputs (the input has neither), no revisions (no late data), min/max intensity and
 * the FALLBACK/STALE shares are computed but not compared.
 */
public final class SqlPeer {

    private SqlPeer() {}

    /**
     * The benchmark's Kafka source settings for both systems ({@link Benchmark#KAFKA_PROPERTIES}),
     * as SQL connector options.
     */
    private static final String KAFKA_SOURCE_SETTINGS =
            "'properties.register.consumer.metrics' = 'false', ";

    /** Job options of the peer that mirror carbonstream's. */
    public record Settings(
            String bootstrap,
            String eventsTopic,
            String intensityTopic,
            String registryTopic,
            String outputTopic,
            String txPrefix,
            String groupId,
            Duration eventsOutOfOrderness,
            Duration intensityOutOfOrderness,
            double itOverheadDefault,
            double intensityDefault,
            Duration intensityMaxAge) {}

    /** How the windows are written; every variant gives the same answer on every window. */
    public enum Variant {
        /**
         * What a competent Flink SQL user writes (Flink's documented cascading window aggregation):
         * aggregate each request once, per minute and (datacenter, model); the per-datacenter and
         * per-model minutes, the hours and the rolling hours are windows over those minute rows
         * (their window_time is a time attribute), so each request updates one aggregation instead
         * of nine.
         */
        CASCADED("PEER: Flink SQL, cascaded windows (best SQL)"),
        /**
         * The same with the Table API's standard aggregation options: mini-batch (1 s, 5,000 rows)
         * and two-phase (local-global).
         */
        CASCADED_MINIBATCH_TWO_PHASE(
                "PEER: Flink SQL, cascaded windows + mini-batch + two-phase aggregation"),
        /**
         * The first peer: each window kind a separate TVF aggregation over the priced requests with
         * GROUPING SETS (nine updates per request).
         */
        PER_WINDOW(
                "PEER: Flink SQL, one window aggregation per kind over every request (first peer)");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    /** Adds the peer to {@code env}; the caller executes it. */
    public static void build(StreamExecutionEnvironment env, Settings s, Variant variant) {
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        t.getConfig().set("table.local-time-zone", "UTC");
        if (variant == Variant.CASCADED_MINIBATCH_TWO_PHASE) {
            t.getConfig().set("table.exec.mini-batch.enabled", "true");
            t.getConfig().set("table.exec.mini-batch.allow-latency", "1 s");
            t.getConfig().set("table.exec.mini-batch.size", "5000");
            t.getConfig().set("table.optimizer.agg-phase-strategy", "TWO_PHASE");
        }
        t.createTemporarySystemFunction("GPU_JOULES", GpuJoules.class);
        t.createTemporarySystemFunction("GPU_MEASURED", GpuJoules.Measured.class);
        String src =
                "'connector' = 'kafka', 'properties.bootstrap.servers' = '"
                        + s.bootstrap()
                        + "', "
                        + "'properties.group.id' = '"
                        + s.groupId()
                        + "', 'properties.isolation.level' = 'read_committed', "
                        + KAFKA_SOURCE_SETTINGS
                        + "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' ="
                        + " 'latest-offset', 'format' = '"
                        + CarbonAvroFormatFactory.IDENTIFIER
                        + "', ";
        t.executeSql(
                "CREATE TEMPORARY TABLE events ( event_time TIMESTAMP(3), event_time_ms BIGINT,"
                    + " datacenter_id STRING, model_id STRING, modality STRING, input_tokens"
                    + " BIGINT, output_tokens BIGINT, images INT, diffusion_steps INT,"
                    + " media_seconds DOUBLE, measured_gpu_joules DOUBLE, active_params_b DOUBLE,"
                    + " gpu_count INT, duration_ms BIGINT, WATERMARK FOR event_time AS event_time -"
                    + " "
                        + interval(s.eventsOutOfOrderness())
                        + ")"
                        + " WITH ("
                        + src
                        + "'"
                        + CarbonAvroFormatFactory.IDENTIFIER
                        + ".record' = 'events', 'topic' = '"
                        + s.eventsTopic()
                        + "')");
        // The intensity changelog keyed by zone (upsert-kafka: the topic is keyed by zone).
        // Versions are
        // kept by valid_from inside the temporal join, so a correction (same zone and valid_from,
        // published after later versions) replaces its estimate, as in the job. A ROW_NUMBER
        // deduplication view would drop it as older than the zone's latest row.
        t.executeSql(
                "CREATE TEMPORARY TABLE intensity ( zone STRING, valid_from TIMESTAMP(3),"
                    + " valid_from_ms BIGINT, carbon_intensity DOUBLE, WATERMARK FOR valid_from AS"
                    + " valid_from - "
                        + interval(s.intensityOutOfOrderness())
                        + ","
                        + " PRIMARY KEY (zone) NOT ENFORCED)"
                        + " WITH ('connector' = 'upsert-kafka', 'topic' = '"
                        + s.intensityTopic()
                        + "',"
                        + " 'properties.bootstrap.servers' = '"
                        + s.bootstrap()
                        + "', 'properties.group.id' = '"
                        + s.groupId()
                        + "', 'properties.isolation.level' = 'read_committed', 'scan.bounded.mode'"
                        + " = 'latest-offset', "
                        + KAFKA_SOURCE_SETTINGS
                        + " 'key.format' = 'raw', 'value.format' = '"
                        + CarbonAvroFormatFactory.IDENTIFIER
                        + "',"
                        + " 'value."
                        + CarbonAvroFormatFactory.IDENTIFIER
                        + ".record' = 'intensity', 'value.fields-include' = 'ALL')");
        // The registry has no event time: every entry is valid from the epoch on (the latest one
        // read wins).
        t.executeSql(
                "CREATE TEMPORARY TABLE registry ( datacenter_id STRING, zone STRING, pue DOUBLE,"
                    + " wue_l_per_kwh DOUBLE, it_overhead DOUBLE, market_factor_g_per_kwh DOUBLE,"
                    + " since AS CAST(TIMESTAMP '1970-01-01 00:00:00.000' AS TIMESTAMP(3)),"
                    + " WATERMARK FOR since AS since) WITH ("
                        + src
                        + "'"
                        + CarbonAvroFormatFactory.IDENTIFIER
                        + ".record' = 'registry', 'topic' = '"
                        + s.registryTopic()
                        + "')");
        // Versioned view of the registry (deduplication on its constant event time: the latest row
        // read wins).
        t.executeSql(
                "CREATE TEMPORARY VIEW registry_v AS SELECT * FROM ( SELECT *, ROW_NUMBER() OVER"
                    + " (PARTITION BY datacenter_id ORDER BY since DESC) AS rn FROM registry) WHERE"
                    + " rn = 1");
        t.executeSql(
                "CREATE TEMPORARY VIEW metered AS SELECT e.event_time, e.event_time_ms,"
                    + " e.datacenter_id, e.model_id, e.input_tokens, e.output_tokens, e.images,"
                    + " e.media_seconds, r.zone, r.pue, r.wue_l_per_kwh, COALESCE(r.it_overhead, "
                        + s.itOverheadDefault()
                        + ") AS it, r.market_factor_g_per_kwh AS market_factor,"
                        + " GPU_JOULES(e.model_id, e.modality, e.input_tokens, e.output_tokens,"
                        + " e.images, e.diffusion_steps, e.media_seconds,   e.measured_gpu_joules,"
                        + " e.active_params_b, e.gpu_count, e.duration_ms) AS gpu_j,"
                        + " GPU_MEASURED(e.measured_gpu_joules, e.gpu_count, e.duration_ms) AS"
                        + " measured FROM events AS e JOIN registry_v FOR SYSTEM_TIME AS OF"
                        + " e.event_time AS r ON e.datacenter_id = r.datacenter_id");
        long maxAgeMs = s.intensityMaxAge().toMillis();
        t.executeSql(
                "CREATE TEMPORARY VIEW priced AS SELECT event_time, datacenter_id, model_id,"
                    + " input_tokens, output_tokens, images, media_seconds, gpu_j, CASE WHEN"
                    + " measured THEN gpu_j ELSE 0.0 END AS measured_j, kwh, kwh / pue *"
                    + " wue_l_per_kwh + kwh * 0.0 AS water_l, CASE WHEN market_factor IS NULL THEN"
                    + " 0.0 ELSE kwh * market_factor END AS market_g, CASE WHEN market_factor IS"
                    + " NULL THEN 0 ELSE 1 END AS market_requests, kwh * g AS location_g, g, CASE"
                    + " WHEN fallback THEN kwh ELSE 0.0 END AS fallback_kwh, CASE WHEN NOT fallback"
                    + " AND age_ms > "
                        + maxAgeMs
                        + " THEN kwh ELSE 0.0 END AS stale_kwh"
                        + " FROM (SELECT m.*, m.gpu_j * m.it * m.pue / 3600000.0 AS kwh,"
                        + "   COALESCE(i.carbon_intensity, "
                        + s.intensityDefault()
                        + ") AS g, i.carbon_intensity IS NULL AS fallback,   m.event_time_ms -"
                        + " i.valid_from_ms AS age_ms   FROM metered AS m LEFT JOIN intensity FOR"
                        + " SYSTEM_TIME AS OF m.event_time AS i ON m.zone = i.zone)");
        t.executeSql(
                "CREATE TEMPORARY TABLE aggregates ( agg_key STRING, window_kind STRING, dimension"
                    + " STRING, datacenter_id STRING, model_id STRING, window_start TIMESTAMP(3),"
                    + " window_end TIMESTAMP(3), requests BIGINT, input_tokens BIGINT,"
                    + " output_tokens BIGINT, images BIGINT, media_seconds DOUBLE, gpu_joules"
                    + " DOUBLE, measured_gpu_joules DOUBLE, facility_kwh DOUBLE, location_gco2e"
                    + " DOUBLE, market_gco2e DOUBLE, market_requests BIGINT, water_l DOUBLE,"
                    + " fallback_kwh DOUBLE, stale_kwh DOUBLE, min_intensity DOUBLE, max_intensity"
                    + " DOUBLE) WITH ('connector' = 'kafka', 'topic' = '"
                        + s.outputTopic()
                        + "', 'properties.bootstrap.servers' = '"
                        + s.bootstrap()
                        + "', 'key.format' = 'raw', 'key.fields' = 'agg_key', 'value.format' ="
                        + " 'avro', 'value.fields-include' = 'EXCEPT_KEY',"
                        + " 'sink.delivery-guarantee' = 'exactly-once',"
                        + " 'sink.transactional-id-prefix' = '"
                        + s.txPrefix()
                        + "',"
                        + " 'properties.transaction.timeout.ms' = '600000')");
        String insert =
                switch (variant) {
                    case PER_WINDOW -> perWindow();
                    case CASCADED, CASCADED_MINIBATCH_TWO_PHASE -> cascaded(t);
                };
        StreamStatementSet set = t.createStatementSet();
        set.addInsertSql(insert);
        set.attachAsDataStream();
    }

    private static final String SUMS_OF_PRICED =
            "COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS"
                + " output_tokens, CAST(SUM(images) AS BIGINT) AS images, SUM(media_seconds) AS"
                + " media_seconds, SUM(gpu_j) AS gpu_joules, SUM(measured_j) AS"
                + " measured_gpu_joules, SUM(kwh) AS facility_kwh, SUM(location_g) AS"
                + " location_gco2e, SUM(market_g) AS market_gco2e, CAST(SUM(market_requests) AS"
                + " BIGINT) AS market_requests, SUM(water_l) AS water_l, SUM(fallback_kwh) AS"
                + " fallback_kwh, SUM(stale_kwh) AS stale_kwh, MIN(g) AS min_intensity, MAX(g) AS"
                + " max_intensity";

    /**
     * The same sums over rows that are already sums (minute rows): counts add up, minima and maxima
     * of minima and maxima.
     */
    private static final String SUMS_OF_MINUTES =
            "SUM(requests) AS requests, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS"
                + " output_tokens, SUM(images) AS images, SUM(media_seconds) AS media_seconds,"
                + " SUM(gpu_joules) AS gpu_joules, SUM(measured_gpu_joules) AS measured_gpu_joules,"
                + " SUM(facility_kwh) AS facility_kwh, SUM(location_gco2e) AS location_gco2e,"
                + " SUM(market_gco2e) AS market_gco2e, SUM(market_requests) AS market_requests,"
                + " SUM(water_l) AS water_l, SUM(fallback_kwh) AS fallback_kwh, SUM(stale_kwh) AS"
                + " stale_kwh, MIN(min_intensity) AS min_intensity, MAX(max_intensity) AS"
                + " max_intensity";

    private static final String VALUE_COLUMNS =
            "requests, input_tokens, output_tokens, images, media_seconds, gpu_joules,"
                    + " measured_gpu_joules, facility_kwh, location_gco2e, market_gco2e,"
                    + " market_requests, water_l, fallback_kwh, stale_kwh, min_intensity,"
                    + " max_intensity";

    /** The three grouping sets of a window kind that has (datacenter, model) rows of its own. */
    private static final String ALL_GROUPINGS =
            "(datacenter_id, model_id), (datacenter_id), (model_id)";

    private static final String DIMENSION =
            "CASE WHEN GROUPING(model_id) = 1 THEN 'DATACENTER' WHEN GROUPING(datacenter_id) = 1"
                    + " THEN 'MODEL' ELSE 'DATACENTER_MODEL' END AS dimension";

    /**
     * One output row's columns: the record key, window kind, dimension, ids, window bounds, then
     * the sums.
     */
    private static String outputRow(String kind) {
        return "SELECT CONCAT_WS('|', '"
                + kind
                + "', dimension, COALESCE(dc, ''), COALESCE(model, ''), CAST(window_start AS"
                + " STRING)), '"
                + kind
                + "', dimension, dc, model, window_start, window_end, "
                + VALUE_COLUMNS;
    }

    /**
     * The first peer: every window kind aggregates every priced request, in three grouping sets.
     */
    private static String perWindow() {
        StringBuilder insert = new StringBuilder("INSERT INTO aggregates ");
        String union = "";
        for (String[] w :
                List.of(
                        new String[] {
                            "MINUTE",
                            "TUMBLE(TABLE priced, DESCRIPTOR(event_time), INTERVAL '1' MINUTE)"
                        },
                        new String[] {
                            "ROLLING_HOUR",
                            "HOP(TABLE priced, DESCRIPTOR(event_time), INTERVAL '1' MINUTE,"
                                    + " INTERVAL '1' HOUR)"
                        },
                        new String[] {
                            "HOUR",
                            "TUMBLE(TABLE priced, DESCRIPTOR(event_time), INTERVAL '1' HOUR)"
                        })) {
            insert.append(union);
            windowed(insert, w[0], SUMS_OF_PRICED, w[1], ALL_GROUPINGS);
            union = " UNION ALL ";
        }
        return insert.toString();
    }

    /**
     * Cascading window aggregation: one TUMBLE of a minute per (datacenter, model) over the priced
     * requests; its window_time (the minute's last millisecond, a time attribute) is the event time
     * of the minute rows, over which the other windows are TVFs again: a minute row falls in
     * exactly the hours and rolling hours its requests fall in, so every window has the same sums.
     */
    private static String cascaded(StreamTableEnvironment t) {
        t.executeSql(
                "CREATE TEMPORARY VIEW minutes AS SELECT window_start AS minute_start, window_end"
                        + " AS minute_end, window_time AS minute_time, datacenter_id, model_id, "
                        + SUMS_OF_PRICED
                        + " FROM TUMBLE(TABLE priced, DESCRIPTOR(event_time), INTERVAL '1' MINUTE)"
                        + " GROUP BY window_start, window_end, window_time, datacenter_id,"
                        + " model_id");
        StringBuilder insert = new StringBuilder("INSERT INTO aggregates ");
        insert.append(outputRow("MINUTE"))
                .append(" FROM (SELECT minute_start AS window_start, minute_end AS window_end,")
                .append(
                        " 'DATACENTER_MODEL' AS dimension, datacenter_id AS dc, model_id AS model,"
                                + " ")
                .append(VALUE_COLUMNS)
                .append(" FROM minutes)");
        for (String[] w :
                List.of(
                        new String[] {
                            "MINUTE",
                            "TUMBLE(TABLE minutes, DESCRIPTOR(minute_time), INTERVAL '1' MINUTE)",
                            "(datacenter_id), (model_id)"
                        },
                        new String[] {
                            "ROLLING_HOUR",
                            "HOP(TABLE minutes, DESCRIPTOR(minute_time), INTERVAL '1' MINUTE,"
                                    + " INTERVAL '1' HOUR)",
                            ALL_GROUPINGS
                        },
                        new String[] {
                            "HOUR",
                            "TUMBLE(TABLE minutes, DESCRIPTOR(minute_time), INTERVAL '1' HOUR)",
                            ALL_GROUPINGS
                        })) {
            insert.append(" UNION ALL ");
            windowed(insert, w[0], SUMS_OF_MINUTES, w[1], w[2]);
        }
        return insert.toString();
    }

    /**
     * Appends the output rows of one window kind: {@code sums} over the window TVF {@code tvf},
     * grouped by window and {@code groupingSets}.
     */
    private static void windowed(
            StringBuilder insert, String kind, String sums, String tvf, String groupingSets) {
        insert.append(outputRow(kind))
                .append(
                        " FROM (SELECT window_start, window_end, datacenter_id AS dc, model_id"
                                + " AS model, ")
                .append(DIMENSION)
                .append(", ")
                .append(sums)
                .append(" FROM ")
                .append(tvf)
                .append(" GROUP BY window_start, window_end, GROUPING SETS (")
                .append(groupingSets)
                .append("))");
    }

    static String interval(Duration d) {
        long ms = d.toMillis();
        return String.format(
                java.util.Locale.ROOT,
                "INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
                ms / 86_400_000,
                ms / 3_600_000 % 24,
                ms / 60_000 % 60,
                ms / 1000 % 60,
                ms % 1000);
    }
}
