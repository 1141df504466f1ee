package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.InferenceEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Late requests: within the allowed lateness they update their windows (a higher revision of the
 * same key); beyond it they go to the late-events topic. Conservation holds exactly, read from the
 * job's own metrics.
 */
class LateEventsIT extends KafkaIT {

    /** Every metric of this class's runs, kept in memory (conservation is read from them). */
    static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            KafkaAndFlinkIT.miniCluster(2, METRICS.addToConfiguration(new Configuration()));

    static final long MIN = Scenario.MIN;

    static Scenario.Req at(String id, long t) {
        return Scenario.text(id, t, "dc-de", "llama-3.1-8b", 100, 200, 1, 1_000);
    }

    @Test
    void lateWithinLatenessRevisesBeyondGoesToLateEventsAndNothingIsLost(@TempDir Path tmp)
            throws Exception {
        JobFixture f = new JobFixture(kafka, "late.");
        Scenario s = new Scenario(21, 3_000, 20 * MIN, 4_000);
        f.produceIntensity(s.intensity);
        // Phase 1: the scenario (minutes 0-19), then a request at minute 21 whose watermark closes
        // them all.
        List<KafkaIO.Raw> phase1 =
                new ArrayList<>(s.requests.stream().map(JobFixture::event).toList());
        f.produce("events", phase1);
        List<Scenario.Req> pusher1 = f.pushWatermark("pusher-1", Scenario.BASE + 21 * MIN);

        JobClient job =
                f.start(
                        "carbonstream-late",
                        JobFixture.writeRegistry(tmp, s.datacenters),
                        Map.of("allowed-lateness", "2 min"));
        try {
            String minute19 =
                    "MINUTE|DATACENTER_MODEL|dc-de|llama-3.1-8b|" + (Scenario.BASE + 19 * MIN);
            await("minute 19 committed", () -> f.latestAggregates().containsKey(minute19));
            long before = f.latestAggregates().get(minute19).getRequests();

            // Phase 2: one request in the closed minute 19 (its window ended ~1 min before the
            // watermark: within the 2 min lateness), one 10 min behind (beyond it), then a request
            // that closes every window of the test.
            Scenario.Req withinLateness = at("late-ok", Scenario.BASE + 19 * MIN + 30_000);
            Scenario.Req beyondLateness = at("late-too", Scenario.BASE + 10 * MIN + 1_000);
            f.produce(
                    "events",
                    List.of(JobFixture.event(withinLateness), JobFixture.event(beyondLateness)));
            await(
                    "the late request in the late-events topic",
                    () -> !f.deadLetters("late").isEmpty());
            f.pushWatermark("pusher-2", Scenario.BASE + 90 * MIN);

            List<Scenario.Req> counted = new ArrayList<>(s.requests);
            counted.addAll(pusher1);
            counted.add(withinLateness);
            Map<String, Reference.Agg> expected = JobFixture.reference(s, counted);
            await(
                    "every window committed at its final revision",
                    () -> {
                        Map<String, Aggregate> latest = f.latestAggregates();
                        return latest.keySet().containsAll(expected.keySet())
                                && latest.get(minute19).getRevision() == 2;
                    });

            Map<String, Aggregate> latest = f.latestAggregates();
            JobFixture.assertAggregatesEqual(latest, expected);
            assertThat(latest.get(minute19).getRequests()).isEqualTo(before + 1);
            assertThat(
                            latest.get("MINUTE|DATACENTER|dc-de||" + (Scenario.BASE + 19 * MIN))
                                    .getRevision())
                    .isEqualTo(2);
            assertThat(latest.get("HOUR|DATACENTER|dc-de||" + Scenario.BASE).getRevision())
                    .isGreaterThanOrEqualTo(1);

            List<DeadLetter> late = f.deadLetters("late");
            assertThat(late).hasSize(1);
            DeadLetter d = late.get(0);
            assertThat(d.getReason()).isEqualTo("LATE");
            assertThat(d.getSourceTopic()).isEqualTo("late.events");
            assertThat(d.getDetectedAtWatermark())
                    .isGreaterThan(Scenario.BASE + 10 * MIN + 3 * MIN);
            assertThat(new String(d.getKey().array(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("late-too");
            InferenceEvent original = Avro.decode(d.getValue().array(), InferenceEvent.class);
            assertThat(original).isEqualTo(Avro.event(beyondLateness));
            assertThat(f.deadLetters("dlq")).isEmpty();

            // Conservation, from the job's counters: everything read is aggregated, dead-lettered
            // or
            // late, except the last two requests, still waiting for a watermark that closes their
            // window.
            long produced = phase1.size() + 2 + 2 + 2;
            JobID id = job.getJobID();
            await("all input read", () -> sum(id, "requestsRead") == produced);
            await(
                    "everything but the last requests aggregated",
                    () -> sum(id, "requestsAggregated") == produced - 3);
            assertThat(sum(id, "requestsLate")).isEqualTo(1);
            assertThat(
                            sum(id, "requestsDeadLettered")
                                    + sum(id, "requestsUnknownDatacenter")
                                    + sum(id, "requestsTooManyModels"))
                    .isZero();
            assertThat(sum(id, "requestsRead"))
                    .isEqualTo(sum(id, "requestsAggregated") + sum(id, "requestsLate") + 2);
        } finally {
            job.cancel().get();
        }
    }

    /** A counter of the job summed over its subtasks. */
    static long sum(JobID id, String name) {
        return JobFixture.counter(METRICS, id, name);
    }
}
