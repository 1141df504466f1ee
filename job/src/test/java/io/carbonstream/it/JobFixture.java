package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.DeadLetter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Topics, inputs and committed outputs of one job run on a real broker, named by a prefix. */
final class JobFixture {

    static final double REL = 1e-9;
    static final java.time.Duration PATIENCE = java.time.Duration.ofMinutes(3);

    final EmbeddedKafka kafka;
    final String prefix;

    JobFixture(EmbeddedKafka kafka, String prefix) {
        this.kafka = kafka;
        this.prefix = prefix;
        kafka.createTopics(
                List.of(
                        new NewTopic(prefix + "events", 2, (short) 1),
                        new NewTopic(prefix + "intensity", 1, (short) 1),
                        new NewTopic(prefix + "registry", 1, (short) 1),
                        new NewTopic(prefix + "aggregates", 2, (short) 1),
                        new NewTopic(prefix + "dlq", 1, (short) 1),
                        new NewTopic(prefix + "late", 1, (short) 1),
                        new NewTopic(prefix + "alerts", 1, (short) 1),
                        new NewTopic(prefix + "restatements", 1, (short) 1),
                        new NewTopic(prefix + "certificates", 1, (short) 1),
                        new NewTopic(prefix + "forecasts", 1, (short) 1),
                        new NewTopic(prefix + "ledger", 2, (short) 1)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static KafkaIO.Raw event(Scenario.Req r) {
        return new KafkaIO.Raw(utf8(r.id()), Avro.encode(Avro.event(r)));
    }

    void produce(String topic, List<KafkaIO.Raw> records) {
        KafkaIO.produce(kafka.clientProperties(), prefix + topic, records, null);
    }

    /**
     * Produces the scenario's intensity updates and events (plus extra events at the given
     * positions).
     */
    void produceScenario(Scenario s, Map<Integer, KafkaIO.Raw> extraEvents) {
        List<KafkaIO.Raw> updates = new ArrayList<>();
        for (Scenario.Upd u : s.intensity)
            updates.add(new KafkaIO.Raw(utf8(u.zone()), Avro.encode(Avro.update(u))));
        produce("intensity", updates);
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
                    new Scenario.Req(
                            id + "-p" + partition,
                            t,
                            "dc-de",
                            "llama-3.1-8b",
                            "TEXT",
                            100,
                            200,
                            0,
                            0,
                            0,
                            1,
                            1_000,
                            null,
                            null);
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
        c.put("topic.events", prefix + "events");
        c.put("topic.intensity", prefix + "intensity");
        c.put("topic.registry", prefix + "registry");
        c.put("topic.aggregates", prefix + "aggregates");
        c.put("topic.dead-letters", prefix + "dlq");
        c.put("topic.late-events", prefix + "late");
        c.put("topic.alerts", prefix + "alerts");
        c.put("topic.restatements", prefix + "restatements");
        c.put("topic.certificates", prefix + "certificates");
        c.put("topic.forecasts", prefix + "forecasts");
        c.put("topic.ledger", prefix + "ledger");
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
        for (String[] t :
                new String[][] {
                    {"topic.aggregates", "aggregates"},
                    {"topic.dead-letters", "dlq"},
                    {"topic.late-events", "late"},
                    {"topic.alerts", "alerts"},
                    {"topic.restatements", "restatements"},
                    {"topic.ledger", "ledger"}
                }) {
            c.put(t[0], other.prefix + t[1]);
        }
        c.put("transactional-id-prefix", other.prefix + "tx");
        c.put("group-id", other.prefix + "group");
        return c;
    }

    /** End (exclusive) of the window an aggregate key names: window|dimension|dc|model|start. */
    static long windowEnd(String key) {
        long start = Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
        return start + (key.startsWith("MINUTE|") ? Scenario.MIN : 60 * Scenario.MIN);
    }

    /** The entries of windows ending at or before {@code end}. */
    static <V> Map<String, V> endingBy(Map<String, V> windows, long end) {
        Map<String, V> out = new HashMap<>();
        windows.forEach(
                (k, v) -> {
                    if (windowEnd(k) <= end) out.put(k, v);
                });
        return out;
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
        org.apache.avro.Schema v1 =
                io.carbonstream.ingest.SchemaHistory.olderWriters(
                                io.carbonstream.schema.Datacenter.getClassSchema())
                        .get(0);
        List<KafkaIO.Raw> records = new ArrayList<>();
        for (Scenario.Dc d : dcs) {
            org.apache.avro.generic.GenericRecord r =
                    new org.apache.avro.generic.GenericData.Record(v1);
            r.put("datacenter_id", d.id());
            r.put("zone", d.zone());
            r.put("pue", d.pue());
            r.put("wue_l_per_kwh", d.wue());
            r.put("it_overhead", d.itOverhead());
            r.put("market_factor_g_per_kwh", d.market());
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            org.apache.avro.io.BinaryEncoder enc =
                    org.apache.avro.io.EncoderFactory.get().binaryEncoder(out, null);
            new org.apache.avro.generic.GenericDatumWriter<org.apache.avro.generic.GenericRecord>(
                            v1)
                    .write(r, enc);
            enc.flush();
            records.add(new KafkaIO.Raw(utf8(d.id()), out.toByteArray()));
        }
        produce("registry", records);
    }

    List<io.carbonstream.schema.Restatement> restatements() {
        List<io.carbonstream.schema.Restatement> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(kafka.clientProperties(), prefix + "restatements")) {
            out.add(Avro.decode(rec.value(), io.carbonstream.schema.Restatement.class));
        }
        return out;
    }

    List<DeadLetter> deadLetters(String topic) {
        List<DeadLetter> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(kafka.clientProperties(), prefix + topic)) {
            out.add(Avro.decode(rec.value(), DeadLetter.class));
        }
        return out;
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
