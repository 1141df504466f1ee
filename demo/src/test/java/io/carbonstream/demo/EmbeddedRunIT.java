package io.carbonstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.demo.generator.DatacenterSpec;
import io.carbonstream.demo.generator.GeneratedRecord;
import io.carbonstream.demo.generator.GeneratorSettings;
import io.carbonstream.demo.generator.TrafficGenerator;
import io.carbonstream.demo.generator.TrafficOptions;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.Dimension;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.WindowKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The embedded run end to end: in-process Kafka, the job on a local Flink, the generator with a
 * fixed seed and a bounded count. Every datacenter's per-minute aggregates, plus its requests on the
 * late-events topic, must add up to exactly what the generator produced, as counted here from the
 * generator's own records.
 */
class EmbeddedRunIT {

    static final long COUNT = 6_000;

    /** Per-datacenter totals; a record so that a mismatch prints every field. */
    record Totals(long requests, long inputTokens, long outputTokens, long images) {
        Totals plus(long r, long in, long out, long img) {
            return new Totals(requests + r, inputTokens + in, outputTokens + out, images + img);
        }
    }

    /** Requests as Avro events, and as OpenTelemetry spans (--events-as otlp): the same totals. */
    @org.junit.jupiter.params.ParameterizedTest(name = "requests as OTLP spans: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void everyDatacenterReachesTheOutputWithTheGeneratorsTotals(boolean otlp) throws Exception {
        long now = System.currentTimeMillis();
        TrafficOptions opts = new TrafficOptions();
        opts.rate = 600;
        opts.speedup = 180;
        opts.count = COUNT;
        opts.seed = 20261130L;
        // A fixed past start, so that the test can regenerate exactly what the run publishes.
        opts.start = Instant.ofEpochMilli(now).minus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.HOURS);
        opts.fleetSize = 8;
        opts.models = 16;
        TrafficOptions.Plan plan = opts.plan(now);

        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        DemoRun.Settings settings = new DemoRun.Settings(plan, COUNT, Long.MAX_VALUE, 0, 2, Duration.ofSeconds(2), Duration.ofSeconds(3),
                null, false, Duration.ofSeconds(2), work, otlp);
        List<String> sentRequestIds = Collections.synchronizedList(new ArrayList<>());
        DemoRun run = DemoRun.start(settings, r -> {
            if (r.isRequest()) sentRequestIds.add(r.key());
        }, System.out::println);
        Path session = run.sessionDir();
        try {
            // What the generator produces for this seed, computed from its own records, not from the job.
            List<GeneratedRecord> expectedRecords = new TrafficGenerator(plan.settings()).records(COUNT, GeneratorSettings.defaultDrain());
            Map<String, Totals> expected = new TreeMap<>();
            for (DatacenterSpec d : plan.settings().fleet().datacenters()) expected.put(d.id(), new Totals(0, 0, 0, 0));
            List<String> expectedIds = new ArrayList<>();
            for (GeneratedRecord r : expectedRecords) {
                if (!r.isRequest()) continue;
                InferenceEvent e = r.event();
                expectedIds.add(e.getRequestId());
                expected.merge(e.getDatacenterId(), new Totals(1, e.getInputTokens(), e.getOutputTokens(), e.getImages()),
                        (a, b) -> a.plus(b.requests(), b.inputTokens(), b.outputTokens(), b.images()));
            }
            assertThat(expectedIds).hasSize((int) COUNT);
            // Late data is in the input: some requests are published more than 10 simulated minutes after they
            // ran, behind the job's watermark (it trails intensity by 10 minutes): window revisions or late events.
            long heldBack = expectedRecords.stream().filter(GeneratedRecord::isRequest)
                    .filter(r -> r.publishAtMs() - r.event().getEventTime().toEpochMilli() > 10 * 60_000L).count();
            assertThat(heldBack).isPositive();

            assertThat(run.publisher().awaitDone(Duration.ofSeconds(60))).as("generator finished").isTrue();
            assertThat(run.publisher().stats().failure()).isNull();
            assertThat(sentRequestIds).as("the run published exactly the generator's records").containsExactlyElementsOf(expectedIds);

            // Poll until the job's committed output accounts for every request (or give up).
            Map<String, Totals> actual = Map.of();
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                actual = observed(run.bootstrapServers());
                if (actual.equals(expected)) break;
                Thread.sleep(1_000); // poll interval, not a synchronisation
            }
            assertThat(actual.keySet()).as("every datacenter reached the output").containsExactlyElementsOf(expected.keySet());
            assertThat(actual).isEqualTo(expected);
            System.out.printf("%d requests from %d datacenters accounted for; %d published > 10 simulated minutes late, %d on the late-events topic%n",
                    COUNT, expected.size(), heldBack, TopicReader.committed(run.bootstrapServers(), DemoTopics.LATE).size());
            assertThat(TopicReader.committed(run.bootstrapServers(), DemoTopics.DEAD_LETTERS)).as("no dead letters").isEmpty();
            assertThat(run.jobStatus()).isEqualTo("RUNNING");
            assertThat(run.view().frame()).contains("GRID INTENSITY", "TOP DATACENTERS", "ALERTS");
        } finally {
            run.close();
        }
        assertThat(session).as("session dir removed").doesNotExist();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(n -> n.equals("carbonstream-generator") || n.equals("carbonstream-view"));
    }

    /** Per datacenter: latest revision of every MINUTE aggregate, plus the requests on the late-events topic. */
    static Map<String, Totals> observed(String bootstrap) {
        Map<String, Aggregate> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.committed(bootstrap, DemoTopics.AGGREGATES)) {
            Aggregate a = AvroCodec.decodeOne(r.value(), Aggregate.class);
            if (a.getWindow() != WindowKind.MINUTE || a.getDimension() != Dimension.DATACENTER) continue;
            latest.merge(new String(r.key(), StandardCharsets.UTF_8), a, (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        Map<String, Totals> out = new TreeMap<>();
        for (Aggregate a : latest.values()) {
            out.merge(a.getDatacenterId(), new Totals(a.getRequests(), a.getInputTokens(), a.getOutputTokens(), a.getImages()),
                    (x, y) -> x.plus(y.requests(), y.inputTokens(), y.outputTokens(), y.images()));
        }
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.committed(bootstrap, DemoTopics.LATE)) {
            DeadLetter d = AvroCodec.decodeOne(r.value(), DeadLetter.class);
            InferenceEvent e = AvroCodec.decodeOne(d.getValue().array(), InferenceEvent.class);
            out.merge(e.getDatacenterId(), new Totals(1, e.getInputTokens(), e.getOutputTokens(), e.getImages()),
                    (x, y) -> x.plus(y.requests(), y.inputTokens(), y.outputTokens(), y.images()));
        }
        return out;
    }
}
