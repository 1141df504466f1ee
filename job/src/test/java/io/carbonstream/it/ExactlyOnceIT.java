package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.schema.Aggregate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once across failures: the unbounded job fails mid-stream after a completed checkpoint (an
 * injected exception; a TaskManager shut down), recovers, and the committed aggregates equal the
 * reference exactly, each window exactly once: no request lost, none counted twice.
 */
class ExactlyOnceIT extends KafkaAndFlinkIT {

    /**
     * Throws once, on the first record after the first completed checkpoint. Static: tasks share
     * this JVM.
     */
    static final class FailOnceAfterCheckpoint
            implements MapFunction<RequestEnvelope, RequestEnvelope>, CheckpointListener {
        static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public RequestEnvelope map(RequestEnvelope e) {
            if (CHECKPOINTED.get() && !FAILED.getAndSet(true)) {
                throw new IllegalStateException("injected failure after a completed checkpoint");
            }
            return e;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    @Test
    void injectedFailureLosesNothingAndCountsNothingTwice(
            @TempDir Path tmp, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobFixture f = new JobFixture(kafka, "eo-throw.");
        Scenario s = new Scenario(5, 10_000, 70 * Scenario.MIN, 4_000);
        JobClient job =
                start(
                        f,
                        s,
                        tmp,
                        stream ->
                                stream.map(new FailOnceAfterCheckpoint())
                                        .uid("test-fail-once")
                                        .name("fail once"));
        try {
            produceSecondHalfAfterACheckpoint(f, s, cluster, job.getJobID());
            awaitAndVerify(f, s);
            assertThat(FailOnceAfterCheckpoint.FAILED).isTrue();
            assertThat(restarts(cluster, job.getJobID())).isPositive();
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void losingTaskManagersLosesNothingAndCountsNothingTwice(
            @TempDir Path tmp, @InjectMiniCluster MiniCluster cluster) throws Exception {
        JobFixture f = new JobFixture(kafka, "eo-tm.");
        Scenario s = new Scenario(6, 10_000, 70 * Scenario.MIN, 4_000);
        JobClient job = start(f, s, tmp, stream -> stream);
        try {
            produceSecondHalfAfterACheckpoint(f, s, cluster, job.getJobID());
            // Slot sharing may put the whole job on either TaskManager: lose both, then bring up
            // replacements.
            cluster.terminateTaskManager(0).get();
            cluster.terminateTaskManager(1).get();
            cluster.startTaskManager();
            cluster.startTaskManager();
            awaitAndVerify(f, s);
            assertThat(restarts(cluster, job.getJobID())).isPositive();
        } finally {
            job.cancel().get();
        }
    }

    /** Produces intensity and the first half of the events, and starts the unbounded job. */
    static JobClient start(
            JobFixture f,
            Scenario s,
            Path tmp,
            java.util.function.UnaryOperator<
                            org.apache.flink.streaming.api.datastream.DataStream<RequestEnvelope>>
                    tap)
            throws Exception {
        f.produceIntensity(s.intensity);
        f.produce(
                "events",
                s.requests.subList(0, s.requests.size() / 2).stream()
                        .map(JobFixture::event)
                        .toList());
        return f.start(
                "carbonstream-exactly-once",
                JobFixture.writeRegistry(tmp, s.datacenters),
                Map.of(),
                tap);
    }

    /**
     * Once a checkpoint has completed, produces the rest of the events and one request far ahead in
     * event time whose watermark closes every window of the scenario (it is not part of the
     * reference).
     */
    static void produceSecondHalfAfterACheckpoint(
            JobFixture f, Scenario s, MiniCluster cluster, JobID id) throws Exception {
        JobFixture.await("a completed checkpoint", () -> completedCheckpoints(cluster, id) > 0);
        List<KafkaIO.Raw> rest =
                new ArrayList<>(
                        s.requests.subList(s.requests.size() / 2, s.requests.size()).stream()
                                .map(JobFixture::event)
                                .toList());
        f.produce("events", rest);
        f.pushWatermark("pusher", Scenario.BASE + 6 * 60 * Scenario.MIN);
    }

    static void awaitAndVerify(JobFixture f, Scenario s) throws Exception {
        Map<String, Reference.Agg> expected = JobFixture.reference(s, s.requests);
        JobFixture.await(
                "every window committed",
                () -> f.latestAggregates().keySet().containsAll(expected.keySet()));
        List<Map.Entry<String, Aggregate>> records = f.aggregateRecords();
        Map<String, Integer> seen = new HashMap<>();
        for (Map.Entry<String, Aggregate> e : records) seen.merge(e.getKey(), 1, Integer::sum);
        // Exactly once: no window was committed twice (this scenario has no late data).
        assertThat(seen).allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1));
        Map<String, Aggregate> latest = f.latestAggregates();
        latest.keySet().retainAll(expected.keySet()); // the pusher's own windows are still open
        JobFixture.assertAggregatesEqual(latest, expected);
    }

    static long completedCheckpoints(MiniCluster cluster, JobID id) throws Exception {
        return cluster.getExecutionGraph(id)
                .get()
                .getCheckpointStatsSnapshot()
                .getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    static int restarts(MiniCluster cluster, JobID id) throws Exception {
        int max = 0;
        for (AccessExecutionVertex v :
                cluster.getExecutionGraph(id).get().getAllExecutionVertices()) {
            max = Math.max(max, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return max;
    }

    /** Polls a condition until it holds; fails after a generous bound instead of hanging. */
}
