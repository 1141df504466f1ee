package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.DeadLetter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a real Kafka broker and a Flink MiniCluster at parallelism 2, in bounded mode:
 * every committed aggregate must equal the independent reference computation.
 */
class CarbonStreamIT extends KafkaAndFlinkIT {

    @Test
    void aggregatesEqualTheReferenceComputation(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "core.");
        Scenario s = new Scenario(42, 12_000, 75 * Scenario.MIN, 4_000);
        // A few bad records mixed in: they must come out as dead letters, not change any total.
        Map<Integer, KafkaIO.Raw> bad = new HashMap<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 3; i++) {
            byte[] junk = new byte[20 + rnd.nextInt(80)];
            rnd.nextBytes(junk);
            bad.put(100 * (i + 1), new KafkaIO.Raw(JobFixture.utf8("junk-" + i), junk));
        }
        bad.put(
                500,
                JobFixture.event(
                        Scenario.text(
                                "bad-dc",
                                Scenario.BASE + 60_000,
                                "dc-nowhere",
                                "llama-3.1-8b",
                                10,
                                10,
                                1,
                                100)));
        bad.put(
                600,
                JobFixture.event(
                        Scenario.text(
                                "bad-neg",
                                Scenario.BASE + 60_000,
                                "dc-de",
                                "llama-3.1-8b",
                                -5,
                                10,
                                1,
                                100)));
        f.produceScenario(s, bad);

        JobFixture.runBounded(
                "carbonstream-it",
                f.config(JobFixture.writeRegistry(tmp, s.datacenters), Map.of("bounded", "true")));

        Map<String, Reference.Agg> expected = JobFixture.reference(s, s.requests);
        JobFixture.assertAggregatesEqual(f.latestAggregates(), expected);
        // No late data here: every window is emitted exactly once.
        assertThat(f.aggregateRecords())
                .hasSize(expected.size())
                .allSatisfy(e -> assertThat(e.getValue().getRevision()).isEqualTo(1));
        // The scenario exercises every pricing path.
        assertThat(expected.values().stream().mapToDouble(x -> x.fallbackKwh).sum()).isPositive();
        assertThat(expected.values().stream().mapToDouble(x -> x.staleKwh).sum()).isPositive();
        assertThat(expected.values().stream().filter(x -> x.marketRequests == x.requests))
                .isNotEmpty();

        List<DeadLetter> dead = f.deadLetters("dlq");
        Map<String, String> reasons = new HashMap<>();
        for (DeadLetter d : dead) {
            reasons.put(
                    new String(d.getKey().array(), java.nio.charset.StandardCharsets.UTF_8),
                    d.getReason());
            assertThat(d.getSourceTopic()).isEqualTo("core.events");
            assertThat(d.getValue()).isNotNull();
        }
        assertThat(reasons)
                .containsEntry("bad-dc", "UNKNOWN_DATACENTER")
                .containsEntry("bad-neg", "INVALID_VALUE")
                .containsKeys("junk-0", "junk-1", "junk-2")
                .hasSize(5);
        assertThat(f.deadLetters("late")).isEmpty();
    }
}
