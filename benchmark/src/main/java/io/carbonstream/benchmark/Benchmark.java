package io.carbonstream.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.demo.generator.RegistryJson;
import io.carbonstream.demo.generator.TrafficGenerator;
import io.carbonstream.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark of issue 6, in one run on one machine against one real Kafka broker: the limit
 * (plain consumers), carbonstream (bounded, MiniCluster), the SQL peer (same semantics, same
 * input; totals must agree), latency at half load, memory and checkpointed state.
 */
@Command(name = "carbonstream-benchmark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Throughput, latency and memory of carbonstream vs. a plain Kafka consumer and the same job in Flink SQL.")
public final class Benchmark implements Callable<Integer> {

    @Option(names = "--requests", description = "Requests to generate (default: ${DEFAULT-VALUE}).")
    long requests = 5_000_000;

    @Option(names = "--sim-rate", description = "Mean requests per simulated second of the generator: sets how much event time N spans (default: ${DEFAULT-VALUE}).")
    double simRate = 500;

    @Option(names = "--seed", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--bootstrap-servers", description = "An existing broker; default: an in-process KRaft broker.")
    String bootstrap;

    @Option(names = "--parallelism", description = "Parallelism of both Flink jobs (default: ${DEFAULT-VALUE}).")
    int parallelism = 2;

    @Option(names = "--checkpoint-interval", description = "Checkpoint interval of the bounded throughput runs, both systems (default: ${DEFAULT-VALUE}).")
    String checkpointInterval = "2 s";

    @Option(names = "--limit-consumers", split = ",", description = "Consumer thread counts for the limit; the best is the limit (default: 1,2).")
    List<Integer> limitConsumers = new ArrayList<>(List.of(1, 2));

    @Option(names = "--warmup-requests", description = "Size of a separate warm-up input that every system (limit, floors, carbonstream, "
            + "SQL) processes once before its measured run, so that all are measured JIT-compiled; 0 = none (default: ${DEFAULT-VALUE}).")
    long warmupRequests = 1_000_000;

    @Option(names = "--latency-seconds", description = "Length of the fixed-rate latency/memory run (default: ${DEFAULT-VALUE}).")
    int latencySeconds = 600;

    @Option(names = "--latency-warmup-seconds", description = "Requests of the first seconds are not measured (default: ${DEFAULT-VALUE}).")
    int latencyWarmupSeconds = 60;

    @Option(names = "--latency-rate", description = "Requests/s of the latency run; 0 = half of carbonstream's measured throughput (default: ${DEFAULT-VALUE}).")
    double latencyRate = 0;

    @Option(names = "--latency-checkpoint-interval", description = "Checkpoint interval of the latency run (default: the job's default, ${DEFAULT-VALUE}).")
    String latencyCheckpointInterval = "10 s";

    @Option(names = "--latency-pool", description = "Distinct generated requests cycled by the latency producer (default: ${DEFAULT-VALUE}).")
    int latencyPool = 200_000;

    @Option(names = "--job-option", description = "Extra carbonstream option key=value (both carbonstream runs), e.g. intensity.idle-timeout=5s.")
    Map<String, String> jobOptions = new LinkedHashMap<>();

    @Option(names = "--phases", split = ",", description = "Phases to run (default: limit,floor,carbonstream,sql,latency).")
    List<String> phases = new ArrayList<>(List.of("limit", "floor", "carbonstream", "sql", "latency"));

    @Option(names = "--report-dir", description = "Where latest.md and latest.json go (default: ${DEFAULT-VALUE}).")
    Path reportDir = Path.of("benchmark/reports");

    @Option(names = "--work-dir", description = "Scratch directory: registry file, checkpoints (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of("benchmark/target/bench-work");

    @Option(names = "--tolerance", description = "Largest relative difference allowed between carbonstream and SQL (default: ${DEFAULT-VALUE}).")
    double tolerance = 1e-6;

    /** Everything measured, in report order (also the JSON). */
    final Map<String, Object> report = new LinkedHashMap<>();
    String[] args = new String[0];

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) System.setProperty("log4j2.configurationFile", "log4j2-benchmark.properties");
        Benchmark b = new Benchmark();
        b.args = args;
        int rc = new CommandLine(b).execute(args);
        System.exit(rc);
    }

    /** Runs with these arguments in this JVM (the smoke test's entry); returns the report. */
    public static Map<String, Object> run(String... args) throws Exception {
        Benchmark b = new Benchmark();
        b.args = args;
        new CommandLine(b).parseArgs(args);
        b.call();
        return b.report;
    }

    @Override
    public Integer call() throws Exception {
        long runStart = System.currentTimeMillis();
        Files.createDirectories(workDir);
        Memory.resetPeaks();
        report.put("command", command());
        report.put("started", Instant.ofEpochMilli(runStart).toString());
        report.put("machine", machine());
        String run = "bench-" + Long.toString(runStart, 36) + ".";
        EmbeddedKafka embedded = null;
        String servers = bootstrap;
        try (Memory mem = new Memory()) {
            if (servers == null) {
                embedded = EmbeddedKafka.start();
                servers = embedded.bootstrapServers();
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("requests", requests);
            settings.put("simRatePerSecond", simRate);
            settings.put("seed", seed);
            settings.put("broker", bootstrap == null ? "in-process KRaft broker (EmbeddedKafka), same JVM" : bootstrap);
            settings.put("parallelism", parallelism);
            settings.put("throughputCheckpointInterval", checkpointInterval);
            settings.put("latencyCheckpointInterval", latencyCheckpointInterval);
            settings.put("eventsPartitions", 2);
            settings.put("warmupRequests", warmupRequests);
            settings.put("jobOptions", jobOptions);
            report.put("settings", settings);

            Input.Topics in = createTopics(servers, run);
            Instant simStart = Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.HOURS);
            TrafficGenerator gen = Input.generator(seed, simStart, simRate);
            Path registryFile = workDir.resolve("registry.json");
            RegistryJson.write(gen.registry(), registryFile);

            log("producing " + requests + " requests ...");
            Input.Produced produced = Input.produce(servers, in, gen, requests);
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("requests", produced.requests());
            input.put("intensityUpdates", produced.intensityUpdates());
            input.put("registryEntries", produced.registryEntries());
            input.put("datacenters", produced.datacenters());
            input.put("models", produced.models());
            input.put("zones", produced.zones());
            input.put("datacenterModelPairs", produced.datacenterModels());
            input.put("meanEventBytes", (double) produced.eventBytes() / produced.requests());
            input.put("eventTimeSpanMinutes", (produced.lastEventTime() - produced.firstEventTime()) / 60_000.0);
            input.put("intensityUpdateMinutes", 5);
            input.put("produceSeconds", produced.seconds());
            input.put("produceRequestsPerSecond", produced.requestsPerSecond());
            report.put("input", input);
            log("input: " + input);

            try (Flink flink = new Flink(parallelism, workDir.toAbsolutePath())) {
                if (warmupRequests > 0) warmUp(flink, servers, run + "warm.", registryFile, simStart);
                double limitRate = 0;
                if (phases.contains("limit")) {
                    List<Map<String, Object>> runs = new ArrayList<>();
                    for (int c : limitConsumers) {
                        Limit.Result r = Limit.run(servers, in.events(), c);
                        if (r.records() != produced.requests()) throw new IllegalStateException("limit read " + r.records() + " records");
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("consumers", c);
                        m.put("records", r.records());
                        m.put("seconds", r.secondsFromFirstRecord());
                        m.put("secondsWithStartup", r.secondsWithStartup());
                        m.put("recordsPerSecond", r.recordsPerSecond());
                        runs.add(m);
                        limitRate = Math.max(limitRate, r.recordsPerSecond());
                        log("limit " + m);
                    }
                    Map<String, Object> limit = new LinkedHashMap<>();
                    limit.put("runs", runs);
                    limit.put("recordsPerSecond", limitRate);
                    report.put("limit", limit);
                }

                if (phases.contains("floor")) {
                    Map<String, Object> floor = new LinkedHashMap<>();
                    for (Floor.Shape shape : Floor.Shape.values()) {
                        Floor.Result r = Floor.run(flink, jobOptions(servers, in, run + "floor.", registryFile, checkpointInterval, true),
                                shape, produced.requests());
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("label", shape.label);
                        m.put("seconds", r.seconds());
                        m.put("requestsPerSecond", r.requestsPerSecond());
                        floor.put(shape.name(), m);
                        log("floor " + m);
                    }
                    report.put("floor", floor);
                }

                Map<String, Outputs.Row> carbonOut = null;
                double carbonNet = 0, carbonGross = 0;
                if (phases.contains("carbonstream")) {
                    Memory.resetPeaks();
                    long[] times = runCarbonstream(flink, jobOptions(servers, in, run + "cs.", registryFile, checkpointInterval, true));
                    long t0 = times[0], first = times[1], t1 = times[2];
                    carbonGross = produced.requests() / ((t1 - t0) / 1000.0);
                    carbonNet = produced.requests() / ((t1 - first) / 1000.0);
                    long peakHeap = Memory.peakHeap();
                    carbonOut = Outputs.carbonstream(servers, run + "cs.aggregates");
                    long dead = KafkaUtil.readAll(servers, run + "cs.dlq", r -> {});
                    long late = KafkaUtil.readAll(servers, run + "cs.late", r -> {});
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("requests", produced.requests());
                    m.put("secondsWithStartup", (t1 - t0) / 1000.0);
                    m.put("startupSeconds", (first - t0) / 1000.0);
                    m.put("secondsFirstRecordToLastCommit", (t1 - first) / 1000.0);
                    m.put("requestsPerSecond", carbonNet);
                    m.put("requestsPerSecondWithStartup", carbonGross);
                    m.put("aggregateRecords", carbonOut.size());
                    m.put("deadLetters", dead);
                    m.put("lateEvents", late);
                    m.put("peakHeapBytes", peakHeap);
                    m.put("vmHwmBytesSoFar", Memory.procStatusBytes("VmHWM"));
                    report.put("carbonstream", m);
                    log("carbonstream " + m);
                    if (dead != 0 || late != 0) {
                        throw new IllegalStateException("carbonstream dead-lettered " + dead + " and sent " + late
                                + " late events on an input that has neither: the comparison would be void");
                    }
                }

                Map<String, Outputs.Row> sqlOut = null;
                double sqlNet = 0, sqlGross = 0;
                if (phases.contains("sql")) {
                    Memory.resetPeaks();
                    long[] times = runSql(flink, servers, in, run + "sql");
                    long t0 = times[0], first = times[1], t1 = times[2], planned = times[3];
                    sqlGross = produced.requests() / ((t1 - t0) / 1000.0);
                    sqlNet = produced.requests() / ((t1 - first) / 1000.0);
                    long peakHeap = Memory.peakHeap();
                    sqlOut = Outputs.sql(servers, run + "sql.aggregates");
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("requests", produced.requests());
                    m.put("planningSeconds", (planned - t0) / 1000.0);
                    m.put("secondsWithStartup", (t1 - t0) / 1000.0);
                    m.put("startupSeconds", (first - t0) / 1000.0);
                    m.put("secondsFirstRecordToLastCommit", (t1 - first) / 1000.0);
                    m.put("requestsPerSecond", sqlNet);
                    m.put("requestsPerSecondWithStartup", sqlGross);
                    m.put("aggregateRecords", sqlOut.size());
                    m.put("peakHeapBytes", peakHeap);
                    report.put("sql", m);
                    log("sql " + m);
                }

                if (carbonOut != null && sqlOut != null) {
                    Outputs.Comparison c = Outputs.compare(carbonOut, sqlOut, tolerance);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("agree", c.agree());
                    m.put("tolerance", tolerance);
                    m.put("carbonstreamWindows", c.carbonKeys());
                    m.put("sqlWindows", c.sqlKeys());
                    m.put("windowsCompared", c.compared());
                    m.put("maxRelativeDifference", c.maxRelDiff());
                    m.put("totalsHourlyCarbonstream", Map.of("requests", c.totalsCarbon()[0], "facilityKwh", c.totalsCarbon()[1], "locationG", c.totalsCarbon()[2]));
                    m.put("totalsHourlySql", Map.of("requests", c.totalsSql()[0], "facilityKwh", c.totalsSql()[1], "locationG", c.totalsSql()[2]));
                    Map<String, Object> perDc = new LinkedHashMap<>();
                    c.hourlyByDatacenter().forEach((dc, v) -> perDc.put(dc, Map.of("requests", v[0], "facilityKwhCarbonstream", v[1],
                            "facilityKwhSql", v[4], "locationGCarbonstream", v[2], "locationGSql", v[5])));
                    m.put("hourlyByDatacenter", perDc);
                    m.put("differences", c.differences());
                    report.put("agreement", m);
                    log("agreement: agree=" + c.agree() + " compared=" + c.compared() + " maxRel=" + c.maxRelDiff() + " " + c.differences());
                    if (c.totalsCarbon()[0] != produced.requests()) {
                        m.put("agree", false);
                        c.differences().add("hourly windows count " + c.totalsCarbon()[0] + " requests, " + produced.requests() + " were produced");
                    }
                }

                if (phases.contains("latency")) {
                    double rate = latencyRate > 0 ? latencyRate : carbonNet / 2;
                    if (!(rate > 0)) throw new IllegalStateException("--latency-rate is needed when the carbonstream phase is not run");
                    String lp = run + "lat.";
                    Input.Topics lt = Input.Topics.of(lp);
                    KafkaUtil.createTopics(servers, List.of(new NewTopic(lt.events(), 2, (short) 1), new NewTopic(lt.intensity(), 1, (short) 1),
                            new NewTopic(lt.registry(), 1, (short) 1), new NewTopic(lt.aggregates(), 2, (short) 1),
                            new NewTopic(lt.deadLetters(), 1, (short) 1), new NewTopic(lt.late(), 1, (short) 1)));
                    KafkaUtil.createTopics(servers, extraTopics(lp));
                    Map<String, String> opts = jobOptions(servers, lt, lp, registryFile, latencyCheckpointInterval, false);
                    log("latency run: " + rate + " requests/s for " + latencySeconds + " s ...");
                    Memory.resetPeaks();
                    TrafficGenerator latGen = Input.generator(seed + 1, Instant.now().minus(Duration.ofHours(1)), simRate);
                    Latency.Result r = Latency.run(flink, servers, lt, opts, latGen, latencyPool, rate, Duration.ofSeconds(latencySeconds),
                            Duration.ofSeconds(latencyWarmupSeconds), mem);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("targetRequestsPerSecond", r.targetRate());
                    m.put("achievedRequestsPerSecond", r.achievedRate());
                    m.put("seconds", r.seconds());
                    m.put("requests", r.requests());
                    m.put("measuredRequests", r.measuredRequests());
                    m.put("measuredWindows", r.windows());
                    m.put("checkpointIntervalMs", r.checkpointIntervalMs());
                    m.put("produceToReadableP50Ms", r.p50Ms());
                    m.put("produceToReadableP99Ms", r.p99Ms());
                    m.put("produceToReadableMaxMs", r.maxMs());
                    m.put("windowEndToReadableP50Ms", r.excessP50Ms());
                    m.put("windowEndToReadableP99Ms", r.excessP99Ms());
                    m.put("windowEndToReadableMaxMs", r.excessMaxMs());
                    m.put("eventsOutOfOrdernessMs", r.outOfOrdernessMs());
                    m.put("watermarkToReadableP50Ms", r.afterWatermarkP50Ms());
                    m.put("watermarkToReadableP99Ms", r.afterWatermarkP99Ms());
                    m.put("watermarkToReadableMaxMs", r.afterWatermarkMaxMs());
                    m.put("peakHeapBytes", Memory.peakHeap());
                    m.put("liveHeapAfterWarmupBytes", r.liveHeapAfterWarmup());
                    m.put("liveHeapAtEndBytes", r.liveHeapAtEnd());
                    List<Map<String, Object>> tl = new ArrayList<>();
                    for (double[] x : r.heapTimeline()) {
                        tl.add(Map.of("atSeconds", x[0], "heapMinBytes", (long) x[1], "heapMaxBytes", (long) x[2], "rssMaxBytes", (long) x[3]));
                    }
                    m.put("heapTimeline", tl);
                    m.put("activeDatacenterModelKeys", r.activeDatacenterModels());
                    m.put("activeKeysAllDimensions", r.activeKeys());
                    if (r.checkpoint() != null) {
                        m.put("checkpointId", r.checkpoint().id());
                        m.put("checkpointStateBytes", r.checkpoint().totalBytes());
                        m.put("checkpointStateByOperator", r.checkpoint().byVertex());
                        m.put("checkpointBytesPerDatacenterModelKey", (double) r.checkpoint().totalBytes() / Math.max(1, r.activeDatacenterModels()));
                        m.put("checkpointDurationMs", r.checkpoint().durationMs());
                    }
                    report.put("latency", m);
                    log("latency " + m);
                }
            }
        } finally {
            if (embedded != null) embedded.close();
        }
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("processPeakRssBytes", Memory.procStatusBytes("VmHWM"));
        mem.put("processRssBytesAtEnd", Memory.procStatusBytes("VmRSS"));
        mem.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        report.put("memory", mem);
        report.put("durationSeconds", (System.currentTimeMillis() - runStart) / 1000.0);
        Report.assess(report);
        Report.write(report, reportDir);
        log("report written to " + reportDir.resolve("latest.md"));
        @SuppressWarnings("unchecked")
        Map<String, Object> agreement = (Map<String, Object>) report.get("agreement");
        if (agreement != null && !Boolean.TRUE.equals(agreement.get("agree"))) {
            System.err.println("BENCHMARK VOID: carbonstream and the SQL peer disagree: " + agreement.get("differences"));
            return 1;
        }
        return 0;
    }

    /** The input topics under {@code prefix} and the outputs of both systems (prefix cs. and sql.). */
    private static Input.Topics createTopics(String servers, String prefix) throws Exception {
        Input.Topics in = Input.Topics.of(prefix);
        KafkaUtil.createTopics(servers, List.of(new NewTopic(in.events(), 2, (short) 1), new NewTopic(in.intensity(), 1, (short) 1),
                new NewTopic(in.registry(), 1, (short) 1), new NewTopic(prefix + "cs.aggregates", 2, (short) 1),
                new NewTopic(prefix + "cs.dlq", 1, (short) 1), new NewTopic(prefix + "cs.late", 1, (short) 1),
                new NewTopic(prefix + "sql.aggregates", 2, (short) 1)));
        KafkaUtil.createTopics(servers, extraTopics(prefix + "cs."));
        return in;
    }

    /** carbonstream, bounded, to the end of its input; returns {submit, first record, end} wall times. */
    private static long[] runCarbonstream(Flink flink, Map<String, String> opts) throws Exception {
        FirstRecordProbe.FIRST_MS.set(Long.MAX_VALUE);
        StreamExecutionEnvironment env = flink.env();
        CarbonStreamJob.build(env, JobConfig.fromMap(opts), s -> s.map(new FirstRecordProbe()).name("benchmark: first-record probe"));
        long t0 = System.currentTimeMillis();
        JobID id = flink.submit(env, "carbonstream-benchmark");
        flink.await(id);
        return new long[] {t0, FirstRecordProbe.FIRST_MS.get(), System.currentTimeMillis()};
    }

    /** The SQL peer, bounded, writing {@code prefix}.aggregates; returns {submit, first record, end, planned} wall times. */
    private long[] runSql(Flink flink, String servers, Input.Topics in, String prefix) throws Exception {
        CarbonAvroFormatFactory.FIRST_DECODE_MS.set(Long.MAX_VALUE);
        JobConfig defaults = JobConfig.fromMap(Map.of());
        StreamExecutionEnvironment env = flink.env();
        env.setParallelism(parallelism);
        env.enableCheckpointing(JobConfig.fromMap(Map.of("checkpoint-interval", checkpointInterval))
                .ms(io.carbonstream.config.JobOptions.CHECKPOINT_INTERVAL));
        long t0 = System.currentTimeMillis();
        SqlPeer.build(env, new SqlPeer.Settings(servers, in.events(), in.intensity(), in.registry(), prefix + ".aggregates",
                prefix + "tx", prefix, defaults.get(io.carbonstream.config.JobOptions.OUT_OF_ORDERNESS),
                // carbonstream's bounded mode prices nothing before it has read all intensity; the peer's
                // equivalent is an intensity watermark that trails by more than the input spans (90 days,
                // the most a DAY TO SECOND interval holds) until the bounded input finishes (+inf).
                Duration.ofDays(90),
                defaults.get(io.carbonstream.config.JobOptions.IT_OVERHEAD), defaults.get(io.carbonstream.config.JobOptions.INTENSITY_DEFAULT),
                defaults.get(io.carbonstream.config.JobOptions.INTENSITY_MAX_AGE)));
        long planned = System.currentTimeMillis();
        JobID id = flink.submit(env, "sql-peer-benchmark");
        flink.await(id);
        return new long[] {t0, CarbonAvroFormatFactory.FIRST_DECODE_MS.get(), System.currentTimeMillis(), planned};
    }

    /**
     * Every system once over a separate, smaller input, results discarded: the measured runs then
     * compare JIT-compiled code in all systems (on 2 cores, compiling the hot paths of a fresh JVM
     * took a quarter of the CPU of a 25-s run).
     */
    private void warmUp(Flink flink, String servers, String prefix, Path registryFile, Instant simStart) throws Exception {
        log("warm-up: " + warmupRequests + " requests through every system ...");
        Input.Topics w = createTopics(servers, prefix);
        Input.produce(servers, w, Input.generator(seed + 7, simStart, simRate), warmupRequests);
        if (phases.contains("limit")) Limit.run(servers, w.events(), limitConsumers.get(limitConsumers.size() - 1));
        if (phases.contains("floor")) {
            for (Floor.Shape shape : Floor.Shape.values()) {
                Floor.run(flink, jobOptions(servers, w, prefix + "floor.", registryFile, checkpointInterval, true), shape, warmupRequests);
            }
        }
        if (phases.contains("carbonstream") || phases.contains("latency")) {
            runCarbonstream(flink, jobOptions(servers, w, prefix + "cs.", registryFile, checkpointInterval, true));
        }
        if (phases.contains("sql")) runSql(flink, servers, w, prefix + "sql");
        log("warm-up done");
    }

    private Map<String, String> jobOptions(String servers, Input.Topics in, String prefix, Path registry, String checkpoint, boolean bounded) {
        Map<String, String> c = new HashMap<>();
        c.put("bootstrap-servers", servers);
        c.put("topic.events", in.events());
        c.put("topic.intensity", in.intensity());
        c.put("topic.registry", in.registry());
        c.put("topic.aggregates", prefix + "aggregates");
        c.put("topic.dead-letters", prefix + "dlq");
        c.put("topic.late-events", prefix + "late");
        // Any further output of the job (e.g. topic.alerts): its own topic under the prefix.
        for (String k : extraOutputTopics()) c.put(k, prefix + k.substring("topic.".length()));
        c.put("transactional-id-prefix", prefix + "tx");
        c.put("group-id", prefix + "group");
        c.put("start-from", "EARLIEST");
        c.put("parallelism", String.valueOf(parallelism));
        c.put("checkpoint-interval", checkpoint);
        c.put("registry-file", registry.toAbsolutePath().toString());
        c.put("bounded", String.valueOf(bounded));
        c.putAll(jobOptions);
        return c;
    }

    /**
     * Output topic options of the job beyond events/intensity/registry/aggregates/dead letters/late
     * events. Optional inputs (OTLP spans) stay unset: an empty input would hold the watermark back
     * until its idle timeout.
     */
    static List<String> extraOutputTopics() {
        List<String> out = new ArrayList<>();
        for (var o : io.carbonstream.config.JobOptions.all()) {
            String k = o.key();
            if (k.startsWith("topic.") && !List.of("topic.events", "topic.intensity", "topic.registry", "topic.aggregates",
                    "topic.dead-letters", "topic.late-events", "topic.otlp-spans").contains(k)) out.add(k);
        }
        return out;
    }

    static List<NewTopic> extraTopics(String prefix) {
        List<NewTopic> out = new ArrayList<>();
        for (String k : extraOutputTopics()) out.add(new NewTopic(prefix + k.substring("topic.".length()), 1, (short) 1));
        return out;
    }

    private String command() {
        StringBuilder b = new StringBuilder("flock /tmp/mvn.lock java -Xmx3g -Djava.io.tmpdir=benchmark/target -jar benchmark/target/carbonstream-benchmark.jar");
        for (String a : args) b.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        return b.toString();
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("memTotalBytes", meminfo("MemTotal"));
        m.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        m.put("jvmArgs", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    m.put("cpu", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        m.put("flink", org.apache.flink.runtime.util.EnvironmentInformation.getVersion());
        m.put("kafkaClients", org.apache.kafka.common.utils.AppInfoParser.getVersion());
        return m;
    }

    private static long meminfo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return -1;
    }

    static void log(String s) {
        System.out.println("[benchmark " + Instant.now() + "] " + s);
    }
}
