package io.carbonstream.benchmark;

import java.util.List;
import java.util.Map;

/**
 * What a benchmark run measured, as records: each phase method of {@link Benchmark} returns one,
 * {@link Report} derives the ratios from them, renders them as Markdown and serializes them
 * (Jackson) as the JSON report. Nothing is read back by name: a missing figure is a compile error,
 * not a NaN.
 */
final class Results {

    private Results() {}

    /** The whole report. Phases not run are null (absent from the JSON). */
    record Run(
            String command,
            String started,
            double durationSeconds,
            Machine machine,
            Settings settings,
            InputStats input,
            LimitPhase limit,
            List<FloorRun> floor,
            ThroughputPhase throughput,
            List<Agreement> agreement,
            ScalePhase scale,
            AttributionPhase attribution,
            LatencyPhase latency,
            ProcessMemory memory,
            Ratios ratios,
            List<Target> targets,
            List<String> failedPhases) {}

    record Machine(
            int cores,
            String cpu,
            long memTotalBytes,
            String jvm,
            long maxHeapBytes,
            List<String> jvmArgs,
            String os,
            String flink,
            String kafkaClients) {}

    record Settings(
            long requests,
            double simRatePerSecond,
            long seed,
            String broker,
            int parallelism,
            String throughputCheckpointInterval,
            String latencyCheckpointInterval,
            int eventsPartitions,
            long warmupRequests,
            int rounds,
            List<String> sqlVariants,
            Map<String, String> jobOptions) {}

    record InputStats(
            long requests,
            long intensityUpdates,
            long registryEntries,
            int datacenters,
            int models,
            int zones,
            int datacenterModelPairs,
            double meanEventBytes,
            double eventTimeSpanMinutes,
            double produceSeconds,
            double produceRequestsPerSecond) {}

    /**
     * How long one measured run took, and what the JVM still did meanwhile. {@code toLastRecord}:
     * from the first record read to the last output record appended to its topic (broker
     * LogAppendTime: the output topics are created with it), i.e. all the work done. {@code
     * toLastCommit}: to the end of the job, which for an exactly-once sink is the final checkpoint
     * that commits the last transaction (at most one checkpoint interval more). {@code jitSeconds}:
     * HotSpot compilation time during the run (CompilationMXBean, all compiler threads); {@code
     * cpuSeconds}: process CPU time (broker, benchmark and job: one JVM).
     */
    record Timing(
            long records,
            double startupSeconds,
            double secondsToLastRecord,
            double secondsToLastCommit,
            double recordsPerSecondToLastRecord,
            double recordsPerSecondToLastCommit,
            double jitSeconds,
            double cpuSeconds) {
        static Timing of(
                long records,
                long submitMs,
                long firstMs,
                long lastRecordMs,
                long endMs,
                Meter.Delta d) {
            double toRecord = (lastRecordMs - firstMs) / 1000.0;
            double toCommit = (endMs - firstMs) / 1000.0;
            return new Timing(
                    records,
                    (firstMs - submitMs) / 1000.0,
                    toRecord,
                    toCommit,
                    records / toRecord,
                    records / toCommit,
                    d.jitSeconds(),
                    d.cpuSeconds());
        }
    }

    record LimitRun(
            int consumers,
            long records,
            double seconds,
            double secondsWithStartup,
            double recordsPerSecond,
            double jitSeconds) {}

    record LimitPhase(List<LimitRun> runs, double recordsPerSecond) {}

    record FloorRun(String shape, String label, int round, Timing timing) {}

    /**
     * One measured run of a system over the main input; {@code round} 1 or 2 (the second in reverse
     * order).
     */
    record SystemRun(
            String system,
            String label,
            int round,
            Timing timing,
            long outputWindows,
            long deadLetters,
            long lateEvents,
            long peakHeapBytes) {}

    record ThroughputPhase(List<String> order, List<SystemRun> runs) {}

    /** carbonstream's first run against one SQL run: every window of every kind and dimension. */
    record Agreement(
            String sqlSystem,
            int sqlRound,
            boolean agree,
            double tolerance,
            int carbonstreamWindows,
            int sqlWindows,
            int windowsCompared,
            double maxRelativeDifference,
            long hourlyRequestsCarbonstream,
            long hourlyRequestsSql,
            double hourlyFacilityKwhCarbonstream,
            double hourlyFacilityKwhSql,
            double hourlyLocationGCarbonstream,
            double hourlyLocationGSql,
            List<String> differences) {}

    /**
     * One point of the scale curve: a fleet size, one parallelism, one bounded carbonstream run.
     */
    record ScalePoint(
            int datacenters,
            int models,
            int zones,
            int keys,
            int parallelism,
            long requests,
            double simRatePerSecond,
            double eventTimeSpanMinutes,
            Timing timing,
            long outputWindows,
            double windowsPerRequest,
            double cpuMicrosPerRequest,
            double cpuMicrosPerRequestAndWindow,
            long largestCheckpointBytes,
            double checkpointBytesPerKey,
            Map<String, Long> largestCheckpointByOperator,
            long shorterRunRequests,
            double shorterRunCpuSeconds,
            long shorterRunWindows,
            double marginalCpuMicrosPerRequest,
            double marginalWindowsPerRequest) {}

    record ScalePhase(String note, List<ScalePoint> points) {}

    /**
     * The GPU attribution path (issue 13) against references read from the same input in the same
     * run.
     */
    record AttributionPhase(
            long requests,
            long requestsNamingGpus,
            long gpuSamples,
            int gpus,
            LimitRun plainConsumer,
            Timing carbonstreamWithoutAttribution,
            Timing carbonstreamWithAttribution,
            long attributionRecords,
            long largestCheckpointBytes,
            long attributionOperatorStateBytes,
            double stateBytesPerGpu,
            Map<String, Long> largestCheckpointByOperator) {}

    record HeapSlot(double atSeconds, long heapMinBytes, long heapMaxBytes, long rssMaxBytes) {}

    record LatencyPhase(
            double targetRequestsPerSecond,
            double achievedRequestsPerSecond,
            double seconds,
            long requests,
            long measuredRequests,
            long measuredWindows,
            long checkpointIntervalMs,
            double produceToReadableP50Ms,
            double produceToReadableP99Ms,
            double produceToReadableMaxMs,
            double windowEndToReadableP50Ms,
            double windowEndToReadableP99Ms,
            double windowEndToReadableMaxMs,
            long eventsOutOfOrdernessMs,
            double watermarkToReadableP50Ms,
            double watermarkToReadableP99Ms,
            double watermarkToReadableMaxMs,
            long peakHeapBytes,
            long liveHeapAfterWarmupBytes,
            long liveHeapAtEndBytes,
            double liveHeapGrowth,
            double heapFloorGrowth,
            List<HeapSlot> heapTimeline,
            int activeDatacenterModelKeys,
            int activeKeysAllDimensions,
            long checkpointStateBytes,
            Map<String, Long> checkpointStateByOperator,
            double checkpointBytesPerDatacenterModelKey,
            long checkpointDurationMs,
            String stoppedWith) {}

    record ProcessMemory(long processPeakRssBytes, long processRssBytesAtEnd, long maxHeapBytes) {}

    /**
     * Ratios of rates measured in this run (best of the rounds for each system: noise on a shared
     * machine only ever slows a run down), by both timers.
     */
    record Ratios(
            Double carbonstreamOverLimit,
            Double carbonstreamOverLimitToLastRecord,
            Double floorSourceOverLimit,
            Double floorForwardOverLimit,
            Double floorKeyByOverLimit,
            Double carbonstreamOverFloorKeyBy,
            String bestSqlPeer,
            Double carbonstreamOverBestSql,
            Double carbonstreamOverBestSqlToLastRecord,
            Map<String, Double> carbonstreamOverSql,
            Map<String, Double> carbonstreamOverSqlToLastRecord,
            Double scaleCostGrowth,
            Double scaleCostPerRequestAndWindowGrowth,
            Double attributionOverPlainConsumer,
            Double attributionOverCarbonstreamWithout) {}

    record Target(String target, boolean met, double value) {}
}
