package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.ingest.Reason;
import io.carbonstream.otlp.SpanMapping;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One case per dead-letter reason and input: a crafted record on a real broker must come out of the
 * dead-letter topic once, with its reason, a message that names the problem, and its topic,
 * partition, offset, timestamp, key and bytes as the broker stored them. All cases, thousands of
 * random records, a burst of model ids beyond the cap and thousands of valid requests share one
 * bounded job run (started by whichever test comes first): the totals must equal the reference over
 * the valid requests only, the job's conservation counters must add up, and the job must never
 * restart.
 */
class DeadLetterIT extends KafkaIT {

    /** Every metric of this class's runs, kept in memory (conservation is read from them). */
    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            KafkaAndFlinkIT.miniCluster(2, METRICS.addToConfiguration(new Configuration()));

    @TempDir static Path tmp;

    static final String PREFIX = "dead.";
    static final int RANDOM_RECORDS = 1_000;
    static final int GARBAGE_MODELS = 300;
    static final int MODEL_CAP = 10;
    static final Scenario S = new Scenario(11, 3_000, 70 * Scenario.MIN, 4_000);
    static final Scenario.Req BASE_REQ = S.requests.get(0);
    static final long HOUR = 60 * Scenario.MIN;
    static final long BASE_HOUR = Scenario.BASE - Math.floorMod(Scenario.BASE, HOUR);

    /**
     * Reasons no record of this run can produce on its own, and where each is proven.
     * TOO_MANY_MODELS is {@link #modelsBeyondTheCapAreDeadLetteredAndCountNowhere}: which of a
     * burst's models are capped depends on the order the pricing subtasks see them, so it is
     * checked by count, not by record.
     */
    static final Map<Reason, String> COVERED_ELSEWHERE =
            Map.of(
                    Reason.LATE,
                            "LateEventsIT (requests beyond the allowed lateness, to the late-events"
                                + " topic with their bytes, after the watermark has provably"
                                + " passed) and GpuAttributionIT/GpuAttributionFunctionTest (late"
                                + " GPU readings): lateness depends on the watermark, which a"
                                + " single bounded run does not order against the record",
                    Reason.BEYOND_RETENTION,
                            "LedgerFunctionTest: whether an hour is beyond retention depends on"
                                + " which aggregates the ledger has seen before the certificate, an"
                                + " order the harness fixes and a bounded run does not",
                    Reason.NO_ENERGY_SAMPLE,
                            "GpuFeedsIT (a scrape with no energy counter on a PROMETHEUS_TEXT"
                                    + " topic) and GpuReadingsTest: a GPU energy topic holds one"
                                    + " --gpu-energy.format, and this run's is Avro");

    /**
     * A crafted input record, the dead letter it must become, and the words its message must
     * contain.
     */
    record Case(
            String name,
            String topic,
            byte[] key,
            byte[] value,
            Reason reason,
            String detail,
            byte[] dlqKey,
            byte[] dlqValue) {
        Case(String name, String topic, byte[] key, byte[] value, Reason reason, String detail) {
            this(name, topic, key, value, reason, detail, key, value);
        }

        @Override
        public String toString() {
            return reason + " on " + topic + ": " + name;
        }
    }

    /**
     * Made once: the run produces these records and the tests look for the same bytes (one case
     * holds the wall clock).
     */
    static final List<Case> CASES = makeCases();

    static List<Case> cases() {
        return CASES;
    }

    private static List<Case> makeCases() {
        byte[] good = Avro.encode(Avro.event(BASE_REQ));
        long now = System.currentTimeMillis();
        List<Case> c = new ArrayList<>();
        // Events.
        c.add(
                new Case(
                        "truncated",
                        "events",
                        key("e-truncated"),
                        Arrays.copyOf(good, good.length / 2),
                        Reason.UNDECODABLE,
                        "not an InferenceEvent"));
        c.add(
                new Case(
                        "trailing bytes",
                        "events",
                        key("e-trailing"),
                        Arrays.copyOf(good, good.length + 7),
                        Reason.UNDECODABLE,
                        "not an InferenceEvent"));
        c.add(
                new Case(
                        "another record's schema",
                        "events",
                        key("e-wrong-schema"),
                        Avro.encode(Avro.update(S.intensity.get(0))),
                        Reason.UNDECODABLE,
                        "not an InferenceEvent"));
        c.add(
                new Case(
                        "single-object encoding of an unknown schema",
                        "events",
                        key("e-unknown-fingerprint"),
                        singleObject(good),
                        Reason.UNKNOWN_SCHEMA,
                        "fingerprint"));
        c.add(
                new Case(
                        "tombstone",
                        "events",
                        key("e-tombstone"),
                        null,
                        Reason.NULL_VALUE,
                        "tombstone on the events topic"));
        c.add(
                new Case(
                        "empty datacenter",
                        "events",
                        key("e-empty-dc"),
                        event(r -> r.dc = ""),
                        Reason.MISSING_FIELD,
                        "datacenter_id is empty"));
        c.add(
                new Case(
                        "negative tokens",
                        "events",
                        key("e-negative"),
                        event(r -> r.in = -1),
                        Reason.INVALID_VALUE,
                        "negative count"));
        c.add(
                new Case(
                        "NaN media seconds",
                        "events",
                        key("e-nan"),
                        event(r -> r.media = Double.NaN),
                        Reason.INVALID_VALUE,
                        "media_seconds is NaN"));
        c.add(
                new Case(
                        "10^12 tokens",
                        "events",
                        key("e-absurd"),
                        event(r -> r.out = 1_000_000_000_000L),
                        Reason.ABSURD_VALUE,
                        "exceed"));
        c.add(
                new Case(
                        "5000-character model id",
                        "events",
                        key("e-oversized"),
                        event(r -> r.model = "m".repeat(5_000)),
                        Reason.OVERSIZED_STRING,
                        "model_id has 5000 characters"));
        c.add(
                new Case(
                        "a day ahead",
                        "events",
                        key("e-future"),
                        event(r -> r.t = now + 86_400_000L),
                        Reason.EVENT_TIME_IN_FUTURE,
                        "event_time"));
        c.add(
                new Case(
                        "year 2001",
                        "events",
                        key("e-floor"),
                        event(r -> r.t = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli()),
                        Reason.EVENT_TIME_BEFORE_FLOOR,
                        "before the floor"));
        c.add(
                new Case(
                        "datacenter in no registry",
                        "events",
                        key("e-atlantis"),
                        event(r -> r.dc = "dc-atlantis"),
                        Reason.UNKNOWN_DATACENTER,
                        "dc-atlantis"));
        // Intensity.
        c.add(
                new Case(
                        "junk",
                        "intensity",
                        key("i-junk"),
                        new byte[] {7, 7, 7},
                        Reason.UNDECODABLE,
                        "not an IntensityUpdate"));
        c.add(
                new Case(
                        "tombstone",
                        "intensity",
                        key("i-tombstone"),
                        null,
                        Reason.NULL_VALUE,
                        "tombstone on the intensity topic"));
        c.add(
                new Case(
                        "negative intensity",
                        "intensity",
                        key("i-negative"),
                        intensity(-4),
                        Reason.INVALID_VALUE,
                        "carbon_intensity is -4"));
        c.add(
                new Case(
                        "90000 g/kWh",
                        "intensity",
                        key("i-absurd"),
                        intensity(90_000),
                        Reason.ABSURD_VALUE,
                        "exceeds"));
        // Registry topic.
        c.add(
                new Case(
                        "junk",
                        "registry",
                        key("r-junk"),
                        new byte[] {1, 2, 3, 4, 5, 6},
                        Reason.UNDECODABLE,
                        "not a Datacenter"));
        c.add(
                new Case(
                        "PUE below 1",
                        "registry",
                        key("r-pue"),
                        Avro.encode(
                                Datacenter.newBuilder()
                                        .setDatacenterId("dc-x")
                                        .setZone("DE")
                                        .setPue(0.5)
                                        .setWueLPerKwh(1)
                                        .build()),
                        Reason.INVALID_VALUE,
                        "pue 0.5 is outside [1, 3]"));
        c.add(
                new Case(
                        "tombstone without a key",
                        "registry",
                        null,
                        null,
                        Reason.NULL_VALUE,
                        "tombstone without a key"));
        // Forecasts.
        c.add(
                new Case(
                        "interval that ends where it starts",
                        "forecasts",
                        key("f-empty-interval"),
                        forecast(Scenario.BASE + HOUR, Scenario.BASE + HOUR, Scenario.BASE),
                        Reason.INVALID_INTERVAL,
                        "is not after valid_from"));
        c.add(
                new Case(
                        "a year ahead of its issue",
                        "forecasts",
                        key("f-far"),
                        forecast(
                                Scenario.BASE + 365 * 24 * HOUR,
                                Scenario.BASE + 365 * 24 * HOUR + HOUR,
                                Scenario.BASE),
                        Reason.FORECAST_TOO_FAR_AHEAD,
                        "valid_from"));
        // Certificates (the registry file puts dc-pl in PL).
        c.add(
                new Case(
                        "retired for a datacenter of another grid",
                        "certificates",
                        key("c-wrong-grid"),
                        certificate("c-wrong-grid", "DE", 1.0),
                        Reason.CERTIFICATE_OUTSIDE_BOUNDARY,
                        "dc-pl is in zone PL"));
        c.add(
                new Case(
                        "no grid boundary",
                        "certificates",
                        key("c-no-boundary"),
                        certificate("c-no-boundary", "", 1.0),
                        Reason.MISSING_FIELD,
                        "grid_boundary is empty"));
        c.add(
                new Case(
                        "10^9 MWh in an hour",
                        "certificates",
                        key("c-absurd"),
                        certificate("c-absurd", "PL", 1e9),
                        Reason.ABSURD_VALUE,
                        "beyond any plant"));
        // OpenTelemetry spans: a rejected span's dead letter is keyed by its request id and holds a
        // batch of that span alone
        // (here the whole batch, one span).
        Span unmapped = OtlpBatches.genAi(changed(BASE_REQ, r -> r.id = "o-mars"), "llama-3.1-8b");
        c.add(
                otlp(
                        "resource no rule maps",
                        "o-mars",
                        Map.of("cloud.region", "mars-1"),
                        unmapped,
                        Reason.UNMAPPED_DATACENTER,
                        "cloud.region=mars-1"));
        Span noModel =
                OtlpBatches.span("o-no-model", BASE_REQ.t(), 1_000)
                        .setName("chat")
                        .addAttributes(OtlpBatches.attr("gen_ai.operation.name", "chat"))
                        .addAttributes(OtlpBatches.attr("gen_ai.usage.output_tokens", 10L))
                        .build();
        c.add(
                otlp(
                        "GenAI span without a model",
                        "o-no-model",
                        Map.of("cloud.region", "us-west-1"),
                        noModel,
                        Reason.MISSING_FIELD,
                        "has neither gen_ai.response.model"));
        c.add(
                new Case(
                        "junk",
                        "otlp",
                        key("o-junk"),
                        new byte[] {(byte) 0xFF, 1, 2},
                        Reason.UNDECODABLE,
                        "not an OTLP ExportTraceServiceRequest"));
        // GPU energy counters.
        c.add(
                new Case(
                        "unknown unit",
                        "gpu-energy",
                        key("g-btu"),
                        gpuSample("BTU"),
                        Reason.INVALID_VALUE,
                        "is not one of J, mJ, Wh, kWh"));
        c.add(
                new Case(
                        "tombstone",
                        "gpu-energy",
                        key("g-tombstone"),
                        null,
                        Reason.NULL_VALUE,
                        "tombstone on the GPU energy topic"));
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadRecordIsOneDeadLetterWithItsReasonAndBytes(Case c) throws Exception {
        Run run = Run.get();
        List<ConsumerRecord<byte[], byte[]>> in =
                run.input(c.topic()).stream()
                        .filter(
                                r ->
                                        Arrays.equals(r.key(), c.key())
                                                && Arrays.equals(r.value(), c.value()))
                        .toList();
        assertThat(in).as("the case's record on the broker").hasSize(1);
        ConsumerRecord<byte[], byte[]> sent = in.get(0);
        List<DeadLetter> out = run.deadLettersOf(sent);
        assertThat(out).as("dead letters of " + c).hasSize(1);
        DeadLetter d = out.get(0);
        assertThat(d.getReason()).isEqualTo(c.reason().name());
        assertThat(d.getMessage()).contains(c.detail());
        assertThat(d.getSourceTimestamp()).isEqualTo(sent.timestamp());
        assertThat(bytes(d.getKey())).isEqualTo(c.dlqKey());
        assertThat(bytes(d.getValue())).isEqualTo(c.dlqValue());
    }

    @Test
    void everyReasonHasACaseOrIsProvenElsewhere() {
        Set<Reason> covered = EnumSet.noneOf(Reason.class);
        cases().forEach(c -> covered.add(c.reason()));
        covered.add(Reason.TOO_MANY_MODELS);
        covered.addAll(COVERED_ELSEWHERE.keySet());
        assertThat(covered).containsExactlyInAnyOrder(Reason.values());
        assertThat(cases().stream().filter(c -> COVERED_ELSEWHERE.containsKey(c.reason())))
                .isEmpty();
    }

    @Test
    void randomBytesAreDeadLetteredOnceEachWithTheirBytes() throws Exception {
        Run run = Run.get();
        Map<String, ConsumerRecord<byte[], byte[]>> sent = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : run.input("events")) {
            if (r.key() != null && text(r.key()).startsWith("random-")) {
                sent.put(text(r.key()), r);
            }
        }
        assertThat(sent).hasSize(RANDOM_RECORDS);
        for (ConsumerRecord<byte[], byte[]> r : sent.values()) {
            List<DeadLetter> out = run.deadLettersOf(r);
            assertThat(out).as(text(r.key())).hasSize(1);
            assertThat(out.get(0).getReason()).isIn("UNDECODABLE", "UNKNOWN_SCHEMA");
            assertThat(bytes(out.get(0).getValue())).isEqualTo(r.value());
            assertThat(bytes(out.get(0).getKey())).isEqualTo(r.key());
        }
    }

    @Test
    void modelsBeyondTheCapAreDeadLetteredAndCountNowhere() throws Exception {
        Run run = Run.get();
        // At most the cap per pricing subtask (parallelism 2) was admitted while the burst's models
        // were all live.
        List<DeadLetter> capped =
                run.dead.stream().filter(d -> d.getReason().equals("TOO_MANY_MODELS")).toList();
        assertThat((long) capped.size()).isGreaterThanOrEqualTo(GARBAGE_MODELS - 2L * MODEL_CAP);
        assertThat(capped)
                .allSatisfy(
                        d -> {
                            assertThat(d.getSourceTopic()).isEqualTo(PREFIX + "events");
                            assertThat(d.getMessage()).contains("dc-spam");
                            assertThat(text(bytes(d.getKey()))).startsWith("spam-");
                            assertThat(
                                            Avro.decode(
                                                            bytes(d.getValue()),
                                                            io.carbonstream.schema.InferenceEvent
                                                                    .class)
                                                    .getModelId()
                                                    .toString())
                                    .startsWith("garbage-");
                        });
        Map<String, Long> liveModelsPerMinute =
                run.aggregates.keySet().stream()
                        .filter(k -> k.startsWith("MINUTE|DATACENTER_MODEL|dc-spam|"))
                        .collect(
                                Collectors.groupingBy(
                                        k -> k.substring(k.lastIndexOf('|') + 1),
                                        Collectors.counting()));
        assertThat(liveModelsPerMinute)
                .isNotEmpty()
                .allSatisfy((minute, n) -> assertThat(n).isLessThanOrEqualTo(2L * MODEL_CAP));
        long spamAggregated =
                run.aggregates.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("HOUR|DATACENTER|dc-spam|"))
                        .mapToLong(e -> e.getValue().getRequests())
                        .sum();
        assertThat(spamAggregated + capped.size()).isEqualTo(GARBAGE_MODELS);
        assertThat(run.sum("requestsTooManyModels")).isEqualTo(capped.size());
    }

    @Test
    void totalsEqualTheReferenceOverValidRequestsAndEveryInputIsAccountedFor(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        Run run = Run.get();
        // Never restarted: every task ran in its first attempt.
        for (AccessExecutionVertex v :
                cluster.getArchivedExecutionGraph(run.result.getJobID())
                        .get()
                        .getAllExecutionVertices()) {
            assertThat(v.getCurrentExecutionAttempt().getAttemptNumber())
                    .as(v.getTaskNameWithSubtaskIndex())
                    .isZero();
        }
        // The dead letters are the cases, the random records and the capped models: nothing valid
        // among them.
        long capped =
                run.dead.stream().filter(d -> d.getReason().equals("TOO_MANY_MODELS")).count();
        assertThat(run.dead).hasSize(cases().size() + RANDOM_RECORDS + (int) capped);
        assertThat(run.late).isEmpty();

        // Everything but the burst equals the reference over the valid requests (the implausible
        // meter reading is priced).
        Map<String, Aggregate> actual = new HashMap<>(run.aggregates);
        actual.keySet().removeIf(k -> k.contains("dc-spam") || k.contains("garbage-"));
        JobFixture.assertAggregatesEqual(actual, JobFixture.reference(S, run.valid));

        // Conservation, from the job's own counters and counted here from what was produced.
        // A rejected span and an OTLP record that does not parse are each one request read and
        // dead-lettered.
        long requestCases =
                cases().stream()
                        .filter(c -> c.topic().equals("events") || c.topic().equals("otlp"))
                        .count();
        long requestsSent = run.valid.size() + GARBAGE_MODELS + RANDOM_RECORDS + requestCases;
        assertThat(run.sum("requestsRead")).isEqualTo(requestsSent);
        assertThat(run.sum("requestsRead"))
                .isEqualTo(
                        run.sum("requestsAggregated")
                                + run.sum("requestsDeadLettered")
                                + run.sum("requestsUnknownDatacenter")
                                + run.sum("requestsTooManyModels")
                                + run.sum("requestsLate"));
        assertThat(run.sum("requestsUnknownDatacenter"))
                .isEqualTo(countOf(Reason.UNKNOWN_DATACENTER, "events"));
        assertThat(run.sum("requestsDeadLettered"))
                .isEqualTo(
                        RANDOM_RECORDS
                                + requestCases
                                - countOf(Reason.UNKNOWN_DATACENTER, "events"));
        assertThat(run.sum("requestsAggregated"))
                .isEqualTo(run.valid.size() + GARBAGE_MODELS - capped);
        assertThat(run.sum("requestsLate")).isZero();
        for (String control : List.of("intensity", "forecasts")) {
            long bad = cases().stream().filter(c -> c.topic().equals(control)).count();
            assertThat(run.sum("input." + control + ".recordsRead"))
                    .as(control)
                    .isEqualTo(run.input(control).size());
            assertThat(run.sum("input." + control + ".recordsDeadLettered"))
                    .as(control)
                    .isEqualTo(bad);
        }
        long certificates = run.input("certificates").size();
        assertThat(run.sum("certificateRecordsRead")).isEqualTo(certificates);
        assertThat(run.sum("certificateRecordsDeadLettered") + run.sum("ledgerCertificatesRead"))
                .isEqualTo(certificates);
        assertThat(run.sum("ledgerCertificatesRead"))
                .isEqualTo(
                        run.sum("ledgerCertificatesPlaced")
                                + run.sum("ledgerCertificatesDeadLettered"));
        assertThat(run.sum("ledgerCertificatesDeadLettered"))
                .isEqualTo(countOf(Reason.CERTIFICATE_OUTSIDE_BOUNDARY, "certificates"));
    }

    static long countOf(Reason reason, String topic) {
        return cases().stream()
                .filter(c -> c.reason() == reason && c.topic().equals(topic))
                .count();
    }

    /**
     * The one job run all tests read: inputs produced, the job run to its end, outputs read back.
     */
    static final class Run {
        private static Run run;
        private static Throwable failed;

        final JobExecutionResult result;
        final List<Scenario.Req> valid = new ArrayList<>(S.requests);
        final List<DeadLetter> dead;
        final List<DeadLetter> late;
        final Map<String, Aggregate> aggregates;
        private final JobFixture f;
        private final Map<String, List<ConsumerRecord<byte[], byte[]>>> inputs = new HashMap<>();

        static synchronized Run get() throws Exception {
            if (failed != null)
                throw new IllegalStateException("the shared job run failed", failed);
            if (run == null) {
                try {
                    run = new Run();
                } catch (Throwable t) {
                    failed = t;
                    throw t;
                }
            }
            return run;
        }

        private Run() throws Exception {
            f = new JobFixture(kafka, PREFIX);
            kafka.createTopics(
                    List.of(
                            new NewTopic(PREFIX + "otlp", 2, (short) 1),
                            new NewTopic(PREFIX + "gpu-energy", 1, (short) 1),
                            new NewTopic(PREFIX + "gpu-attribution", 1, (short) 1)));
            Map<String, List<KafkaIO.Raw>> bad = new HashMap<>();
            for (Case c : cases())
                bad.computeIfAbsent(c.topic(), t -> new ArrayList<>())
                        .add(new KafkaIO.Raw(c.key(), c.value()));

            // Events: the valid requests with every bad record spread among them.
            Random rnd = new Random(99);
            List<KafkaIO.Raw> badEvents = new ArrayList<>();
            for (int i = 0; i < RANDOM_RECORDS; i++) {
                byte[] junk = new byte[rnd.nextInt(300)];
                rnd.nextBytes(junk);
                badEvents.add(new KafkaIO.Raw(JobFixture.utf8("random-" + i), junk));
            }
            badEvents.addAll(bad.get("events"));
            // A meter reading no GPU could produce: priced with the estimate, never dead-lettered.
            Scenario.Req implausible =
                    changed(
                            BASE_REQ,
                            r -> {
                                r.id += "-implausible";
                                r.measured = 1e9;
                            });
            badEvents.add(JobFixture.event(implausible));
            valid.add(implausible);
            Map<Integer, KafkaIO.Raw> at = new HashMap<>();
            int slot = 1;
            for (KafkaIO.Raw r : badEvents) at.put(slot++ * 2, r);
            // Random model ids for one datacenter, in one burst: beyond the cap they are
            // dead-lettered, not kept in state.
            int burstAt = slot * 2 + 10;
            long burstTime =
                    S.requests
                            .get(burstAt - at.size())
                            .t(); // the valid request next to the burst in the topic
            for (int i = 0; i < GARBAGE_MODELS; i++) {
                at.put(
                        burstAt + i,
                        JobFixture.event(
                                Scenario.text(
                                        "spam-" + i,
                                        burstTime,
                                        "dc-spam",
                                        "garbage-" + i,
                                        10,
                                        10,
                                        1,
                                        1_000)));
            }
            f.produceScenario(S, at);
            for (String topic :
                    List.of(
                            "intensity",
                            "registry",
                            "forecasts",
                            "certificates",
                            "otlp",
                            "gpu-energy")) f.produce(topic, bad.get(topic));

            List<Scenario.Dc> dcs = new ArrayList<>(S.datacenters);
            dcs.add(new Scenario.Dc("dc-spam", "DE", 1.2, 1.0, null, null));
            Map<String, String> options =
                    new HashMap<>(
                            Map.of(
                                    "bounded",
                                    "true",
                                    "models.max-per-datacenter",
                                    String.valueOf(MODEL_CAP),
                                    "topic.otlp-spans",
                                    PREFIX + "otlp",
                                    "otlp.datacenter-rules",
                                    "cloud.region=us-west-*->dc-cal-1",
                                    "topic.gpu-energy",
                                    PREFIX + "gpu-energy",
                                    "topic.gpu-attribution",
                                    PREFIX + "gpu-attribution"));
            result =
                    JobFixture.runBounded(
                            "carbonstream-dead-letters",
                            f.config(JobFixture.writeRegistry(tmp, dcs), options));

            dead = f.deadLetters("dlq");
            late = f.deadLetters("late");
            aggregates = f.latestAggregates();
        }

        List<ConsumerRecord<byte[], byte[]>> input(String topic) {
            return inputs.computeIfAbsent(
                    topic, t -> KafkaIO.readAll(kafka.clientProperties(), PREFIX + t));
        }

        /** The dead letters that name this input record as their source. */
        List<DeadLetter> deadLettersOf(ConsumerRecord<byte[], byte[]> r) {
            return dead.stream()
                    .filter(
                            d ->
                                    d.getSourceTopic().equals(r.topic())
                                            && d.getSourcePartition() == r.partition()
                                            && d.getSourceOffset() == r.offset())
                    .toList();
        }

        long sum(String name) {
            return JobFixture.counter(METRICS, result.getJobID(), name);
        }
    }

    static byte[] key(String s) {
        return JobFixture.utf8(s);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(ByteBuffer b) {
        if (b == null) return null;
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** The base request with its id suffixed "-bad" and one field changed, as an event. */
    static byte[] event(Consumer<Fields> change) {
        return Avro.encode(
                Avro.event(
                        changed(
                                BASE_REQ,
                                r -> {
                                    r.id += "-bad";
                                    change.accept(r);
                                })));
    }

    /** A copy of a request with some of its fields changed. */
    static Scenario.Req changed(Scenario.Req r, Consumer<Fields> change) {
        Fields f = new Fields(r);
        change.accept(f);
        return new Scenario.Req(
                f.id,
                f.t,
                f.dc,
                f.model,
                r.modality(),
                f.in,
                f.out,
                r.images(),
                r.steps(),
                f.media,
                r.gpus(),
                r.durationMs(),
                f.measured,
                r.params());
    }

    /**
     * The fields of a request the cases change, to set one at a time ({@link Scenario.Req} is a
     * record: a copy would otherwise repeat all its components).
     */
    static final class Fields {
        String id;
        long t;
        String dc;
        String model;
        long in;
        long out;
        double media;
        Double measured;

        Fields(Scenario.Req r) {
            id = r.id();
            t = r.t();
            dc = r.dc();
            model = r.model();
            in = r.in();
            out = r.out();
            media = r.media();
            measured = r.measured();
        }
    }

    /**
     * Avro single-object encoding (C3 01, fingerprint, body) with a fingerprint of no schema the
     * job knows.
     */
    static byte[] singleObject(byte[] body) {
        return ByteBuffer.allocate(10 + body.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3)
                .put((byte) 0x01)
                .putLong(0x0123456789ABCDEFL)
                .put(body)
                .array();
    }

    static byte[] intensity(double g) {
        return Avro.encode(
                IntensityUpdate.newBuilder()
                        .setZone("DE")
                        .setValidFrom(Instant.ofEpochMilli(Scenario.BASE))
                        .setCarbonIntensity(g)
                        .build());
    }

    static byte[] forecast(long from, long to, long madeAt) {
        return Avro.encode(
                IntensityForecast.newBuilder()
                        .setZone("DE")
                        .setValidFrom(Instant.ofEpochMilli(from))
                        .setValidTo(Instant.ofEpochMilli(to))
                        .setCarbonIntensity(300)
                        .setForecastMadeAt(Instant.ofEpochMilli(madeAt))
                        .build());
    }

    static byte[] certificate(String id, String boundary, double mwh) {
        return Avro.encode(
                Certificate.newBuilder()
                        .setCertificateId(id)
                        .setMwh(mwh)
                        .setGenerationStart(Instant.ofEpochMilli(BASE_HOUR))
                        .setGridBoundary(boundary)
                        .setTechnology("WIND")
                        .setInstrument("PPA")
                        .setRetiredForDatacenter("dc-pl")
                        .build());
    }

    static byte[] gpuSample(String unit) {
        return Avro.encode(
                GpuEnergySample.newBuilder()
                        .setGpuId("gpu-0")
                        .setDatacenterId("dc-cal-1")
                        .setSampleTime(Instant.ofEpochMilli(Scenario.BASE))
                        .setCumulativeEnergy(1_000)
                        .setUnit(unit)
                        .build());
    }

    /** A one-span batch: the dead letter is the same batch, keyed by the span's request id. */
    static Case otlp(
            String name,
            String key,
            Map<String, String> resource,
            Span span,
            Reason reason,
            String detail) {
        byte[] batch = OtlpBatches.batch(resource, List.of(span)).toByteArray();
        return new Case(
                name,
                "otlp",
                key(key),
                batch,
                reason,
                detail,
                JobFixture.utf8(SpanMapping.requestId(span)),
                batch);
    }
}
