package io.carbonstream.connect.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.config.JobOptions;
import io.carbonstream.connect.common.AvroWire;
import io.carbonstream.connect.common.FixtureServer;
import io.carbonstream.connect.common.FixtureServer.Response;
import io.carbonstream.connect.common.TaskHarness;
import io.carbonstream.connect.common.Times;
import io.carbonstream.it.Avro;
import io.carbonstream.it.KafkaAndFlinkIT;
import io.carbonstream.it.KafkaIO;
import io.carbonstream.it.Reference;
import io.carbonstream.it.Scenario;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, end to end: the Electricity Maps connector in a real Connect worker (distributed,
 * exactly-once source support) writes the intensity topic of a real broker from a local fixture of
 * the API; the job, on a Flink MiniCluster, prices inference events produced here with what the
 * connector wrote; then the API corrects an hour the job has already priced, the connector's
 * past-range refetch delivers the correction, and the job restates.
 *
 * <p>The API, relative to the wall clock (the worker runs in real time), for zone DE, lifecycle: D0
 * = three whole hours ago, D1 an hour later. /latest shows D0 (a zone whose live data lags);
 * /past-range holds D0 and D1, both estimates made ten minutes into their hour, so the live stage
 * publishes both (D1 from its closing look, a value latest never showed). Later the source replaces
 * D0 by a measured value made fifty minutes into the hour: a version only the refetch stage owns
 * (live horizon 30 min, refetch age 1 h).
 *
 * <p>In production, two days separate an hour's estimate from its refetch; here the refetch stage
 * can look at D0 as soon as it starts (electricitymaps.refetch.start is before D0). So that it
 * looks only after the job has priced D0, the fixture throttles it, 429 with Retry-After, until the
 * test has read the job's first figures: synchronised on data, not on time. The refetch stage's
 * requests are told apart by their range, which begins at refetch.start (before D0); the live
 * stage's closing look begins at latest's datetime, D0.
 *
 * <p>Checked: (a) the correction reaches the intensity topic once, with source and updated_at; (b)
 * the job writes an APPLIED restatement SUMMARY from the estimate to the measured value, its PANE
 * records add up to the change, and the final revision of every window equals the independent
 * reference (the job module's test {@link Reference}: energy from the events, times the intensity
 * the fixture served); windows of D0 carry INTENSITY_RESTATEMENT, later ones do not; (c) after
 * further polls of the now unchanged API by both stages (latest then shows the correction too), the
 * topic still holds each version once and the job restated once.
 */
class ConnectorToJobIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaAndFlinkIT.miniCluster(1, new Configuration());

    static final String TOKEN = "e2e-token-9a8b7c6d5e4f";
    static final String CONNECTOR = "electricitymaps-e2e";
    static final String ZONE = "DE";
    static final String DC = "dc-de";
    static final String MODEL = "llama-3.1-8b";
    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;

    /** Bounds a failing run only: every wait ends as soon as its data is there. */
    static final Duration PATIENCE = Duration.ofMinutes(3);

    static final String INTENSITY = "carbonstream.intensity";
    static final String EVENTS = "e2e.events";
    static final String AGGREGATES = "e2e.aggregates";
    static final String RESTATEMENTS = "e2e.restatements";
    static final String DEAD_LETTERS = "e2e.dead-letters";
    static final String LATE = "e2e.late-events";

    /** DE, lifecycle (2024 mean 332 g/kWh, 255 at noon to 384 at 19:00). */
    static final double D0_ESTIMATE = 341.0;

    static final double D0_MEASURED = 318.0;
    static final double D1_ESTIMATE = 352.0;

    static final Scenario.Dc DATACENTER = new Scenario.Dc(DC, ZONE, 1.15, 1.0, null, null);

    static String point(Instant datetime, double value, Instant updatedAt, boolean estimated) {
        return ConnectFixtures.point(ZONE, datetime, value, updatedAt, estimated);
    }

    @Test
    void aRefetchedCorrectionReachesTheAggregatesAsARestatement(@TempDir Path tmp)
            throws Exception {
        Instant d0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(3));
        Instant d1 = d0.plus(Duration.ofHours(1));
        Instant d0EstimatedAt = d0.plus(Duration.ofMinutes(10));
        Instant d0MeasuredAt = d0.plus(Duration.ofMinutes(50));
        Instant refetchStart = d0.minus(Duration.ofHours(1));

        // The API's current version of each datetime; the refetch stage is throttled until the job
        // has priced D0.
        Map<Instant, String> api =
                new ConcurrentHashMap<>(
                        Map.of(
                                d0, point(d0, D0_ESTIMATE, d0EstimatedAt, true),
                                d1, point(d1, D1_ESTIMATE, d1.plus(Duration.ofMinutes(10)), true)));
        java.util.concurrent.atomic.AtomicBoolean throttleRefetch =
                new java.util.concurrent.atomic.AtomicBoolean(true);

        try (FixtureServer server = new FixtureServer(Clock.systemUTC())) {
            server.route(
                    "/v3/carbon-intensity/latest",
                    r -> authorised(r) ? Response.json(api.get(d0)) : unauthorised());
            server.route(
                    "/v3/carbon-intensity/past-range",
                    r -> {
                        if (!authorised(r)) return unauthorised();
                        Instant start = Times.parseOrNull(r.query().get("start"));
                        Instant end = Times.parseOrNull(r.query().get("end"));
                        if (throttleRefetch.get() && start.isBefore(d0)) {
                            return Response.status(
                                    429,
                                    "{\"status\":\"error\",\"message\":\"Too many requests\"}",
                                    "Retry-After",
                                    "1");
                        }
                        return Response.json(ConnectFixtures.pastRange(ZONE, api, start, end));
                    });

            EmbeddedConnectCluster connect = startConnect();
            JobClient job = null;
            try {
                Properties client = new Properties();
                client.put("bootstrap.servers", connect.kafka().bootstrapServers());
                Map<String, String> topics = jobTopics();
                createTopics(connect, topics);
                connect.configureConnector(
                        CONNECTOR, connectorConfig(server.baseUrl(), refetchStart));
                connect.assertions()
                        .assertConnectorAndExactlyNumTasksAreRunning(
                                CONNECTOR, 1, "the connector did not start");

                // The live stage publishes both estimates; the refetch stage is held back
                // meanwhile.
                List<IntensityUpdate> estimates =
                        await(
                                "the estimates of D0 and D1 in the intensity topic",
                                () -> intensity(client),
                                xs -> xs.size() >= 2);
                assertThat(estimates)
                        .extracting(TaskHarness::value)
                        .containsExactly(
                                tuple(d0, D0_ESTIMATE, true), tuple(d1, D1_ESTIMATE, true));
                await(
                        "the refetch stage's first look, throttled",
                        () -> server.requestsTo("/v3/carbon-intensity/past-range"),
                        rs ->
                                rs.stream()
                                        .anyMatch(
                                                r ->
                                                        Times.parseOrNull(r.query().get("start"))
                                                                .isBefore(d0)));

                // Requests over D0 and D1 with measured energy, then one per events partition to
                // move the watermark.
                List<Scenario.Req> counted = new ArrayList<>(requests(d0.toEpochMilli(), 120));
                KafkaIO.produce(
                        client,
                        EVENTS,
                        counted.stream().map(ConnectorToJobIT::event).toList(),
                        null);
                long push1 = d0.toEpochMilli() + 2 * HOUR + 5 * MIN;
                counted.addAll(pushWatermark(client, "push-1", push1));

                Map<String, String> options =
                        jobOptions(connect.kafka().bootstrapServers(), topics, registry(tmp));
                StreamExecutionEnvironment env =
                        StreamExecutionEnvironment.getExecutionEnvironment();
                CarbonStreamJob.build(env, JobConfig.fromMap(options));
                job = env.executeAsync("carbonstream-connector-to-job");

                List<Scenario.Upd> estimated =
                        List.of(
                                new Scenario.Upd(ZONE, d0.toEpochMilli(), D0_ESTIMATE, true),
                                new Scenario.Upd(ZONE, d1.toEpochMilli(), D1_ESTIMATE, true));
                long done1 = push1 - 2 * MIN;
                Map<String, Reference.Agg> first =
                        Reference.endingBy(reference(estimated).aggregates(counted), done1);
                await(
                        "the first figures, priced with the estimates",
                        () -> Reference.endingBy(latestAggregates(client), done1),
                        actual -> matches(actual, first));
                assertThat(restatements(client))
                        .as("nothing restated before the correction")
                        .isEmpty();

                // The source corrects D0 (latest shows it too now) and the refetch stage may look.
                api.put(d0, point(d0, D0_MEASURED, d0MeasuredAt, false));
                throttleRefetch.set(false);

                // (a) The correction in the intensity topic, from the refetch, with its source and
                // update time.
                List<IntensityUpdate> withCorrection =
                        await(
                                "the correction of D0 in the intensity topic",
                                () -> intensity(client),
                                ConnectFixtures.measured(d0));
                int latestPolls = server.requestsTo("/v3/carbon-intensity/latest").size();
                int pastRangePolls = server.requestsTo("/v3/carbon-intensity/past-range").size();
                IntensityUpdate correction = withCorrection.get(withCorrection.size() - 1);
                assertThat(correction.getZone()).isEqualTo(ZONE);
                assertThat(correction.getValidFrom()).isEqualTo(d0);
                assertThat(correction.getCarbonIntensity()).isEqualTo(D0_MEASURED);
                assertThat(correction.getEstimated()).isFalse();
                assertThat(correction.getEstimationMethod()).isNull();
                assertThat(correction.getSource()).isEqualTo("electricitymaps");
                assertThat(correction.getSignal()).isEqualTo("average");
                assertThat(correction.getEmissionFactorType()).isEqualTo("lifecycle");
                assertThat(correction.getUpdatedAt()).isEqualTo(d0MeasuredAt);
                IntensityUpdate estimate = withCorrection.get(0);
                assertThat(estimate.getUpdatedAt()).isEqualTo(d0EstimatedAt);
                assertThat(estimate.getEstimationMethod()).isEqualTo("TIME_SLICER_AVERAGE");

                // (b) The job restates D0: one SUMMARY, APPLIED, from the estimate to the measured
                // value.
                List<Restatement> summaries =
                        await(
                                "the restatement SUMMARY of D0",
                                () -> summaries(client),
                                xs -> !xs.isEmpty());
                Restatement summary = summaries.get(0);
                assertThat(summary.getKind()).isEqualTo(CorrectionKind.INTENSITY);
                assertThat(summary.getStatus()).isEqualTo(RestatementStatus.APPLIED);
                assertThat(summary.getZone()).isEqualTo(ZONE);
                assertThat(summary.getValidFrom()).isEqualTo(d0);
                assertThat(summary.getOldValue()).isEqualTo(D0_ESTIMATE);
                assertThat(summary.getNewValue()).isEqualTo(D0_MEASURED);
                assertThat(summary.getOldSource()).isEqualTo("electricitymaps");
                assertThat(summary.getNewSource()).isEqualTo("electricitymaps");

                long push2 = push1 + 10 * MIN;
                counted.addAll(pushWatermark(client, "push-2", push2));
                long done2 = push2 - 2 * MIN;
                List<Scenario.Upd> corrected = new ArrayList<>(estimated);
                corrected.add(new Scenario.Upd(ZONE, d0.toEpochMilli(), D0_MEASURED, false));
                Map<String, Reference.Agg> last =
                        Reference.endingBy(reference(corrected).aggregates(counted), done2);
                Map<String, Aggregate> restated =
                        await(
                                "the final figures, priced with the correction",
                                () -> Reference.endingBy(latestAggregates(client), done2),
                                actual -> matches(actual, last));
                assertMatches(restated, last);

                // Windows over D0 were revised for the restatement; windows after D0's hour were
                // not.
                int revised = 0;
                for (Map.Entry<String, Aggregate> e : restated.entrySet()) {
                    long start =
                            Long.parseLong(e.getKey().substring(e.getKey().lastIndexOf('|') + 1));
                    boolean overD0 =
                            start < d1.toEpochMilli()
                                    && Reference.windowEnd(e.getKey()) > d0.toEpochMilli();
                    if (overD0) {
                        revised++;
                        assertThat(e.getValue().getRevision()).as(e.getKey()).isGreaterThan(1);
                        assertThat(e.getValue().getRevisionReason())
                                .as(e.getKey())
                                .contains("INTENSITY_RESTATEMENT");
                    } else {
                        assertThat(e.getValue().getRevisionReason())
                                .as(e.getKey())
                                .doesNotContain("INTENSITY_RESTATEMENT");
                    }
                }
                assertThat(revised).as("windows over D0").isGreaterThan(60);

                // The PANE records add up to the change of D0's hour: its energy times (measured -
                // estimate).
                String hourKey = "HOUR|DATACENTER|" + DC + "||" + d0.toEpochMilli();
                double d0Kwh = last.get(hourKey).kwh;
                List<Restatement> panes =
                        restatements(client).stream()
                                .filter(r -> r.getRecordType() == RestatementRecordType.PANE)
                                .toList();
                assertThat(panes)
                        .hasSize(60)
                        .allSatisfy(
                                p ->
                                        assertThat(p.getCorrectionId())
                                                .isEqualTo(summary.getCorrectionId()));
                double delta = panes.stream().mapToDouble(Restatement::getDeltaLocationGco2e).sum();
                assertThat(delta)
                        .isCloseTo(
                                d0Kwh * (D0_MEASURED - D0_ESTIMATE),
                                within(1e-9 * Math.abs(d0Kwh * D0_MEASURED)));
                assertThat(restated.get(hourKey).getLocationGco2e())
                        .isCloseTo(d0Kwh * D0_MEASURED, within(1e-9 * d0Kwh * D0_MEASURED));

                // (c) Both stages poll the unchanged API again (latest now shows the correction,
                // past-range too): no
                // record is repeated. Each poll of the worker is one transaction, committed before
                // the next poll asks,
                // so once these requests arrived, whatever the polls before them published is
                // readable.
                await(
                        "two more polls of latest and two of past-range",
                        () ->
                                new int[] {
                                    server.requestsTo("/v3/carbon-intensity/latest").size(),
                                    server.requestsTo("/v3/carbon-intensity/past-range").size()
                                },
                        n -> n[0] >= latestPolls + 2 && n[1] >= pastRangePolls + 2);
                assertThat(intensity(client))
                        .extracting(
                                u ->
                                        tuple(
                                                u.getValidFrom(),
                                                u.getCarbonIntensity(),
                                                u.getUpdatedAt()))
                        .containsExactly(
                                tuple(d0, D0_ESTIMATE, d0EstimatedAt),
                                tuple(d1, D1_ESTIMATE, d1.plus(Duration.ofMinutes(10))),
                                tuple(d0, D0_MEASURED, d0MeasuredAt));
                assertThat(summaries(client))
                        .as("one restatement, the job saw the correction once")
                        .hasSize(1);
                assertThat(server.requests)
                        .allSatisfy(r -> assertThat(r.header("auth-token")).isEqualTo(TOKEN));
                assertThat(deadLetters(client, DEAD_LETTERS)).isEmpty();
                assertThat(deadLetters(client, LATE)).isEmpty();
            } finally {
                if (job != null) job.cancel().get();
                connect.stop();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ set-up

    static EmbeddedConnectCluster startConnect() {
        Properties broker = ConnectFixtures.broker();
        // The job's transactional sinks use timeouts up to this bound; old valid_from and event
        // times must stay.
        broker.put("transaction.max.timeout.ms", String.valueOf(Duration.ofHours(1).toMillis()));
        broker.put("group.initial.rebalance.delay.ms", "0");
        Map<String, String> worker = ConnectFixtures.worker();
        return ConnectFixtures.startConnect("carbonstream-connector-to-job", broker, worker);
    }

    /**
     * The job's topic options with a default (inputs it always reads, outputs it always writes),
     * each on its own e2e. topic, but intensity on the connector's topic. Read from JobOptions so
     * that a topic the job gains is created here too; optional inputs without a default (OTLP
     * spans) stay off.
     */
    static Map<String, String> jobTopics() throws ReflectiveOperationException {
        Map<String, String> topics = new LinkedHashMap<>();
        for (Field f : JobOptions.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || !(f.get(null) instanceof ConfigOption<?> o))
                continue;
            if (!o.key().startsWith("topic.") || !o.hasDefaultValue()) continue;
            topics.put(
                    o.key(),
                    o.key().equals("topic.intensity")
                            ? INTENSITY
                            : "e2e." + o.key().substring("topic.".length()));
        }
        assertThat(topics)
                .containsEntry("topic.events", EVENTS)
                .containsEntry("topic.aggregates", AGGREGATES)
                .containsEntry("topic.restatements", RESTATEMENTS)
                .containsEntry("topic.dead-letters", DEAD_LETTERS)
                .containsEntry("topic.late-events", LATE);
        return topics;
    }

    static void createTopics(EmbeddedConnectCluster connect, Map<String, String> jobTopics) {
        connect.kafka().createTopic("carbonstream.forecasts", 1);
        jobTopics
                .values()
                .forEach(
                        t ->
                                connect.kafka()
                                        .createTopic(
                                                t,
                                                t.equals(EVENTS) || t.equals(AGGREGATES) ? 2 : 1));
    }

    static Map<String, String> connectorConfig(String baseUrl, Instant refetchStart) {
        Map<String, String> config =
                ConnectFixtures.connectorConfig(TOKEN, baseUrl, ZONE, refetchStart);
        config.put("topic", INTENSITY);
        config.put("retry.backoff.initial", "100ms");
        config.put("retry.backoff.max", "1s");
        return config;
    }

    static Map<String, String> jobOptions(
            String bootstrap, Map<String, String> topics, Path registry) {
        Map<String, String> c = new HashMap<>(topics);
        // The connector publishes in bursts; a quiet intensity topic must not hold results back for
        // long (intensity.idle-timeout).
        c.putAll(
                Map.of(
                        "bootstrap-servers", bootstrap,
                        "transactional-id-prefix", "e2e-tx",
                        "group-id", "e2e-group",
                        "parallelism", "2",
                        "checkpoint-interval", "500 ms",
                        "start-from", "EARLIEST",
                        "registry-file", registry.toString(),
                        "intensity.idle-timeout", "1 s"));
        return c;
    }

    static Path registry(Path dir) throws Exception {
        Path f = dir.resolve("registry.json");
        Files.writeString(
                f,
                "[{\"datacenter_id\":\""
                        + DC
                        + "\",\"zone\":\""
                        + ZONE
                        + "\",\"pue\":"
                        + DATACENTER.pue()
                        + ",\"wue_l_per_kwh\":"
                        + DATACENTER.wue()
                        + ",\"it_overhead\":null,\"market_factor_g_per_kwh\":null}]");
        return f;
    }

    static boolean authorised(FixtureServer.Request r) {
        return TOKEN.equals(r.header("auth-token"))
                && "lifecycle".equals(r.query().get("emissionFactorType"));
    }

    static Response unauthorised() {
        return Response.status(401, "{\"status\":\"error\",\"message\":\"Invalid auth-token\"}");
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /**
     * One request a minute from {@code from}, each with a measured GPU energy well within the
     * plausibility bound, so that its energy is the measurement (independent of the model catalog's
     * figures).
     */
    static List<Scenario.Req> requests(long from, int n) {
        Random rnd = new Random(11);
        List<Scenario.Req> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = from + i * MIN + 20_000 + rnd.nextInt(20_000);
            out.add(
                    new Scenario.Req(
                            "e2e-" + i,
                            t,
                            DC,
                            MODEL,
                            "TEXT",
                            100 + rnd.nextInt(900),
                            50 + rnd.nextInt(500),
                            0,
                            0,
                            0,
                            1,
                            2_000,
                            40.0 + rnd.nextDouble() * 300,
                            null));
        }
        return out;
    }

    static KafkaIO.Raw event(Scenario.Req r) {
        return new KafkaIO.Raw(r.id().getBytes(StandardCharsets.UTF_8), Avro.encode(Avro.event(r)));
    }

    /**
     * One request at t on every events partition, so that the watermark passes t -
     * out-of-orderness.
     */
    static List<Scenario.Req> pushWatermark(Properties client, String id, long t) {
        List<Scenario.Req> sent = new ArrayList<>();
        for (int partition = 0; partition < 2; partition++) {
            Scenario.Req r =
                    new Scenario.Req(
                            id + "-p" + partition,
                            t,
                            DC,
                            MODEL,
                            "TEXT",
                            100,
                            200,
                            0,
                            0,
                            0,
                            1,
                            2_000,
                            90.0,
                            null);
            KafkaIO.produce(client, EVENTS, List.of(event(r)), partition);
            sent.add(r);
        }
        return sent;
    }

    // ------------------------------------------------------------------------------------------------ outputs

    static Reference reference(List<Scenario.Upd> updates) {
        return new Reference(List.of(DATACENTER), updates, Map.of(), 473.0, 2 * HOUR);
    }

    static List<IntensityUpdate> intensity(Properties client) {
        List<IntensityUpdate> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaIO.readAll(client, INTENSITY)) {
            IntensityUpdate u = AvroWire.decode(r.value(), IntensityUpdate.class);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(u.getZone());
            out.add(u);
        }
        return out;
    }

    /** The latest revision of every window, as the compacted topic keeps it. */
    static Map<String, Aggregate> latestAggregates(Properties client) {
        Map<String, Aggregate> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaIO.readAll(client, AGGREGATES)) {
            latest.merge(
                    new String(r.key(), StandardCharsets.UTF_8),
                    AvroWire.decode(r.value(), Aggregate.class),
                    (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        return latest;
    }

    static List<Restatement> restatements(Properties client) {
        return KafkaIO.readAll(client, RESTATEMENTS).stream()
                .map(r -> AvroWire.decode(r.value(), Restatement.class))
                .toList();
    }

    static List<Restatement> summaries(Properties client) {
        return restatements(client).stream()
                .filter(r -> r.getRecordType() == RestatementRecordType.SUMMARY)
                .toList();
    }

    static List<DeadLetter> deadLetters(Properties client, String topic) {
        return KafkaIO.readAll(client, topic).stream()
                .map(r -> AvroWire.decode(r.value(), DeadLetter.class))
                .toList();
    }

    static boolean matches(Map<String, Aggregate> actual, Map<String, Reference.Agg> expected) {
        try {
            assertMatches(actual, expected);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** The same windows, with the reference's counts, energy, emissions and intensities. */
    static void assertMatches(Map<String, Aggregate> actual, Map<String, Reference.Agg> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach(
                (k, x) -> {
                    Aggregate a = actual.get(k);
                    assertThat(a.getRequests()).as(k + " requests").isEqualTo(x.requests);
                    assertThat(a.getOutputTokens()).as(k + " output tokens").isEqualTo(x.out);
                    close(k + " GPU J", a.getGpuJoules(), x.gpuJ);
                    close(k + " kWh", a.getFacilityKwh(), x.kwh);
                    close(k + " gCO2e", a.getLocationGco2e(), x.g);
                    close(k + " mean intensity", a.getMeanIntensity(), x.g / x.kwh);
                    close(k + " min intensity", a.getMinIntensity(), x.min);
                    close(k + " max intensity", a.getMaxIntensity(), x.max);
                    close(k + " measured share", a.getMeasuredEnergyShare(), x.measuredJ / x.gpuJ);
                    close(k + " fallback share", a.getFallbackShare(), x.fallbackKwh / x.kwh);
                    close(k + " stale share", a.getStaleShare(), x.staleKwh / x.kwh);
                    assertThat(a.getEmissionFactorType()).as(k).isEqualTo("lifecycle");
                });
    }

    static void close(String what, double actual, double expected) {
        assertThat(actual)
                .as(what)
                .isCloseTo(expected, within(Math.max(Math.abs(expected) * 1e-9, 1e-12)));
    }

    /**
     * Probes until {@code done} holds for what the probe returns; the deadline only bounds a
     * failing run.
     */
    static <T> T await(String what, Supplier<T> probe, Predicate<T> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        T last = probe.get();
        while (!done.test(last)) {
            if (System.nanoTime() > deadline)
                throw new AssertionError(
                        "timed out waiting for " + what + "; last seen: " + describe(last));
            Thread.sleep(200); // polling interval, not synchronisation: the condition decides
            last = probe.get();
        }
        return last;
    }

    private static String describe(Object o) {
        if (o instanceof int[] a) return java.util.Arrays.toString(a);
        String s = String.valueOf(o);
        return s.length() > 2_000 ? s.substring(0, 2_000) + "..." : s;
    }
}
