package io.carbonstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.demo.generator.TrafficOptions;
import io.carbonstream.generator.DatacenterSpec;
import io.carbonstream.generator.Fleet;
import io.carbonstream.generator.GeneratedRecord;
import io.carbonstream.generator.GeneratorSettings;
import io.carbonstream.generator.GpuCounters;
import io.carbonstream.generator.TrafficGenerator;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.it.KafkaIO;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.Dimension;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.GpuAttributionType;
import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.WindowKind;
import java.nio.charset.StandardCharsets;
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
import org.assertj.core.data.Offset;

/**
 * The embedded run end to end: in-process Kafka, the job on a local Flink, the generator with a
 * fixed seed and a bounded count. Every datacenter's per-minute aggregates, plus its requests on
 * the late-events topic, must add up to exactly what the generator produced, as counted here from
 * the generator's own records.
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
        // A fixed past start, so that the test can regenerate exactly what the run publishes: 20:40
        // UTC yesterday, so that
        // the run closes the hour 20:00-21:00 UTC, noon in California, when the solar PPA delivers.
        opts.start =
                Instant.ofEpochMilli(now)
                        .minus(1, ChronoUnit.DAYS)
                        .truncatedTo(ChronoUnit.DAYS)
                        .plus(Duration.ofMinutes(20 * 60 + 40));
        opts.fleetSize = 8;
        opts.models = 16;
        TrafficOptions.Plan plan = opts.plan(now);
        // As the demo command does: spans carry no GPU ids, so no counters with them.
        if (otlp)
            plan =
                    new TrafficOptions.Plan(
                            plan.settings().withGpuCounters(false), plan.pacer(), plan.replay());
        assertThat(plan.settings().certificates()).isTrue();

        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        DemoRun.Settings settings =
                new DemoRun.Settings(
                        plan,
                        COUNT,
                        Long.MAX_VALUE,
                        0,
                        2,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(3),
                        null,
                        false,
                        Duration.ofSeconds(2),
                        work,
                        otlp);
        List<String> sentRequestIds = Collections.synchronizedList(new ArrayList<>());
        DemoRun run =
                DemoRun.start(
                        settings,
                        r -> {
                            if (r.isRequest()) sentRequestIds.add(r.key());
                        },
                        System.out::println);
        Path session = run.sessionDir();
        try {
            // What the generator produces for this seed, computed from its own records, not from
            // the job.
            List<GeneratedRecord> expectedRecords =
                    new TrafficGenerator(plan.settings())
                            .records(COUNT, GeneratorSettings.defaultDrain());
            Map<String, Totals> expected = new TreeMap<>();
            for (DatacenterSpec d : plan.settings().fleet().datacenters())
                expected.put(d.id(), new Totals(0, 0, 0, 0));
            List<String> expectedIds = new ArrayList<>();
            for (GeneratedRecord r : expectedRecords) {
                if (!r.isRequest()) continue;
                InferenceEvent e = r.event();
                expectedIds.add(e.getRequestId());
                expected.merge(
                        e.getDatacenterId(),
                        new Totals(1, e.getInputTokens(), e.getOutputTokens(), e.getImages()),
                        (a, b) ->
                                a.plus(
                                        b.requests(),
                                        b.inputTokens(),
                                        b.outputTokens(),
                                        b.images()));
            }
            assertThat(expectedIds).hasSize((int) COUNT);
            // Late data is in the input: some requests are published more than 10 simulated minutes
            // after they
            // ran, behind the job's watermark (it trails intensity by 10 minutes): window revisions
            // or late events.
            long heldBack =
                    expectedRecords.stream()
                            .filter(GeneratedRecord::isRequest)
                            .filter(
                                    r ->
                                            r.publishAtMs()
                                                            - r.event()
                                                                    .getEventTime()
                                                                    .toEpochMilli()
                                                    > 10 * 60_000L)
                            .count();
            assertThat(heldBack).isPositive();

            assertThat(run.publisher().awaitDone(Duration.ofSeconds(60)))
                    .as("generator finished")
                    .isTrue();
            assertThat(run.publisher().stats().failure()).isNull();
            assertThat(sentRequestIds)
                    .as("the run published exactly the generator's records")
                    .containsExactlyElementsOf(expectedIds);

            // Poll until the job's committed output accounts for every request (or give up).
            Map<String, Totals> actual = Map.of();
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                actual = observed(run.bootstrapServers());
                if (actual.equals(expected)) break;
                Thread.sleep(1_000); // poll interval, not a synchronisation
            }
            assertThat(actual.keySet())
                    .as("every datacenter reached the output")
                    .containsExactlyElementsOf(expected.keySet());
            assertThat(actual).isEqualTo(expected);
            System.out.printf(
                    "%d requests from %d datacenters accounted for; %d published > 10 simulated"
                            + " minutes late, %d on the late-events topic%n",
                    COUNT,
                    expected.size(),
                    heldBack,
                    KafkaIO.readAll(run.bootstrapServers(), DemoTopics.LATE).size());
            assertThat(KafkaIO.readAll(run.bootstrapServers(), DemoTopics.DEAD_LETTERS))
                    .as("no dead letters")
                    .isEmpty();
            assertThat(run.jobStatus()).isEqualTo("RUNNING");

            long hour = opts.start.truncatedTo(ChronoUnit.HOURS).toEpochMilli();
            ledgerMatchesThePpaDeliveries(run.bootstrapServers(), hour, expectedRecords);
            if (plan.settings().gpuCounters()) {
                gpuAttributionMetersWhatTheCountersRead(
                        run.bootstrapServers(), hour, expectedRecords);
            }
            List<String> sections =
                    new ArrayList<>(
                            List.of(
                                    "GRID INTENSITY",
                                    "TOP DATACENTERS",
                                    "ALERTS",
                                    "LEDGER",
                                    "fleet (8 dc)",
                                    "dc-us-west-1 PPA"));
            if (plan.settings().gpuCounters()) sections.add("GPU ENERGY");
            // The view reads the same committed records on its own consumer: poll its frame until
            // it shows them.
            String frame = run.view().frame();
            long viewDeadline = System.currentTimeMillis() + 30_000;
            while (!sections.stream().allMatch(frame::contains)
                    && System.currentTimeMillis() < viewDeadline) {
                Thread.sleep(500); // poll interval, not a synchronisation
                frame = run.view().frame();
            }
            assertThat(frame).contains(sections);
            System.out.println(frame);
        } finally {
            run.close();
        }
        assertThat(session).as("session dir removed").doesNotExist();
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(
                        n -> n.equals("carbonstream-generator") || n.equals("carbonstream-view"));
    }

    /**
     * Per datacenter: latest revision of every MINUTE aggregate, plus the requests on the
     * late-events topic.
     */
    static Map<String, Totals> observed(String bootstrap) {
        Map<String, Aggregate> latest = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaIO.readAll(bootstrap, DemoTopics.AGGREGATES)) {
            Aggregate a = AvroCodec.decodeOne(r.value(), Aggregate.class);
            if (a.getWindow() != WindowKind.MINUTE || a.getDimension() != Dimension.DATACENTER)
                continue;
            latest.merge(
                    new String(r.key(), StandardCharsets.UTF_8),
                    a,
                    (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        Map<String, Totals> out = new TreeMap<>();
        for (Aggregate a : latest.values()) {
            out.merge(
                    a.getDatacenterId(),
                    new Totals(
                            a.getRequests(),
                            a.getInputTokens(),
                            a.getOutputTokens(),
                            a.getImages()),
                    (x, y) -> x.plus(y.requests(), y.inputTokens(), y.outputTokens(), y.images()));
        }
        for (ConsumerRecord<byte[], byte[]> r : KafkaIO.readAll(bootstrap, DemoTopics.LATE)) {
            DeadLetter d = AvroCodec.decodeOne(r.value(), DeadLetter.class);
            InferenceEvent e = AvroCodec.decodeOne(d.getValue().array(), InferenceEvent.class);
            out.merge(
                    e.getDatacenterId(),
                    new Totals(1, e.getInputTokens(), e.getOutputTokens(), e.getImages()),
                    (x, y) -> x.plus(y.requests(), y.inputTokens(), y.outputTokens(), y.images()));
        }
        return out;
    }

    /**
     * The hour's ledger rows of the two PPAs' datacenters, against the certificates the generator
     * published: the solar PPA retired for dc-us-west-1, the wind PPA retired for the organisation,
     * whose only datacenter in DE is dc-eu-central-1. Matched = min(load, delivery), the rest at
     * the demo's residual mix, the excess as surplus.
     */
    static void ledgerMatchesThePpaDeliveries(
            String bootstrap, long hour, List<GeneratedRecord> published) throws Exception {
        Map<String, Certificate> certificates = new TreeMap<>();
        for (GeneratedRecord r : published) {
            if (r.kind() != GeneratedRecord.Kind.CERTIFICATE
                    || r.certificate().getGenerationStart().toEpochMilli() != hour) continue;
            Certificate c = r.certificate();
            certificates.put(
                    c.getRetiredForDatacenter() != null
                            ? c.getRetiredForDatacenter()
                            : "dc-eu-central-1",
                    c);
        }
        assertThat(certificates.keySet())
                .as("a solar and a wind delivery for the hour")
                .containsExactly("dc-eu-central-1", "dc-us-west-1");
        assertThat(certificates.get("dc-us-west-1").getTechnology()).isEqualTo("SOLAR");
        assertThat(certificates.get("dc-eu-central-1").getRetiredForOrganisation())
                .isEqualTo(Fleet.ORGANISATION);
        Map<String, Double> residual = residualMix();

        // Poll until both rows carry the hour's load and its delivery (or give up).
        Map<String, LedgerEntry> rows = Map.of();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, LedgerEntry> current = ledgerRows(bootstrap, hour);
            rows = current;
            if (certificates.keySet().stream()
                    .map(current::get)
                    .allMatch(
                            e ->
                                    e != null
                                            && e.getAggregateRevision() > 0
                                            && e.getCertificates() > 0)) break;
            Thread.sleep(1_000); // poll interval, not a synchronisation
        }
        Map<String, Aggregate> hourAggregates = hourAggregates(bootstrap, hour);
        for (Map.Entry<String, Certificate> c : certificates.entrySet()) {
            LedgerEntry e = rows.get(c.getKey());
            assertThat(e).as("ledger row of %s", c.getKey()).isNotNull();
            assertThat(e.getAggregateRevision()).isPositive();
            double delivered = c.getValue().getMwh() * 1000;
            double load = e.getFacilityKwh();
            assertThat(load).isEqualTo(hourAggregates.get(c.getKey()).getFacilityKwh());
            assertThat(e.getCertificates()).isEqualTo(1);
            assertThat(e.getCertificateKwh()).isCloseTo(delivered, Offset.offset(1e-9));
            assertThat(e.getMatchedKwh())
                    .as("matched energy of %s", c.getKey())
                    .isPositive()
                    .isCloseTo(Math.min(load, delivered), Offset.offset(1e-9));
            assertThat(e.getUnmatchedKwh())
                    .isCloseTo(load - Math.min(load, delivered), Offset.offset(1e-9));
            assertThat(e.getSurplusKwh())
                    .isCloseTo(Math.max(0, delivered - load), Offset.offset(1e-9));
            assertThat(e.getResidualMixSource())
                    .isEqualTo("TABLE:demo-illustrative (not a published residual mix)");
            assertThat(e.getMarketGco2e())
                    .isCloseTo(
                            (load - Math.min(load, delivered)) * residual.get(e.getZone()),
                            Offset.offset(1e-6));
            System.out.printf(
                    "ledger %s %s: %.3f kWh, PPA %.3f kWh, matched %.3f, surplus %.3f, location"
                            + " %.1f g, market %.1f g%n",
                    c.getKey(),
                    Instant.ofEpochMilli(hour),
                    load,
                    delivered,
                    e.getMatchedKwh(),
                    e.getSurplusKwh(),
                    e.getLocationGco2e(),
                    e.getMarketGco2e());
        }
    }

    /** The hour's ledger rows by datacenter, latest revision of each (read_committed). */
    static Map<String, LedgerEntry> ledgerRows(String bootstrap, long hour) {
        Map<String, LedgerEntry> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaIO.readAll(bootstrap, DemoTopics.LEDGER)) {
            if (r.value() == null) continue;
            LedgerEntry e = AvroCodec.decodeOne(r.value(), LedgerEntry.class);
            if (e.getHourStart().toEpochMilli() != hour) continue;
            out.merge(e.getDatacenterId(), e, (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        return out;
    }

    static Map<String, Aggregate> hourAggregates(String bootstrap, long hour) {
        Map<String, Aggregate> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaIO.readAll(bootstrap, DemoTopics.AGGREGATES)) {
            Aggregate a = AvroCodec.decodeOne(r.value(), Aggregate.class);
            if (a.getWindow() != WindowKind.HOUR
                    || a.getDimension() != Dimension.DATACENTER
                    || a.getWindowStart().toEpochMilli() != hour) continue;
            out.merge(a.getDatacenterId(), a, (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        return out;
    }

    /** The demo's residual-mix table, zone to g/kWh, read from its resource. */
    static Map<String, Double> residualMix() throws Exception {
        Map<String, Double> out = new TreeMap<>();
        try (var in = DemoRun.class.getResourceAsStream("/ledger/" + DemoRun.RESIDUAL_MIX_FILE)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("zone,")) continue;
                String[] f = line.split(",", 3);
                out.put(f[0], Double.parseDouble(f[1]));
            }
        }
        return out;
    }

    /**
     * The hour of dc-us-west-1's metered GPUs: the energy the job meters equals the counter
     * differences the generator published in the hour (a reset counts its new reading), attributed
     * + idle = metered, and the reboot shows.
     */
    static void gpuAttributionMetersWhatTheCountersRead(
            String bootstrap, long hour, List<GeneratedRecord> published) throws Exception {
        Map<String, TreeMap<Long, Double>> readings = new TreeMap<>();
        for (GeneratedRecord r : published) {
            if (r.kind() != GeneratedRecord.Kind.GPU_ENERGY) continue;
            GpuEnergySample s = r.gpuSample();
            readings.computeIfAbsent(s.getGpuId(), g -> new TreeMap<>())
                    .put(s.getSampleTime().toEpochMilli(), s.getCumulativeEnergy());
        }
        double expectedJ = 0;
        int resets = 0;
        for (TreeMap<Long, Double> rs : readings.values()) {
            Map.Entry<Long, Double> prev = null;
            for (Map.Entry<Long, Double> e :
                    rs.subMap(hour, true, hour + 3_600_000L, true).entrySet()) {
                if (prev != null) {
                    boolean reset = e.getValue() < prev.getValue();
                    if (reset) resets++;
                    expectedJ +=
                            (reset ? e.getValue() : e.getValue() - prev.getValue()) / 1000; // mJ
                }
                prev = e;
            }
        }
        assertThat(resets).as("the rebooted host's GPUs").isEqualTo(GpuCounters.GPUS_PER_HOST);

        GpuAttribution dcHour = null;
        List<GpuAttribution> models = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            Map<String, GpuAttribution> latest = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r :
                    KafkaIO.readAll(bootstrap, DemoTopics.GPU_ATTRIBUTION)) {
                if (r.value() == null) continue;
                latest.merge(
                        new String(r.key(), StandardCharsets.UTF_8),
                        AvroCodec.decodeOne(r.value(), GpuAttribution.class),
                        (x, y) -> y.getRevision() > x.getRevision() ? y : x);
            }
            dcHour =
                    latest.values().stream()
                            .filter(
                                    a ->
                                            a.getRecordType() == GpuAttributionType.DATACENTER_HOUR
                                                    && a.getDatacenterId().equals("dc-us-west-1")
                                                    && a.getHourStart().toEpochMilli() == hour)
                            .findFirst()
                            .orElse(null);
            models =
                    latest.values().stream()
                            .filter(
                                    a ->
                                            a.getRecordType() == GpuAttributionType.MODEL_HOUR
                                                    && a.getHourStart().toEpochMilli() == hour)
                            .toList();
            if (dcHour != null && dcHour.getGpus() == readings.size()) break;
            Thread.sleep(1_000); // poll interval, not a synchronisation
        }
        assertThat(dcHour).as("DATACENTER_HOUR of dc-us-west-1").isNotNull();
        assertThat(dcHour.getGpus()).isEqualTo(GpuCounters.HOSTS * GpuCounters.GPUS_PER_HOST);
        assertThat(dcHour.getMeteredJ()).isCloseTo(expectedJ, Offset.offset(1e-6 * expectedJ));
        assertThat(dcHour.getAttributedJ() + dcHour.getIdleJ())
                .isCloseTo(dcHour.getMeteredJ(), Offset.offset(1e-9 * dcHour.getMeteredJ()));
        assertThat(dcHour.getAttributedJ()).isPositive();
        assertThat(dcHour.getIdleJ()).isPositive();
        assertThat(dcHour.getResets()).isEqualTo(resets);
        assertThat(models)
                .as("models with a metered/estimated ratio")
                .anyMatch(m -> m.getMeteredToEstimated() != null);
        System.out.printf(
                "GPU hour %s: metered %.1f J (counters: %.1f J), attributed %.1f J, idle %.1f J, %d"
                        + " resets, %d models%n",
                Instant.ofEpochMilli(hour),
                dcHour.getMeteredJ(),
                expectedJ,
                dcHour.getAttributedJ(),
                dcHour.getIdleJ(),
                dcHour.getResets(),
                models.size());
    }
}
