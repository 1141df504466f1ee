package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.DeadLetter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Topics, inputs and committed outputs of one job run on a real broker, named by a prefix. */
final class JobFixture {

    static final double REL = 1e-9;
    static final java.time.Duration PATIENCE = java.time.Duration.ofMinutes(3);

    final EmbeddedKafka kafka;
    final String prefix;

    /**
     * A topic of a run: its option, its name after the prefix, its partitions, and whether the job
     * writes it (a second run's outputs go elsewhere, see {@link #outputsTo}).
     */
    record Topic(String option, String name, int partitions, boolean output) {}

    static final List<Topic> TOPICS =
            List.of(
                    new Topic("topic.events", "events", 2, false),
                    new Topic("topic.intensity", "intensity", 1, false),
                    new Topic("topic.registry", "registry", 1, false),
                    new Topic("topic.aggregates", "aggregates", 2, true),
                    new Topic("topic.dead-letters", "dlq", 1, true),
                    new Topic("topic.late-events", "late", 1, true),
                    new Topic("topic.alerts", "alerts", 1, true),
                    new Topic("topic.restatements", "restatements", 1, true),
                    new Topic("topic.certificates", "certificates", 1, false),
                    new Topic("topic.forecasts", "forecasts", 1, false),
                    new Topic("topic.ledger", "ledger", 2, true));

    /**
     * Options of an unbounded run that answers promptly: frequent checkpoints (outputs are
     * transactional, visible at each), an intensity source idle after a second, every topic from
     * its start.
     */
    static final Map<String, String> PROMPT =
            Map.of(
                    "checkpoint-interval", "500 ms",
                    "intensity.idle-timeout", "1 s",
                    "start-from", "EARLIEST");

    JobFixture(EmbeddedKafka kafka, String prefix) {
        this.kafka = kafka;
        this.prefix = prefix;
        kafka.createTopics(
                TOPICS.stream()
                        .map(t -> new NewTopic(prefix + t.name(), t.partitions(), (short) 1))
                        .toList());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static KafkaIO.Raw event(Scenario.Req r) {
        return new KafkaIO.Raw(utf8(r.id()), Avro.encode(Avro.event(r)));
    }

    /** An intensity update as the intensity topic holds it, keyed by its zone. */
    static KafkaIO.Raw update(Scenario.Upd u) {
        return new KafkaIO.Raw(utf8(u.zone()), Avro.encode(Avro.update(u)));
    }

    void produce(String topic, List<KafkaIO.Raw> records) {
        KafkaIO.produce(kafka.clientProperties(), prefix + topic, records, null);
    }

    void produceIntensity(List<Scenario.Upd> updates) {
        produce("intensity", updates.stream().map(JobFixture::update).toList());
    }

    /**
     * Produces the scenario's intensity updates and events (plus extra events at the given
     * positions).
     */
    void produceScenario(Scenario s, Map<Integer, KafkaIO.Raw> extraEvents) {
        produceIntensity(s.intensity);
        List<KafkaIO.Raw> events = new ArrayList<>();
        for (Scenario.Req r : s.requests) events.add(event(r));
        new java.util.TreeMap<>(extraEvents)
                .forEach((at, raw) -> events.add(Math.min(at, events.size()), raw));
        produce("events", events);
    }

    /**
     * Produces one request at event time t to every events partition, so that every partition's
     * watermark passes t - out-of-orderness without relying on idleness. Returns the requests (they
     * count like any other).
     */
    List<Scenario.Req> pushWatermark(String id, long t) {
        List<Scenario.Req> sent = new ArrayList<>();
        for (int partition = 0; partition < 2; partition++) {
            Scenario.Req r =
                    Scenario.text(
                            id + "-p" + partition, t, "dc-de", "llama-3.1-8b", 100, 200, 1, 1_000);
            KafkaIO.produce(
                    kafka.clientProperties(), prefix + "events", List.of(event(r)), partition);
            sent.add(r);
        }
        return sent;
    }

    static Path writeRegistry(Path dir, List<Scenario.Dc> dcs) throws IOException {
        StringBuilder json = new StringBuilder("[");
        for (Scenario.Dc d : dcs) {
            if (json.length() > 1) json.append(',');
            json.append(
                    String.format(
                            Locale.ROOT,
                            "{\"datacenter_id\":\"%s\",\"zone\":\"%s\",\"pue\":%s,\"wue_l_per_kwh\":%s,\"it_overhead\":%s,\"market_factor_g_per_kwh\":%s}",
                            d.id(),
                            d.zone(),
                            d.pue(),
                            d.wue(),
                            d.itOverhead(),
                            d.market()));
        }
        Path f = dir.resolve("registry.json");
        Files.writeString(f, json.append(']').toString());
        return f;
    }

    /** The job options of this fixture's topics; {@code extra} adds or overrides. */
    Map<String, String> config(Path registry, Map<String, String> extra) {
        Map<String, String> c = new HashMap<>();
        c.put("bootstrap-servers", kafka.bootstrapServers());
        for (Topic t : TOPICS) c.put(t.option(), prefix + t.name());
        c.put("transactional-id-prefix", prefix + "tx");
        c.put("group-id", prefix + "group");
        c.put("parallelism", "2");
        c.put("checkpoint-interval", "1 s");
        if (registry != null) c.put("registry-file", registry.toString());
        c.put("intensity.max-age", "20 min");
        c.put("intensity.zone-defaults", "XX-NODATA:600");
        c.putAll(extra);
        return c;
    }

    /**
     * Options that send a run's outputs to another fixture's topics (a second run over the same
     * inputs).
     */
    Map<String, String> outputsTo(JobFixture other) {
        Map<String, String> c = new HashMap<>();
        for (Topic t : TOPICS) if (t.output()) c.put(t.option(), other.prefix + t.name());
        c.put("transactional-id-prefix", other.prefix + "tx");
        c.put("group-id", other.prefix + "group");
        return c;
    }

    /** Whether {@link #assertAggregatesEqual} holds (for awaiting a condition). */
    static boolean aggregatesEqual(
            Map<String, Aggregate> actual, Map<String, Reference.Agg> expected) {
        try {
            assertAggregatesEqual(actual, expected);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** Every committed aggregate record, keyed and in topic order. */
    List<Map.Entry<String, Aggregate>> aggregateRecords() {
        List<Map.Entry<String, Aggregate>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(kafka.clientProperties(), prefix + "aggregates")) {
            out.add(
                    Map.entry(
                            new String(rec.key(), StandardCharsets.UTF_8),
                            Avro.decode(rec.value(), Aggregate.class)));
        }
        return out;
    }

    /** The latest revision of every key, as a compacted topic keeps it. */
    Map<String, Aggregate> latestAggregates() {
        Map<String, Aggregate> latest = new HashMap<>();
        for (Map.Entry<String, Aggregate> e : aggregateRecords()) {
            latest.merge(
                    e.getKey(), e.getValue(), (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        return latest;
    }

    /**
     * Publishes registry versions on the registry topic, keyed datacenter_id@effective_from (every
     * version kept).
     */
    void produceRegistry(List<Scenario.Dc> dcs, Long effectiveFrom) {
        List<KafkaIO.Raw> records = new ArrayList<>();
        for (Scenario.Dc d : dcs) {
            String key = effectiveFrom == null ? d.id() : d.id() + "@" + effectiveFrom;
            records.add(new KafkaIO.Raw(utf8(key), Avro.encode(Avro.datacenter(d, effectiveFrom))));
        }
        produce("registry", records);
    }

    /**
     * Publishes datacenters as a producer still on the first Datacenter schema (no effective_from)
     * writes them.
     */
    void produceRegistryFirstSchema(List<Scenario.Dc> dcs) throws Exception {
        Schema v1 =
                io.carbonstream.ingest.SchemaHistory.olderWriters(
                                io.carbonstream.schema.Datacenter.getClassSchema())
                        .get(0);
        List<KafkaIO.Raw> records = new ArrayList<>();
        for (Scenario.Dc d : dcs)
            records.add(new KafkaIO.Raw(utf8(d.id()), plainAvro(v1, firstSchema(v1, d))));
        produce("registry", records);
    }

    /** A datacenter in the first Datacenter schema {@code v1} (no effective_from). */
    static GenericRecord firstSchema(Schema v1, Scenario.Dc d) {
        GenericRecord r = new GenericData.Record(v1);
        r.put("datacenter_id", d.id());
        r.put("zone", d.zone());
        r.put("pue", d.pue());
        r.put("wue_l_per_kwh", d.wue());
        r.put("it_overhead", d.itOverhead());
        r.put("market_factor_g_per_kwh", d.market());
        return r;
    }

    /** A generic record in plain Avro binary with the writer schema given. */
    static byte[] plainAvro(Schema schema, GenericRecord r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    /** Every committed record of one of this fixture's topics, decoded, in topic order. */
    <T extends SpecificRecord> List<T> records(String topic, Class<T> type) {
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(kafka.clientProperties(), prefix + topic)) {
            out.add(Avro.decode(rec.value(), type));
        }
        return out;
    }

    List<io.carbonstream.schema.Restatement> restatements() {
        return records("restatements", io.carbonstream.schema.Restatement.class);
    }

    /** The SUMMARY records of the restatements topic: one per correction the job handled. */
    List<io.carbonstream.schema.Restatement> summaries() {
        return restatements().stream()
                .filter(
                        r ->
                                r.getRecordType()
                                        == io.carbonstream.schema.RestatementRecordType.SUMMARY)
                .toList();
    }

    /** A counter of the job summed over its subtasks, from the metrics a reporter kept. */
    static long counter(InMemoryReporter metrics, JobID job, String name) {
        return metrics.findMetrics(job, name).entrySet().stream()
                .filter(
                        e ->
                                e.getKey().endsWith("carbonstream." + name)
                                        && e.getValue() instanceof Counter)
                .mapToLong(e -> ((Counter) e.getValue()).getCount())
                .sum();
    }

    List<DeadLetter> deadLetters(String topic) {
        return records(topic, DeadLetter.class);
    }

    /**
     * Starts the unbounded job with this fixture's options, {@link #PROMPT} and {@code extra}
     * (which adds or overrides); {@code tap} sees the requests after ingest.
     */
    JobClient start(
            String name,
            Path registry,
            Map<String, String> extra,
            UnaryOperator<DataStream<RequestEnvelope>> tap)
            throws Exception {
        Map<String, String> options = new HashMap<>(PROMPT);
        options.putAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CarbonStreamJob.build(env, JobConfig.fromMap(config(registry, options)), tap);
        return env.executeAsync(name);
    }

    JobClient start(String name, Path registry, Map<String, String> extra) throws Exception {
        return start(name, registry, extra, UnaryOperator.identity());
    }

    /** Runs the job to its end with the options given (complete: see {@link #config}). */
    static JobExecutionResult runBounded(String name, Map<String, String> options)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CarbonStreamJob.build(env, JobConfig.fromMap(options));
        return env.execute(name);
    }

    static Map<String, Reference.Agg> reference(Scenario s, List<Scenario.Req> requests) {
        return new Reference(s, Map.of("XX-NODATA", 600.0), 473.0, 20 * Scenario.MIN)
                .aggregates(requests);
    }

    /** Every expected window is present with the expected values, and nothing else is. */
    static void assertAggregatesEqual(
            Map<String, Aggregate> actual, Map<String, Reference.Agg> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Reference.Agg> e : expected.entrySet()) {
            Aggregate a = actual.get(e.getKey());
            Reference.Agg x = e.getValue();
            String k = e.getKey();
            assertThat(a.getRequests()).as(k).isEqualTo(x.requests);
            assertThat(a.getInputTokens()).as(k).isEqualTo(x.in);
            assertThat(a.getOutputTokens()).as(k).isEqualTo(x.out);
            assertThat(a.getImages()).as(k).isEqualTo(x.images);
            close(k + " media", a.getMediaSeconds(), x.media);
            close(k + " gpuJ", a.getGpuJoules(), x.gpuJ);
            close(k + " kwh", a.getFacilityKwh(), x.kwh);
            close(k + " gCO2e", a.getLocationGco2e(), x.g);
            close(k + " water", a.getWaterL(), x.water);
            close(k + " mean intensity", a.getMeanIntensity(), x.g / x.kwh);
            close(k + " min", a.getMinIntensity(), x.min);
            close(k + " max", a.getMaxIntensity(), x.max);
            close(k + " measured share", a.getMeasuredEnergyShare(), x.measuredJ / x.gpuJ);
            close(
                    k + " measurement rejected share",
                    a.getMeasurementRejectedShare(),
                    x.rejectedJ / x.gpuJ);
            close(k + " fallback share", a.getFallbackShare(), x.fallbackKwh / x.kwh);
            close(k + " stale share", a.getStaleShare(), x.staleKwh / x.kwh);
            if (x.marketRequests == x.requests) close(k + " market", a.getMarketGco2e(), x.marketG);
            else assertThat(a.getMarketGco2e()).as(k + " market").isNull();
            assertThat(a.getMethodology()).startsWith("carbonstream-1/catalog-");
        }
    }

    static void close(String what, double actual, double expected) {
        assertThat(actual)
                .as(what)
                .isCloseTo(expected, within(Math.max(Math.abs(expected) * REL, 1e-12)));
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(200); // polling interval, not synchronisation: the condition decides
        }
    }
}
