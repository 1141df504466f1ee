package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzz-style: thousands of malformed or invalid records of every kind mixed into valid traffic on
 * all three inputs. Each must reach the dead-letter topic with its reason and bytes, the totals
 * must equal the reference over the valid records only, and the job must never restart.
 */
class DeadLetterIT extends KafkaAndFlinkIT {

    static final int RANDOM_RECORDS = 3_000;
    static final int GARBAGE_MODELS = 300;
    static final int MODEL_CAP = 10;

    @Test
    void badInputIsDeadLetteredWithItsReasonAndChangesNoTotal(@TempDir Path tmp, @InjectMiniCluster MiniCluster cluster)
            throws Exception {
        JobFixture f = new JobFixture(kafka, "fuzz.");
        Scenario s = new Scenario(11, 8_000, 70 * Scenario.MIN, 4_000);
        Random rnd = new Random(99);
        Map<String, String> expectedReason = new HashMap<>(); // key -> reason; "*" = any reason
        Map<Integer, KafkaIO.Raw> bad = new HashMap<>();
        int slot = 1;

        for (int i = 0; i < RANDOM_RECORDS; i++) {
            byte[] junk = new byte[rnd.nextInt(300)];
            rnd.nextBytes(junk);
            bad.put(slot++ * 2, new KafkaIO.Raw(JobFixture.utf8("random-" + i), junk));
            expectedReason.put("random-" + i, "*");
        }
        Scenario.Req base = s.requests.get(0);
        byte[] good = Avro.encode(Avro.event(base));
        Map<String, byte[]> crafted = new HashMap<>();
        crafted.put("UNDECODABLE/truncated", Arrays.copyOf(good, good.length / 2));
        crafted.put("UNDECODABLE/trailing", Arrays.copyOf(good, good.length + 7));
        crafted.put("UNDECODABLE/wrong-schema", Avro.encode(Avro.update(s.intensity.get(0))));
        crafted.put("INVALID_VALUE/negative", ev(base, r -> with(r, -1, r.out(), r.media(), r.measured(), r.t(), r.dc(), r.model())));
        crafted.put("INVALID_VALUE/nan", ev(base, r -> with(r, r.in(), r.out(), Double.NaN, r.measured(), r.t(), r.dc(), r.model())));
        crafted.put("ABSURD_VALUE/tokens", ev(base, r -> with(r, r.in(), 1_000_000_000_000L, r.media(), r.measured(), r.t(), r.dc(), r.model())));
        crafted.put("MISSING_FIELD/dc", ev(base, r -> with(r, r.in(), r.out(), r.media(), r.measured(), r.t(), "", r.model())));
        crafted.put("UNKNOWN_DATACENTER/dc", ev(base, r -> with(r, r.in(), r.out(), r.media(), r.measured(), r.t(), "dc-atlantis", r.model())));
        crafted.put("EVENT_TIME_IN_FUTURE/t", ev(base, r -> with(r, r.in(), r.out(), r.media(), r.measured(),
                System.currentTimeMillis() + 86_400_000L, r.dc(), r.model())));
        crafted.put("EVENT_TIME_BEFORE_FLOOR/t", ev(base, r -> with(r, r.in(), r.out(), r.media(), r.measured(),
                Instant.parse("2001-01-01T00:00:00Z").toEpochMilli(), r.dc(), r.model())));
        crafted.put("OVERSIZED_STRING/model", ev(base, r -> with(r, r.in(), r.out(), r.media(), r.measured(), r.t(), r.dc(), "m".repeat(5_000))));
        crafted.put("NULL_VALUE/tombstone", null);
        for (Map.Entry<String, byte[]> c : crafted.entrySet()) {
            bad.put(slot++ * 2, new KafkaIO.Raw(JobFixture.utf8(c.getKey()), c.getValue()));
            expectedReason.put(c.getKey(), c.getKey().substring(0, c.getKey().indexOf('/')));
        }
        // Random model ids for one datacenter, in one burst: beyond the cap they are dead-lettered, not kept in state.
        int burstAt = slot * 2 + 10;
        long burstTime = s.requests.get(burstAt - bad.size()).t(); // the valid request next to the burst in the topic
        List<Scenario.Req> spam = new ArrayList<>();
        for (int i = 0; i < GARBAGE_MODELS; i++) {
            Scenario.Req r = new Scenario.Req("spam-" + i, burstTime, "dc-spam", "garbage-" + i, "TEXT", 10, 10, 0, 0, 0, 1, 1_000, null, null);
            spam.add(r);
            bad.put(burstAt + i, JobFixture.event(r));
        }
        // A meter reading no GPU could produce: priced with the estimate, never dead-lettered.
        Scenario.Req implausible = with(base, base.in(), base.out(), base.media(), 1e9, base.t(), base.dc(), base.model());
        bad.put(slot++ * 2, JobFixture.event(implausible));
        f.produceScenario(s, bad);

        // Bad control records.
        f.produce("intensity", List.of(
                new KafkaIO.Raw(JobFixture.utf8("i-junk"), new byte[] {7, 7, 7}),
                new KafkaIO.Raw(JobFixture.utf8("i-negative"), Avro.encode(IntensityUpdate.newBuilder().setZone("DE")
                        .setValidFrom(Instant.ofEpochMilli(Scenario.BASE)).setCarbonIntensity(-4).build())),
                new KafkaIO.Raw(JobFixture.utf8("i-absurd"), Avro.encode(IntensityUpdate.newBuilder().setZone("DE")
                        .setValidFrom(Instant.ofEpochMilli(Scenario.BASE)).setCarbonIntensity(90_000).build()))));
        f.produce("registry", List.of(
                new KafkaIO.Raw(JobFixture.utf8("r-junk"), new byte[] {1, 2, 3, 4, 5, 6}),
                new KafkaIO.Raw(JobFixture.utf8("r-pue"), Avro.encode(Datacenter.newBuilder().setDatacenterId("dc-x").setZone("DE")
                        .setPue(0.5).setWueLPerKwh(1).build())),
                new KafkaIO.Raw(null, null)));

        List<Scenario.Dc> dcs = new ArrayList<>(s.datacenters);
        dcs.add(new Scenario.Dc("dc-spam", "DE", 1.2, 1.0, null, null));
        JobConfig cfg = JobConfig.fromMap(f.config(JobFixture.writeRegistry(tmp, dcs),
                Map.of("bounded", "true", "models.max-per-datacenter", String.valueOf(MODEL_CAP))));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CarbonStreamJob.build(env, cfg);
        JobExecutionResult result = env.execute("carbonstream-fuzz");

        // Never restarted: every task ran in its first attempt.
        for (AccessExecutionVertex v : cluster.getArchivedExecutionGraph(result.getJobID()).get().getAllExecutionVertices()) {
            assertThat(v.getCurrentExecutionAttempt().getAttemptNumber()).as(v.getTaskNameWithSubtaskIndex()).isZero();
        }

        List<DeadLetter> dead = f.deadLetters("dlq");
        Map<String, DeadLetter> byKey = dead.stream().filter(d -> d.getKey() != null)
                .collect(Collectors.toMap(d -> new String(d.getKey().array(), StandardCharsets.UTF_8), Function.identity(), (a, b) -> a));
        for (Map.Entry<String, String> e : expectedReason.entrySet()) {
            DeadLetter d = byKey.get(e.getKey());
            assertThat(d).as("dead letter for " + e.getKey()).isNotNull();
            if (!e.getValue().equals("*")) assertThat(d.getReason()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(d.getSourceTopic()).isEqualTo("fuzz.events");
            assertThat(d.getMessage()).isNotBlank();
        }
        assertThat(byKey.get("random-17").getValue().array()).isNotEmpty();
        assertThat(byKey.get("i-junk").getReason()).isEqualTo("UNDECODABLE");
        assertThat(byKey.get("i-junk").getSourceTopic()).isEqualTo("fuzz.intensity");
        assertThat(byKey.get("i-negative").getReason()).isEqualTo("INVALID_VALUE");
        assertThat(byKey.get("i-absurd").getReason()).isEqualTo("ABSURD_VALUE");
        assertThat(byKey.get("r-junk").getReason()).isEqualTo("UNDECODABLE");
        assertThat(byKey.get("r-pue").getReason()).isEqualTo("INVALID_VALUE");
        assertThat(dead).anySatisfy(d -> {
            assertThat(d.getSourceTopic()).isEqualTo("fuzz.registry");
            assertThat(d.getReason()).isEqualTo("NULL_VALUE");
        });

        // Garbage model ids: capped per datacenter and subtask (parallelism 2), the rest dead-lettered.
        long capped = dead.stream().filter(d -> d.getReason().equals("TOO_MANY_MODELS")).count();
        // At most the cap per pricing subtask (parallelism 2) was admitted while the burst's models were all live.
        assertThat(capped).isGreaterThanOrEqualTo(GARBAGE_MODELS - 2L * MODEL_CAP);
        Map<String, Aggregate> actual = f.latestAggregates();
        Map<String, Long> liveModelsPerMinute = actual.keySet().stream().filter(k -> k.startsWith("MINUTE|DATACENTER_MODEL|dc-spam|"))
                .collect(Collectors.groupingBy(k -> k.substring(k.lastIndexOf('|') + 1), Collectors.counting()));
        assertThat(liveModelsPerMinute).isNotEmpty().allSatisfy((minute, n) -> assertThat(n).isLessThanOrEqualTo(2L * MODEL_CAP));
        long spamAggregated = actual.entrySet().stream().filter(e -> e.getKey().startsWith("HOUR|DATACENTER|dc-spam|"))
                .mapToLong(e -> e.getValue().getRequests()).sum();
        assertThat(spamAggregated + capped).isEqualTo(GARBAGE_MODELS);
        assertThat(dead).hasSize(expectedReason.size() + (int) capped + 6);

        // Everything else equals the reference over the valid records only.
        actual.keySet().removeIf(k -> k.contains("dc-spam") || k.contains("garbage-"));
        List<Scenario.Req> valid = new ArrayList<>(s.requests);
        valid.add(implausible);
        JobFixture.assertAggregatesEqual(actual, JobFixture.reference(s, valid));
        assertThat(f.deadLetters("late")).isEmpty();
    }

    static byte[] ev(Scenario.Req base, Function<Scenario.Req, Scenario.Req> change) {
        return Avro.encode(Avro.event(change.apply(base)));
    }

    static Scenario.Req with(Scenario.Req r, long in, long out, double media, Double measured, long t, String dc, String model) {
        return new Scenario.Req(r.id() + "-bad", t, dc, model, r.modality(), in, out, r.images(), r.steps(), media, r.gpus(),
                r.durationMs(), measured, r.params());
    }
}
