package io.carbonstream.demo;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

/**
 * A Flink MiniCluster in this JVM with its web UI on 127.0.0.1, running the carbonstream job.
 *
 * <p>A MiniCluster of our own rather than createLocalEnvironmentWithWebUI: it lets us read the port
 * the UI really bound (8081, or the next free one), cancel the job and wait until the cluster has
 * stopped before the broker under it goes away.
 */
final class LocalFlink implements AutoCloseable {

    private final MiniCluster cluster;
    private final URI webUrl;
    private JobID job;

    private LocalFlink(MiniCluster cluster, URI webUrl) {
        this.cluster = cluster;
        this.webUrl = webUrl;
    }

    /**
     * @param webPort first port to try for the web UI; the next 99 are tried after it; 0 = any free
     *     port
     */
    static LocalFlink start(int webPort, int slots, Path tmp) throws Exception {
        Configuration c = new Configuration();
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, webPort == 0 ? "0" : webPort + "-" + (webPort + 99));
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(TaskManagerOptions.HOST, "127.0.0.1");
        c.set(CoreOptions.TMP_DIRS, tmp.toString());
        c.set(WebOptions.TMP_DIR, tmp.toString());
        c.set(CoreOptions.DEFAULT_PARALLELISM, slots);
        MiniCluster mc =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(c)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        try {
            mc.start();
            URI rest = mc.getRestAddress().get(60, TimeUnit.SECONDS);
            return new LocalFlink(mc, rest);
        } catch (Exception e) {
            mc.close();
            throw e;
        }
    }

    URI webUrl() {
        return webUrl;
    }

    /** Builds the job exactly as CarbonStreamJob.main does and submits it. */
    JobID submit(JobConfig cfg, String name) throws Exception {
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(new Configuration());
        CarbonStreamJob.build(env, cfg);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(name);
        JobGraph jobGraph = graph.getJobGraph();
        cluster.submitJob(jobGraph).get(60, TimeUnit.SECONDS);
        job = jobGraph.getJobID();
        return job;
    }

    String status() {
        if (job == null) return "not submitted";
        try {
            JobStatus s = cluster.getJobStatus(job).get(5, TimeUnit.SECONDS);
            return s.name();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** Completes when the job reaches a terminal state. */
    CompletableFuture<JobResult> result() {
        return cluster.requestJobResult(job);
    }

    /** Cancels the job, waits for it to end, then stops the cluster. */
    @Override
    public void close() throws Exception {
        try {
            if (job != null) {
                CompletableFuture<JobResult> done = cluster.requestJobResult(job);
                if (!done.isDone()) {
                    try {
                        cluster.cancelJob(job).get(30, TimeUnit.SECONDS);
                    } catch (Exception alreadyEnding) {
                        // The job may have finished or failed meanwhile; the result tells.
                    }
                }
                done.get(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            cluster.close();
        }
    }
}
