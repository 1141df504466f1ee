package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a real Kafka broker and a Flink MiniCluster at parallelism 2, in bounded mode:
 * every committed aggregate must equal the independent reference computation.
 */
class CarbonStreamIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) kafka.close();
    }

    static final double REL = 1e-9;

    @Test
    void aggregatesEqualTheReferenceComputation(@TempDir Path tmp) throws Exception {
        String p = "core.";
        kafka.createTopics(List.of(
                new NewTopic(p + "events", 2, (short) 1),
                new NewTopic(p + "intensity", 1, (short) 1),
                new NewTopic(p + "registry", 1, (short) 1),
                new NewTopic(p + "aggregates", 2, (short) 1),
                new NewTopic(p + "dlq", 1, (short) 1),
                new NewTopic(p + "late", 1, (short) 1)));

        Scenario s = new Scenario(42, 12_000, 75 * Scenario.MIN, 4_000);
        List<KafkaIO.Raw> events = new ArrayList<>();
        for (Scenario.Req r : s.requests) events.add(new KafkaIO.Raw(utf8(r.id()), Avro.encode(Avro.event(r))));
        // Bad records mixed in: they must come out as dead letters, not change any total.
        Random rnd = new Random(7);
        for (int i = 0; i < 3; i++) {
            byte[] junk = new byte[20 + rnd.nextInt(80)];
            rnd.nextBytes(junk);
            events.add(100 * (i + 1), new KafkaIO.Raw(utf8("junk-" + i), junk));
        }
        Scenario.Req unknownDc = new Scenario.Req("bad-dc", Scenario.BASE + 60_000, "dc-nowhere", "llama-3.1-8b", "TEXT", 10, 10, 0, 0, 0, 1, 100, null, null);
        Scenario.Req negative = new Scenario.Req("bad-neg", Scenario.BASE + 60_000, "dc-de", "llama-3.1-8b", "TEXT", -5, 10, 0, 0, 0, 1, 100, null, null);
        events.add(500, new KafkaIO.Raw(utf8(unknownDc.id()), Avro.encode(Avro.event(unknownDc))));
        events.add(600, new KafkaIO.Raw(utf8(negative.id()), Avro.encode(Avro.event(negative))));
        KafkaIO.produce(kafka.bootstrapServers(), p + "events", events);
        List<KafkaIO.Raw> updates = new ArrayList<>();
        for (Scenario.Upd u : s.intensity) updates.add(new KafkaIO.Raw(utf8(u.zone()), Avro.encode(Avro.update(u))));
        KafkaIO.produce(kafka.bootstrapServers(), p + "intensity", updates);

        Path registry = tmp.resolve("registry.json");
        StringBuilder json = new StringBuilder("[");
        for (Scenario.Dc d : s.datacenters) {
            if (json.length() > 1) json.append(',');
            json.append(String.format(java.util.Locale.ROOT,
                    "{\"datacenter_id\":\"%s\",\"zone\":\"%s\",\"pue\":%s,\"wue_l_per_kwh\":%s,\"it_overhead\":%s,\"market_factor_g_per_kwh\":%s}",
                    d.id(), d.zone(), d.pue(), d.wue(), d.itOverhead(), d.market()));
        }
        Files.writeString(registry, json.append(']').toString());

        JobConfig cfg = JobConfig.fromMap(Map.ofEntries(
                Map.entry("bootstrap-servers", kafka.bootstrapServers()),
                Map.entry("topic.events", p + "events"),
                Map.entry("topic.intensity", p + "intensity"),
                Map.entry("topic.registry", p + "registry"),
                Map.entry("topic.aggregates", p + "aggregates"),
                Map.entry("topic.dead-letters", p + "dlq"),
                Map.entry("topic.late-events", p + "late"),
                Map.entry("transactional-id-prefix", "core-it"),
                Map.entry("group-id", "core-it"),
                Map.entry("bounded", "true"),
                Map.entry("parallelism", "2"),
                Map.entry("checkpoint-interval", "2 s"),
                Map.entry("registry-file", registry.toString()),
                Map.entry("intensity.max-age", "20 min"),
                Map.entry("intensity.zone-defaults", "XX-NODATA:600")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CarbonStreamJob.build(env, cfg);
        env.execute("carbonstream-it");

        // Latest revision of every key, as a compacted topic would keep it.
        Map<String, Aggregate> actual = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : KafkaIO.readAll(kafka.bootstrapServers(), p + "aggregates")) {
            Aggregate a = Avro.decode(rec.value(), Aggregate.class);
            actual.merge(new String(rec.key(), StandardCharsets.UTF_8), a, (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        Map<String, Reference.Agg> expected =
                new Reference(s, Map.of("XX-NODATA", 600.0), 473.0, 20 * Scenario.MIN).aggregates(s.requests);

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
            close(k + " fallback share", a.getFallbackShare(), x.fallbackKwh / x.kwh);
            close(k + " stale share", a.getStaleShare(), x.staleKwh / x.kwh);
            if (x.marketRequests == x.requests) close(k + " market", a.getMarketGco2e(), x.marketG);
            else assertThat(a.getMarketGco2e()).as(k + " market").isNull();
            assertThat(a.getMethodology()).startsWith("carbonstream-1/catalog-");
        }
        // The scenario exercises every pricing path.
        assertThat(expected.values().stream().mapToDouble(x -> x.fallbackKwh).sum()).isPositive();
        assertThat(expected.values().stream().mapToDouble(x -> x.staleKwh).sum()).isPositive();

        Map<String, String> dead = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : KafkaIO.readAll(kafka.bootstrapServers(), p + "dlq")) {
            DeadLetter d = Avro.decode(rec.value(), DeadLetter.class);
            dead.put(new String(rec.key(), StandardCharsets.UTF_8), d.getReason());
            assertThat(d.getSourceTopic()).isEqualTo(p + "events");
            assertThat(d.getValue()).isNotNull();
        }
        assertThat(dead).containsEntry("bad-dc", "UNKNOWN_DATACENTER").containsEntry("bad-neg", "INVALID_VALUE")
                .containsKeys("junk-0", "junk-1", "junk-2").hasSize(5);
        assertThat(KafkaIO.readAll(kafka.bootstrapServers(), p + "late")).isEmpty();
    }

    static void close(String what, double actual, double expected) {
        assertThat(actual).as(what).isCloseTo(expected, within(Math.max(Math.abs(expected) * REL, 1e-12)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
