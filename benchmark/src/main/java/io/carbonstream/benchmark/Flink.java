package io.carbonstream.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.TaskStateStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * One local MiniCluster (one TaskManager, 2 slots) shared by every Flink phase of a benchmark run.
 */
final class Flink implements AutoCloseable {

    private final MiniCluster cluster;
    private final Path checkpoints;

    Flink(int slots, Path workDir) throws Exception {
        this.checkpoints = workDir.resolve("checkpoints");
        Configuration c = new Configuration();
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(256));
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.PORT, 0);
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(c)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
    }

    /** A fresh environment whose graph {@link #submit} runs on this cluster. */
    StreamExecutionEnvironment env() {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        // A benchmark run fails loudly instead of restarting in a loop.
        c.set(org.apache.flink.configuration.RestartStrategyOptions.RESTART_STRATEGY, "none");
        return StreamExecutionEnvironment.getExecutionEnvironment(c);
    }

    JobID submit(StreamExecutionEnvironment env, String name) throws Exception {
        StreamGraph g = env.getStreamGraph();
        g.setJobName(name);
        return cluster.submitJob(g.getJobGraph()).get(60, TimeUnit.SECONDS).getJobID();
    }

    /** Waits for the job to finish; throws its failure. */
    void await(JobID id) throws Exception {
        JobResult r = cluster.requestJobResult(id).get();
        if (!r.isSuccess()) {
            Throwable t =
                    r.getSerializedThrowable()
                            .map(s -> s.deserializeError(getClass().getClassLoader()))
                            .orElse(null);
            throw new IllegalStateException(
                    "job " + id + " failed: " + r.getApplicationStatus(), t);
        }
    }

    /** Waits until every task of the job is RUNNING (sources are reading). */
    void awaitRunning(JobID id, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus s = cluster.getJobStatus(id).get();
            if (s.isGloballyTerminalState())
                throw new IllegalStateException("job " + id + " ended: " + s);
            if (s == JobStatus.RUNNING) {
                boolean all = true;
                for (AccessExecutionVertex v :
                        cluster.getExecutionGraph(id).get().getAllExecutionVertices()) {
                    all &= v.getExecutionState() == ExecutionState.RUNNING;
                }
                if (all) return;
            }
            Thread.sleep(100); // polling a status with a deadline
        }
        throw new IllegalStateException("job " + id + " not running after " + timeout);
    }

    void cancel(JobID id) throws Exception {
        cluster.cancelJob(id).get(60, TimeUnit.SECONDS);
        try {
            cluster.requestJobResult(id).get(60, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // a cancelled job's result is a failure by definition
        }
    }

    /** State size of the latest completed checkpoint: total and by operator chain (vertex name). */
    record CheckpointState(long id, long totalBytes, long durationMs, Map<String, Long> byVertex) {}

    CheckpointState latestCheckpoint(JobID id) throws Exception {
        AccessExecutionGraph g = cluster.getExecutionGraph(id).get();
        CompletedCheckpointStats c =
                g.getCheckpointStatsSnapshot().getHistory().getLatestCompletedCheckpoint();
        if (c == null) return null;
        return stateOf(g, c);
    }

    /**
     * The largest completed checkpoint the job's statistics still hold (the last {@code
     * web.checkpoints.history} ones, 10 by default): a bounded run's final checkpoint is taken
     * after its windows have fired and holds almost nothing, the largest one is mid-run.
     */
    CheckpointState largestCheckpoint(JobID id) throws Exception {
        AccessExecutionGraph g = cluster.getExecutionGraph(id).get();
        CompletedCheckpointStats best = null;
        for (AbstractCheckpointStats c :
                g.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
            if (c instanceof CompletedCheckpointStats done
                    && (best == null || done.getStateSize() > best.getStateSize())) best = done;
        }
        if (best == null) return new CheckpointState(-1, 0, 0, Map.of());
        return stateOf(g, best);
    }

    /** The sizes of checkpoint {@code c}, by vertex in topological order. */
    private static CheckpointState stateOf(AccessExecutionGraph g, CompletedCheckpointStats c) {
        Map<String, Long> by = new LinkedHashMap<>();
        for (AccessExecutionJobVertex v : g.getVerticesTopologically()) {
            TaskStateStats s = c.getTaskStateStats(v.getJobVertexId());
            if (s != null) by.put(v.getName(), s.getStateSize());
        }
        return new CheckpointState(
                c.getCheckpointId(), c.getStateSize(), c.getEndToEndDuration(), by);
    }

    /**
     * Stops an unbounded job the way an operator would: a final savepoint (without draining: the
     * windows stay open in it), after which the sinks commit and the tasks finish. Cancelling
     * instead aborts the checkpoint under way and the open transactions, which Flink and Kafka log
     * as warnings.
     */
    void stopWithSavepoint(JobID id) throws Exception {
        cluster.stopWithSavepoint(
                        id,
                        checkpoints.resolve("savepoints").toUri().toString(),
                        false,
                        SavepointFormatType.CANONICAL)
                .get(120, TimeUnit.SECONDS);
        cluster.requestJobResult(id).get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
