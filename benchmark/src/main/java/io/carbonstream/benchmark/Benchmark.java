package io.carbonstream.benchmark;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.Op;
import io.carbonstream.config.JobConfig;
import io.carbonstream.generator.Fleet;
import io.carbonstream.generator.GeneratorSettings;
import io.carbonstream.generator.RegistryJson;
import io.carbonstream.generator.TrafficGenerator;
import io.carbonstream.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
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
 * The benchmark (issues 6, 15, 13), in one run on one machine against one real Kafka broker: the
 * limit (plain consumers), the floors, carbonstream (bounded, MiniCluster) and the SQL peers (same
 * semantics, same input; every window must agree) in two rounds, the scale curve, the GPU
 * attribution path, latency at half load, memory and checkpointed state. One method per phase, each
 * returning its record of {@link Results}; {@link Report} derives the ratios and writes them.
 */
@Command(
        name = "carbonstream-benchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Throughput, latency and memory of carbonstream vs. a plain Kafka consumer and the"
                        + " same job in Flink SQL.")
public final class Benchmark implements Callable<Integer> {

    @Option(names = "--requests", description = "Requests to generate (default: ${DEFAULT-VALUE}).")
    long requests = 2_000_000;

    @Option(
            names = "--sim-rate",
            description =
                    "Mean requests per simulated second of the generator: sets how much event time"
                            + " N spans (default: ${DEFAULT-VALUE}).")
    double simRate = 500;

    @Option(names = "--seed", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(
            names = "--bootstrap-servers",
            description = "An existing broker; default: an in-process KRaft broker.")
    String bootstrap;

    @Option(
            names = "--parallelism",
            description = "Parallelism of both Flink jobs (default: ${DEFAULT-VALUE}).")
    int parallelism = 2;

    @Option(
            names = "--checkpoint-interval",
            description =
                    "Checkpoint interval of the bounded throughput runs, both systems (default:"
                            + " ${DEFAULT-VALUE}).")
    String checkpointInterval = "2 s";

    @Option(
            names = "--limit-consumers",
            split = ",",
            description =
                    "Consumer thread counts for the limit; the best is the limit (default: 1,2).")
    List<Integer> limitConsumers = new ArrayList<>(List.of(1, 2));

    @Option(
            names = "--warmup-requests",
            description =
                    "Size of a separate warm-up input that every system (limit, floors,"
                        + " carbonstream, SQL) processes once before its measured run, so that all"
                        + " are measured JIT-compiled; 0 = none (default: ${DEFAULT-VALUE}).")
    long warmupRequests = 200_000;

    @Option(
            names = "--latency-seconds",
            description =
                    "Length of the fixed-rate latency/memory run (default: ${DEFAULT-VALUE}).")
    int latencySeconds = 180;

    @Option(
            names = "--latency-warmup-seconds",
            description =
                    "Requests of the first seconds are not measured (default: ${DEFAULT-VALUE}).")
    int latencyWarmupSeconds = 30;

    @Option(
            names = "--latency-rate",
            description =
                    "Requests/s of the latency run; 0 = half of carbonstream's measured throughput"
                            + " (default: ${DEFAULT-VALUE}).")
    double latencyRate = 0;

    @Option(
            names = "--latency-checkpoint-interval",
            description =
                    "Checkpoint interval of the latency run (default: the job's default,"
                            + " ${DEFAULT-VALUE}).")
    String latencyCheckpointInterval = "10 s";

    @Option(
            names = "--latency-pool",
            description =
                    "Distinct generated requests cycled by the latency producer (default:"
                            + " ${DEFAULT-VALUE}).")
    int latencyPool = 200_000;

    @Option(
            names = "--job-option",
            description =
                    "Extra carbonstream option key=value (both carbonstream runs), e.g."
                            + " intensity.idle-timeout=5s.")
    Map<String, String> jobOptions = new LinkedHashMap<>();

    @Option(
            names = "--phases",
            split = ",",
            description =
                    "Phases to run (default:"
                            + " limit,floor,carbonstream,sql,scale,attribution,latency).")
    List<String> phases =
            new ArrayList<>(
                    List.of(
                            "limit",
                            "floor",
                            "carbonstream",
                            "sql",
                            "scale",
                            "attribution",
                            "latency"));

    @Option(
            names = "--report-dir",
            description = "Where latest.md and latest.json go (default: ${DEFAULT-VALUE}).")
    Path reportDir = Path.of("benchmark/reports");

    @Option(
            names = "--work-dir",
            description =
                    "Scratch directory: registry file, checkpoints (default: ${DEFAULT-VALUE}).")
    Path workDir = Path.of("benchmark/target/bench-work");

    @Option(
            names = "--tolerance",
            description =
                    "Largest relative difference allowed between carbonstream and SQL (default:"
                            + " ${DEFAULT-VALUE}).")
    double tolerance = 1e-6;

    @Option(
            names = "--rounds",
            description =
                    "Measured runs of each system over the main input; round 2 runs the systems in"
                            + " reverse order, so that neither always runs first or last (default:"
                            + " ${DEFAULT-VALUE}).")
    int rounds = 2;

    @Option(
            names = "--sql-variants",
            split = ",",
            description =
                    "SQL peers to run: CASCADED, CASCADED_MINIBATCH_TWO_PHASE, PER_WINDOW "
                            + "(default: all three).")
    List<SqlPeer.Variant> sqlVariants = new ArrayList<>(List.of(SqlPeer.Variant.values()));

    @Option(
            names = "--scale-points",
            split = ",",
            description =
                    "Fleets of the scale curve, DATACENTERSxMODELSxZONES "
                            + "(default: ${DEFAULT-VALUE}).")
    List<String> scalePoints =
            new ArrayList<>(
                    List.of(
                            "24x34x10",
                            "100x64x10",
                            "300x100x10",
                            "500x200x10",
                            "300x34x10",
                            "300x34x300"));

    @Option(
            names = "--scale-key-rate",
            description =
                    "Requests per (datacenter, model) key per simulated minute at every scale"
                            + " point, so every point has the same traffic per key and, while"
                            + " traffic flows, the same windows per request (default:"
                            + " ${DEFAULT-VALUE}).")
    double scaleKeyRate = 4;

    @Option(
            names = "--scale-minutes",
            description =
                    "Simulated minutes of the shorter input of every scale point; small fleets run"
                            + " longer, to have --scale-min-requests (default: ${DEFAULT-VALUE}).")
    double scaleMinutes = 5;

    @Option(
            names = "--scale-min-requests",
            description =
                    "Fewest requests in the shorter input of a scale point: fewer and the fixed"
                            + " costs of a run drown the difference measured (default:"
                            + " ${DEFAULT-VALUE}).")
    long scaleMinRequests = 250_000;

    @Option(
            names = "--scale-parallelism",
            split = ",",
            description = "Parallelisms of every scale point (default: 1,2).")
    List<Integer> scaleParallelism = new ArrayList<>(List.of(1, 2));

    @Option(
            names = "--attribution-requests",
            description = "Requests of the GPU attribution phase (default: ${DEFAULT-VALUE}).")
    long attributionRequests = 500_000;

    @Option(
            names = "--profile",
            description =
                    "Write an async-profiler CPU profile (collapsed stacks, itimer, 1 ms) of"
                        + " carbonstream's first measured run to this file. Needs"
                        + " tools.profiler:async-profiler on the class path and --profiler-lib.")
    Path profile;

    @Option(
            names = "--profiler-lib",
            description =
                    "Path of async-profiler's libasyncProfiler.so (from the jar's linux-x64/"
                            + " folder).")
    Path profilerLib;

    String[] args = new String[0];

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null)
            System.setProperty("log4j2.configurationFile", "log4j2-benchmark.properties");
        Benchmark b = new Benchmark();
        b.args = args;
        int rc = new CommandLine(b).execute(args);
        System.exit(rc);
    }

    /** Runs with these arguments in this JVM (the smoke test's entry); returns the report. */
    public static Results.Run run(String... args) throws Exception {
        Benchmark b = new Benchmark();
        b.args = args;
        new CommandLine(b).parseArgs(args);
        b.call();
        return b.result;
    }

    Results.Run result;

    /** Where one run's topics live and what every phase shares. */
    private record Ctx(
            Flink flink, String servers, String run, Path registryFile, Instant simStart) {}

    @Override
    public Integer call() throws Exception {
        // Before anything runs: a bad value would otherwise surface only after the earlier phases.
        if (!(scaleKeyRate > 0) || !(scaleMinutes > 0) || scaleMinRequests < 1)
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--scale-key-rate and --scale-minutes must be above 0 and --scale-min-requests"
                            + " at least 1, not "
                            + scaleKeyRate
                            + ", "
                            + scaleMinutes
                            + ", "
                            + scaleMinRequests);
        long runStart = System.currentTimeMillis();
        Files.createDirectories(workDir);
        kafkaPropertiesFile = workDir.resolve("kafka.properties");
        Files.writeString(kafkaPropertiesFile, KAFKA_PROPERTIES);
        Memory.resetPeaks();
        String run = "bench-" + Long.toString(runStart, 36) + ".";
        EmbeddedKafka embedded = null;
        String servers = bootstrap;
        Results.Settings settings =
                new Results.Settings(
                        requests,
                        simRate,
                        seed,
                        bootstrap == null
                                ? "in-process KRaft broker (EmbeddedKafka), same JVM"
                                : bootstrap,
                        parallelism,
                        checkpointInterval,
                        latencyCheckpointInterval,
                        2,
                        warmupRequests,
                        rounds,
                        sqlVariants.stream().map(Enum::name).toList(),
                        jobOptions);
        Results.InputStats input = null;
        Results.LimitPhase limit = null;
        List<Results.FloorRun> floor = null;
        Results.ThroughputPhase throughput = null;
        List<Results.Agreement> agreement = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Results.ScalePhase scale = null;
        Results.AttributionPhase attribution = null;
        Results.LatencyPhase latency = null;
        try (Memory mem = new Memory()) {
            if (servers == null) {
                embedded = EmbeddedKafka.start();
                servers = embedded.bootstrapServers();
            }
            Instant simStart =
                    Instant.now().minus(Duration.ofDays(3)).truncatedTo(ChronoUnit.HOURS);
            TrafficGenerator gen = Input.generator(seed, simStart, simRate);
            Path registryFile = workDir.resolve("registry.json");
            RegistryJson.write(gen.registry(), registryFile);
            try (Flink flink = new Flink(Math.max(parallelism, 2), workDir.toAbsolutePath())) {
                Ctx ctx = new Ctx(flink, servers, run, registryFile, simStart);
                Input.Topics in = Input.Topics.of(run + "main.");
                createInputTopics(servers, in);
                if (needsMainInput()) {
                    log("producing " + requests + " requests ...");
                    input = inputStats(Input.produce(servers, in, gen, requests));
                    log("input: " + input);
                }
                // Every measured phase runs after the warm-up, also when only the scale curve or
                // the attribution path is asked for: a cold JVM compiles during the first point's
                // runs and makes its marginal cost meaningless (seen: a negative one).
                if (warmupRequests > 0) warmUp(ctx);
                if (phases.contains("limit")) limit = limit(servers, in.events(), input.requests());
                if (phases.contains("floor")) floor = floors(ctx, in, input.requests());
                double carbonRate = 0;
                if (phases.contains("carbonstream") || phases.contains("sql")) {
                    throughput = throughput(ctx, in, input.requests(), agreement);
                    carbonRate =
                            throughput.runs().stream()
                                    .filter(r -> r.system().equals(CARBONSTREAM))
                                    .mapToDouble(r -> r.timing().recordsPerSecondToLastCommit())
                                    .max()
                                    .orElse(0);
                }
                // The long phases after the comparison: one failing (say, out of memory at the
                // largest fleet)
                // leaves the others and the report standing, and the run's exit code says so.
                if (phases.contains("scale")) scale = attempt("scale", failed, () -> scale(ctx));
                if (phases.contains("attribution"))
                    attribution = attempt("attribution", failed, () -> attribution(ctx));
                double rate = carbonRate;
                if (phases.contains("latency"))
                    latency =
                            attempt("latency", failed, () -> latency(ctx, registryFile, rate, mem));
            }
        } finally {
            if (embedded != null) embedded.close();
        }
        Results.ProcessMemory memory =
                new Results.ProcessMemory(
                        Memory.procStatusBytes("VmHWM"),
                        Memory.procStatusBytes("VmRSS"),
                        Runtime.getRuntime().maxMemory());
        Results.Run partial =
                new Results.Run(
                        command(),
                        Instant.ofEpochMilli(runStart).toString(),
                        (System.currentTimeMillis() - runStart) / 1000.0,
                        machine(),
                        settings,
                        input,
                        limit,
                        floor,
                        throughput,
                        agreement.isEmpty() ? null : agreement,
                        scale,
                        attribution,
                        latency,
                        memory,
                        null,
                        null,
                        failed.isEmpty() ? null : failed);
        result = Report.assess(partial);
        Report.write(result, reportDir);
        log("report written to " + reportDir.resolve("latest.md"));
        List<Results.Agreement> void_ = agreement.stream().filter(a -> !a.agree()).toList();
        if (!void_.isEmpty()) {
            System.err.println("BENCHMARK VOID: carbonstream and the SQL peer disagree: " + void_);
            return 1;
        }
        if (!failed.isEmpty()) {
            System.err.println("BENCHMARK INCOMPLETE: " + failed);
            return 1;
        }
        return 0;
    }

    interface Phase<T> {
        T run() throws Exception;
    }

    /** Runs a phase; a failure is logged and noted, and the phase's figures are left out. */
    private static <T> T attempt(String name, List<String> failed, Phase<T> phase) {
        try {
            return phase.run();
        } catch (Exception | OutOfMemoryError e) {
            e.printStackTrace();
            failed.add(name + ": " + e);
            return null;
        }
    }

    static final String CARBONSTREAM = "CARBONSTREAM";

    /**
     * Kafka client settings of both systems' sources (carbonstream through --kafka-properties-file,
     * the SQL peer as connector options). Flink registers every Kafka consumer metric under its
     * bare name, and Kafka 4's consumer has several metrics of one name in different groups:
     * hundreds of "name collision" warnings per run, for metrics the benchmark never reads.
     */
    static final String KAFKA_PROPERTIES =
            """
            register.consumer.metrics=false
            """;

    private Path kafkaPropertiesFile;

    private boolean needsMainInput() {
        return phases.stream()
                .anyMatch(p -> List.of("limit", "floor", "carbonstream", "sql").contains(p));
    }

    private static Results.InputStats inputStats(Input.Produced p) {
        return new Results.InputStats(
                p.requests(),
                p.intensityUpdates(),
                p.registryEntries(),
                p.datacenters(),
                p.models(),
                p.zones(),
                p.datacenterModels(),
                (double) p.eventBytes() / p.requests(),
                (p.lastEventTime() - p.firstEventTime()) / 60_000.0,
                p.seconds(),
                p.requestsPerSecond());
    }

    /**
     * LIMIT: plain consumers, each consumer count once per round (round 2 in reverse order); the
     * best rate is the limit.
     */
    private Results.LimitPhase limit(String servers, String topic, long expected) throws Exception {
        List<Results.LimitRun> runs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Integer> order = new ArrayList<>(limitConsumers);
            if (round % 2 == 0) Collections.reverse(order);
            for (int c : order) {
                Results.LimitRun r = limitRun(servers, topic, c, expected);
                runs.add(r);
                log("limit " + r);
            }
        }
        return new Results.LimitPhase(
                runs,
                runs.stream()
                        .mapToDouble(Results.LimitRun::recordsPerSecond)
                        .max()
                        .orElse(Double.NaN));
    }

    private static Results.LimitRun limitRun(
            String servers, String topic, int consumers, long expected) throws Exception {
        Meter m = Meter.start();
        Limit.Result r = Limit.run(servers, topic, consumers);
        Meter.Delta d = m.stop();
        if (r.records() != expected)
            throw new IllegalStateException(
                    "limit read " + r.records() + " records, " + expected + " expected");
        return new Results.LimitRun(
                consumers,
                r.records(),
                r.secondsFromFirstRecord(),
                r.secondsWithStartup(),
                r.recordsPerSecond(),
                d.jitSeconds());
    }

    /**
     * FLOOR: carbonstream's own source and intake with the requests discarded, every shape once per
     * round.
     */
    private List<Results.FloorRun> floors(Ctx ctx, Input.Topics in, long n) throws Exception {
        List<Results.FloorRun> out = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            List<Floor.Shape> order = new ArrayList<>(List.of(Floor.Shape.values()));
            if (round % 2 == 0) Collections.reverse(order);
            for (Floor.Shape shape : order) {
                Meter m = Meter.start();
                Floor.Result r =
                        Floor.run(
                                ctx.flink(),
                                jobOptions(
                                        ctx.servers(),
                                        in,
                                        ctx.run() + "floor.",
                                        ctx.registryFile(),
                                        checkpointInterval,
                                        true,
                                        parallelism),
                                shape,
                                n);
                Results.FloorRun f =
                        new Results.FloorRun(
                                shape.name(),
                                shape.label,
                                round,
                                Results.Timing.of(
                                        n,
                                        r.submitMs(),
                                        r.firstMs(),
                                        r.lastMs(),
                                        r.endMs(),
                                        m.stop()));
                out.add(f);
                log("floor " + f);
            }
        }
        return out;
    }

    /**
     * carbonstream and every SQL peer over the main input, {@link #rounds} times, round 2 in
     * reverse order. Every SQL run's windows are compared with carbonstream's first run.
     */
    private Results.ThroughputPhase throughput(
            Ctx ctx, Input.Topics in, long n, List<Results.Agreement> agreement) throws Exception {
        List<String> systems = new ArrayList<>();
        if (phases.contains("carbonstream")) systems.add(CARBONSTREAM);
        if (phases.contains("sql")) sqlVariants.forEach(v -> systems.add(v.name()));
        List<Results.SystemRun> runs = new ArrayList<>();
        List<String> order = new ArrayList<>();
        Map<String, Outputs.Row> carbonOut = null;
        for (int round = 1; round <= rounds; round++) {
            List<String> these = new ArrayList<>(systems);
            if (round % 2 == 0) Collections.reverse(these);
            // The SQL runs of round 2 come first: carbonstream's answer of round 1 is their
            // reference.
            for (String system : these) {
                order.add(system + "#" + round);
                String prefix = ctx.run() + "r" + round + "." + system.toLowerCase() + ".";
                if (system.equals(CARBONSTREAM)) {
                    createOutputTopics(ctx.servers(), prefix);
                    Memory.resetPeaks();
                    Profiler prof =
                            round == 1 && profile != null ? Profiler.start(profilerLib) : null;
                    CsRun r =
                            runCarbonstream(
                                    ctx.flink(),
                                    jobOptions(
                                            ctx.servers(),
                                            in,
                                            prefix,
                                            ctx.registryFile(),
                                            checkpointInterval,
                                            true,
                                            parallelism),
                                    ctx.servers(),
                                    prefix + "aggregates",
                                    n);
                    if (prof != null) prof.stop(profile);
                    long peak = Memory.peakHeap();
                    Map<String, Outputs.Row> out =
                            Outputs.carbonstream(ctx.servers(), prefix + "aggregates");
                    long dead = KafkaUtil.readAll(ctx.servers(), prefix + "dlq", x -> {});
                    long late = KafkaUtil.readAll(ctx.servers(), prefix + "late", x -> {});
                    if (dead != 0 || late != 0) {
                        throw new IllegalStateException(
                                "carbonstream dead-lettered "
                                        + dead
                                        + " and sent "
                                        + late
                                        + " late events on an input that has neither: the"
                                        + " comparison would be void");
                    }
                    if (carbonOut == null) carbonOut = out;
                    Results.SystemRun sr =
                            new Results.SystemRun(
                                    system,
                                    "CARBONSTREAM, bounded, p=" + parallelism,
                                    round,
                                    r.timing(),
                                    out.size(),
                                    dead,
                                    late,
                                    peak);
                    runs.add(sr);
                    log("run " + sr);
                } else {
                    SqlPeer.Variant v = SqlPeer.Variant.valueOf(system);
                    KafkaUtil.createTopics(
                            ctx.servers(),
                            List.of(KafkaUtil.outputTopic(prefix + "aggregates", 2)));
                    Memory.resetPeaks();
                    Results.Timing t = runSql(ctx.flink(), ctx.servers(), in, prefix, v, n);
                    long peak = Memory.peakHeap();
                    Map<String, Outputs.Row> out =
                            Outputs.sql(ctx.servers(), prefix + "aggregates");
                    Results.SystemRun sr =
                            new Results.SystemRun(
                                    system,
                                    v.label + ", bounded, p=" + parallelism,
                                    round,
                                    t,
                                    out.size(),
                                    0,
                                    0,
                                    peak);
                    runs.add(sr);
                    log("run " + sr);
                    if (carbonOut != null) {
                        Results.Agreement a = agreement(system, round, carbonOut, out, n);
                        agreement.add(a);
                        log(
                                "agreement "
                                        + system
                                        + "#"
                                        + round
                                        + ": agree="
                                        + a.agree()
                                        + " compared="
                                        + a.windowsCompared()
                                        + " maxRel="
                                        + a.maxRelativeDifference()
                                        + " "
                                        + a.differences());
                    }
                }
            }
        }
        return new Results.ThroughputPhase(order, runs);
    }

    private Results.Agreement agreement(
            String system,
            int round,
            Map<String, Outputs.Row> carbon,
            Map<String, Outputs.Row> sql,
            long n) {
        Outputs.Comparison c = Outputs.compare(carbon, sql, tolerance);
        List<String> diffs = new ArrayList<>(c.differences());
        if (c.totalsCarbon()[0] != n)
            diffs.add(
                    "hourly windows count "
                            + c.totalsCarbon()[0]
                            + " requests, "
                            + n
                            + " were produced");
        return new Results.Agreement(
                system,
                round,
                diffs.isEmpty(),
                tolerance,
                c.carbonKeys(),
                c.sqlKeys(),
                c.compared(),
                c.maxRelDiff(),
                (long) c.totalsCarbon()[0],
                (long) c.totalsSql()[0],
                c.totalsCarbon()[1],
                c.totalsSql()[1],
                c.totalsCarbon()[2],
                c.totalsSql()[2],
                diffs);
    }

    /**
     * The scale curve: for every fleet, carbonstream bounded at every parallelism at {@link
     * #scaleKeyRate} requests per (datacenter, model) key and simulated minute: the fleet grows,
     * its keys stay as busy.
     */
    private Results.ScalePhase scale(Ctx ctx) throws Exception {
        List<Results.ScalePoint> points = new ArrayList<>();
        int i = 0;
        for (String spec : scalePoints) {
            String[] p = spec.toLowerCase().split("x");
            if (p.length != 3)
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--scale-points: DCxMODELSxZONES, not " + spec);
            int dcs = Integer.parseInt(p[0]),
                    models = Integer.parseInt(p[1]),
                    zones = Integer.parseInt(p[2]);
            Fleet fleet = Input.scaledFleet(dcs, models, zones);
            int keys = dcs * models;
            // Same traffic per key at every point, and two inputs per point: one over
            // --scale-minutes and one twice as long at the same rate. What the second run costs
            // more, per request it has more, is the steady cost of a request in this fleet (its
            // pricing and its share of the minute and rolling-hour windows written while traffic
            // flows). The fixed costs of a bounded run (submission, deployment, the flush of every
            // key's 60 rolling hours after its last minute, the last checkpoint) are the same in
            // both runs and cancel; on the smallest fleets they would otherwise dominate.
            double rate = keys * scaleKeyRate / 60;
            long requests =
                    Math.max(Math.round(keys * scaleKeyRate * scaleMinutes), scaleMinRequests);
            TrafficGenerator genShort = Input.generator(seed + 11, ctx.simStart(), rate, fleet);
            TrafficGenerator gen = Input.generator(seed + 11, ctx.simStart(), rate, fleet);
            Path registry = workDir.resolve("registry-scale-" + i + ".json");
            RegistryJson.write(gen.registry(), registry);
            Input.Topics inShort = Input.Topics.of(ctx.run() + "scale" + i + ".short.");
            Input.Topics in = Input.Topics.of(ctx.run() + "scale" + i + ".");
            createInputTopics(ctx.servers(), inShort);
            createInputTopics(ctx.servers(), in);
            log(
                    "scale "
                            + spec
                            + ": producing "
                            + requests
                            + " + "
                            + 2 * requests
                            + " requests at "
                            + Math.round(rate)
                            + "/simulated s ...");
            Input.Produced producedShort =
                    Input.produce(ctx.servers(), inShort, genShort, requests);
            Input.Produced produced = Input.produce(ctx.servers(), in, gen, 2 * requests);
            for (int par : scaleParallelism) {
                String prefix = ctx.run() + "scale" + i + ".p" + par + ".";
                ScaleRun shortRun =
                        scaleRun(ctx, inShort, prefix + "short.", registry, par, producedShort);
                ScaleRun r = scaleRun(ctx, in, prefix, registry, par, produced);
                long moreRequests = produced.requests() - producedShort.requests();
                double cpuUs = r.run().timing().cpuSeconds() * 1e6;
                Flink.CheckpointState cp = r.checkpoint();
                Results.ScalePoint sp =
                        new Results.ScalePoint(
                                dcs,
                                models,
                                fleet.zones().size(),
                                keys,
                                par,
                                produced.requests(),
                                rate,
                                (produced.lastEventTime() - produced.firstEventTime()) / 60_000.0,
                                r.run().timing(),
                                r.windows(),
                                (double) r.windows() / produced.requests(),
                                cpuUs / produced.requests(),
                                cpuUs / (produced.requests() + r.windows()),
                                cp.totalBytes(),
                                (double) cp.totalBytes() / keys,
                                cp.byVertex(),
                                producedShort.requests(),
                                shortRun.run().timing().cpuSeconds(),
                                shortRun.windows(),
                                (r.run().timing().cpuSeconds()
                                                - shortRun.run().timing().cpuSeconds())
                                        * 1e6
                                        / moreRequests,
                                (double) (r.windows() - shortRun.windows()) / moreRequests);
                points.add(sp);
                log("scale " + sp);
            }
            i++;
        }
        return new Results.ScalePhase(
                "Each point: a fleet of DATACENTERS x MODELS keys in ZONES zones, the same"
                        + " traffic per key at every point (--scale-key-rate requests per key and"
                        + " simulated minute, so the simulated rate grows with the keys), over"
                        + " --scale-minutes or, on small fleets, long enough for"
                        + " --scale-min-requests; and a second input twice as long at the same"
                        + " rate. Both run bounded at every parallelism; the table shows the"
                        + " longer run. Marginal CPU per request = (CPU of the longer run - CPU of"
                        + " the shorter) / the requests it has more: the steady cost of a request,"
                        + " its pricing and its share of the windows written while traffic flows,"
                        + " without the fixed costs of a bounded run (submission, the flush of"
                        + " every key's 60 rolling hours after its last minute, the last"
                        + " checkpoint), which both runs pay alike. That is the figure the"
                        + " flat-cost target is judged on. Largest checkpoint: the largest of the"
                        + " longer run's retained checkpoint statistics.",
                points);
    }

    private record ScaleRun(CsRun run, long windows, Flink.CheckpointState checkpoint) {}

    /** One bounded carbonstream run of a scale point: its timing, windows written, checkpoint. */
    private ScaleRun scaleRun(
            Ctx ctx,
            Input.Topics in,
            String prefix,
            Path registry,
            int par,
            Input.Produced produced)
            throws Exception {
        createOutputTopics(ctx.servers(), prefix);
        CsRun r =
                runCarbonstream(
                        ctx.flink(),
                        jobOptions(
                                ctx.servers(), in, prefix, registry, checkpointInterval, true, par),
                        ctx.servers(),
                        prefix + "aggregates",
                        produced.requests());
        long windows = KafkaUtil.readAll(ctx.servers(), prefix + "aggregates", x -> {});
        return new ScaleRun(r, windows, ctx.flink().largestCheckpoint(r.job()));
    }

    /**
     * The GPU attribution path (issue 13): the generator's metered GPU pool (counter readings every
     * 10 s, requests placed on its GPUs and naming them), read by carbonstream with and without
     * --topic.gpu-energy (each once per round, alternating) and by the plain consumer (the limit).
     */
    private Results.AttributionPhase attribution(Ctx ctx) throws Exception {
        TrafficGenerator gen =
                new TrafficGenerator(
                        GeneratorSettings.of(seed + 13, ctx.simStart(), simRate)
                                .withFleet(Input.fleet())
                                .withoutLateData()
                                .withGpuCounters(true));
        Path registry = workDir.resolve("registry-attribution.json");
        RegistryJson.write(gen.registry(), registry);
        Input.Topics in = Input.Topics.of(ctx.run() + "gpu.");
        createInputTopics(ctx.servers(), in);
        log(
                "attribution: producing "
                        + attributionRequests
                        + " requests and their GPU counters ...");
        Input.Produced produced = Input.produce(ctx.servers(), in, gen, attributionRequests);
        Results.LimitRun plain =
                limitRun(
                        ctx.servers(),
                        in.events(),
                        limitConsumers.get(limitConsumers.size() - 1),
                        produced.requests());
        List<Results.Timing> without = new ArrayList<>(), with = new ArrayList<>();
        Flink.CheckpointState cp = null;
        long attributionRecords = 0;
        for (int round = 1; round <= rounds; round++) {
            for (boolean attributed :
                    round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                String prefix = ctx.run() + "gpu.r" + round + (attributed ? ".with." : ".without.");
                createOutputTopics(ctx.servers(), prefix);
                Map<String, String> opts =
                        jobOptions(
                                ctx.servers(),
                                in,
                                prefix,
                                registry,
                                checkpointInterval,
                                true,
                                parallelism);
                // The generator's requests on the metered pool last at most 90 s (the demo's
                // setting).
                opts.put("events.max-request-duration", "2 min");
                if (attributed) opts.put("topic.gpu-energy", in.gpuEnergy());
                CsRun r =
                        runCarbonstream(
                                ctx.flink(),
                                opts,
                                ctx.servers(),
                                prefix + "aggregates",
                                produced.requests());
                (attributed ? with : without).add(r.timing());
                log(
                        "attribution "
                                + (attributed ? "with" : "without")
                                + " #"
                                + round
                                + " "
                                + r.timing());
                if (attributed && cp == null) {
                    cp = ctx.flink().largestCheckpoint(r.job());
                    attributionRecords =
                            KafkaUtil.readAll(ctx.servers(), prefix + "gpu-attribution", x -> {});
                }
            }
        }
        long gpuState = 0;
        for (Map.Entry<String, Long> e : cp.byVertex().entrySet()) {
            if (e.getKey().contains(Op.GPU_USES.label)
                    || e.getKey().contains(Op.GPU_ATTRIBUTION.label)) gpuState += e.getValue();
        }
        return new Results.AttributionPhase(
                produced.requests(),
                produced.requestsNamingGpus(),
                produced.gpuSamples(),
                produced.gpus(),
                plain,
                best(without),
                best(with),
                attributionRecords,
                cp.totalBytes(),
                gpuState,
                (double) gpuState / Math.max(1, produced.gpus()),
                cp.byVertex());
    }

    /** The faster of a system's rounds (noise on a shared machine only slows a run down). */
    static Results.Timing best(List<Results.Timing> ts) {
        return ts.stream()
                .max(
                        java.util.Comparator.comparingDouble(
                                Results.Timing::recordsPerSecondToLastCommit))
                .orElseThrow();
    }

    private Results.LatencyPhase latency(Ctx ctx, Path registryFile, double carbonRate, Memory mem)
            throws Exception {
        double rate = latencyRate > 0 ? latencyRate : carbonRate / 2;
        if (!(rate > 0))
            throw new IllegalStateException(
                    "--latency-rate is needed when the carbonstream phase is not run");
        String lp = ctx.run() + "lat.";
        Input.Topics lt = Input.Topics.of(lp);
        createInputTopics(ctx.servers(), lt);
        createOutputTopics(ctx.servers(), lp);
        Map<String, String> opts =
                jobOptions(
                        ctx.servers(),
                        lt,
                        lp,
                        registryFile,
                        latencyCheckpointInterval,
                        false,
                        parallelism);
        log("latency run: " + rate + " requests/s for " + latencySeconds + " s ...");
        Memory.resetPeaks();
        TrafficGenerator latGen =
                Input.generator(seed + 1, Instant.now().minus(Duration.ofHours(1)), simRate);
        Latency.Result r =
                Latency.run(
                        ctx.flink(),
                        ctx.servers(),
                        lt,
                        opts,
                        latGen,
                        latencyPool,
                        rate,
                        Duration.ofSeconds(latencySeconds),
                        Duration.ofSeconds(latencyWarmupSeconds),
                        mem);
        List<Results.HeapSlot> tl = new ArrayList<>();
        for (double[] x : r.heapTimeline())
            tl.add(new Results.HeapSlot(x[0], (long) x[1], (long) x[2], (long) x[3]));
        // The heap's lower envelope (live set plus old-generation garbage not yet collected): G1
        // only
        // reclaims the old generation in occasional mixed collections, so a single 30-s minimum
        // sits
        // anywhere on that sawtooth. The lowest point of each half of the run (after its first 30
        // s)
        // compares two troughs: growth shows as a higher trough in the second half.
        double floorGrowth = Double.NaN;
        if (tl.size() >= 4) {
            int mid = 1 + (tl.size() - 1) / 2;
            double early = Double.MAX_VALUE, late = Double.MAX_VALUE;
            for (int i = 1; i < tl.size(); i++) {
                if (i < mid) early = Math.min(early, tl.get(i).heapMinBytes());
                else late = Math.min(late, tl.get(i).heapMinBytes());
            }
            floorGrowth = late / early;
        }
        Flink.CheckpointState cp =
                r.checkpoint() == null
                        ? new Flink.CheckpointState(-1, 0, 0, Map.of())
                        : r.checkpoint();
        Results.LatencyPhase l =
                new Results.LatencyPhase(
                        r.targetRate(),
                        r.achievedRate(),
                        r.seconds(),
                        r.requests(),
                        r.measuredRequests(),
                        r.windows(),
                        r.checkpointIntervalMs(),
                        r.p50Ms(),
                        r.p99Ms(),
                        r.maxMs(),
                        r.excessP50Ms(),
                        r.excessP99Ms(),
                        r.excessMaxMs(),
                        r.outOfOrdernessMs(),
                        r.afterWatermarkP50Ms(),
                        r.afterWatermarkP99Ms(),
                        r.afterWatermarkMaxMs(),
                        Memory.peakHeap(),
                        r.liveHeapAfterWarmup(),
                        r.liveHeapAtEnd(),
                        (double) r.liveHeapAtEnd() / r.liveHeapAfterWarmup(),
                        floorGrowth,
                        tl,
                        r.activeDatacenterModels(),
                        r.activeKeys(),
                        cp.totalBytes(),
                        cp.byVertex(),
                        (double) cp.totalBytes() / Math.max(1, r.activeDatacenterModels()),
                        cp.durationMs(),
                        "stop with savepoint");
        log("latency " + l);
        return l;
    }

    private static void createInputTopics(String servers, Input.Topics in) throws Exception {
        KafkaUtil.createTopics(
                servers,
                List.of(
                        new NewTopic(in.events(), 2, (short) 1),
                        new NewTopic(in.intensity(), 1, (short) 1),
                        new NewTopic(in.registry(), 1, (short) 1),
                        new NewTopic(in.gpuEnergy(), 1, (short) 1)));
    }

    /**
     * carbonstream's outputs under {@code prefix}, the aggregates with the broker's append time
     * (the last-record timer).
     */
    private static void createOutputTopics(String servers, String prefix) throws Exception {
        List<NewTopic> topics =
                new ArrayList<>(
                        List.of(
                                KafkaUtil.outputTopic(prefix + "aggregates", 2),
                                new NewTopic(prefix + "dlq", 1, (short) 1),
                                new NewTopic(prefix + "late", 1, (short) 1)));
        topics.addAll(extraTopics(prefix));
        KafkaUtil.createTopics(servers, topics);
    }

    /** One bounded carbonstream run and its job (for its checkpoint statistics). */
    record CsRun(Results.Timing timing, JobID job) {}

    /** carbonstream, bounded, to the end of its input. */
    private static CsRun runCarbonstream(
            Flink flink, Map<String, String> opts, String servers, String outputTopic, long n)
            throws Exception {
        FirstRecordProbe.FIRST_MS.set(Long.MAX_VALUE);
        StreamExecutionEnvironment env = flink.env();
        CarbonStreamJob.build(
                env,
                JobConfig.fromMap(opts),
                s -> s.map(new FirstRecordProbe()).name("benchmark: first-record probe"));
        Meter m = Meter.start();
        long t0 = System.currentTimeMillis();
        JobID id = flink.submit(env, "carbonstream-benchmark");
        flink.await(id);
        long end = System.currentTimeMillis();
        Meter.Delta d = m.stop();
        long last = KafkaUtil.lastAppendTime(servers, outputTopic);
        return new CsRun(
                Results.Timing.of(n, t0, FirstRecordProbe.FIRST_MS.get(), last, end, d), id);
    }

    /** The SQL peer, bounded, writing {@code prefix}aggregates. */
    private Results.Timing runSql(
            Flink flink,
            String servers,
            Input.Topics in,
            String prefix,
            SqlPeer.Variant variant,
            long n)
            throws Exception {
        CarbonAvroFormatFactory.FIRST_DECODE_MS.set(Long.MAX_VALUE);
        JobConfig defaults = JobConfig.fromMap(Map.of());
        StreamExecutionEnvironment env = flink.env();
        env.setParallelism(parallelism);
        env.enableCheckpointing(
                JobConfig.fromMap(Map.of("checkpoint-interval", checkpointInterval))
                        .ms(io.carbonstream.config.JobOptions.CHECKPOINT_INTERVAL));
        Meter m = Meter.start();
        long t0 = System.currentTimeMillis();
        SqlPeer.build(
                env,
                new SqlPeer.Settings(
                        servers,
                        in.events(),
                        in.intensity(),
                        in.registry(),
                        prefix + "aggregates",
                        prefix + "tx",
                        prefix + "group",
                        defaults.get(io.carbonstream.config.JobOptions.OUT_OF_ORDERNESS),
                        // carbonstream's bounded mode prices nothing before it has read all
                        // intensity; the peer's
                        // equivalent is an intensity watermark that trails by more than the input
                        // spans (90 days,
                        // the most a DAY TO SECOND interval holds) until the bounded input finishes
                        // (+inf).
                        Duration.ofDays(90),
                        defaults.get(io.carbonstream.config.JobOptions.IT_OVERHEAD),
                        defaults.get(io.carbonstream.config.JobOptions.INTENSITY_DEFAULT),
                        defaults.get(io.carbonstream.config.JobOptions.INTENSITY_MAX_AGE)),
                variant);
        JobID id = flink.submit(env, "sql-peer-" + variant.name().toLowerCase());
        flink.await(id);
        long end = System.currentTimeMillis();
        Meter.Delta d = m.stop();
        long last = KafkaUtil.lastAppendTime(servers, prefix + "aggregates");
        return Results.Timing.of(
                n, t0, CarbonAvroFormatFactory.FIRST_DECODE_MS.get(), last, end, d);
    }

    /**
     * Every system once over a separate, smaller input, results discarded: the measured runs then
     * compare JIT-compiled code in all systems (on 2 cores, compiling the hot paths of a fresh JVM
     * took a quarter of the CPU of a 25-s run). The JIT time each measured run still had is
     * reported.
     */
    private void warmUp(Ctx ctx) throws Exception {
        log("warm-up: " + warmupRequests + " requests through every system ...");
        String prefix = ctx.run() + "warm.";
        Input.Topics w = Input.Topics.of(prefix);
        createInputTopics(ctx.servers(), w);
        Input.produce(
                ctx.servers(),
                w,
                Input.generator(seed + 7, ctx.simStart(), simRate),
                warmupRequests);
        if (phases.contains("limit"))
            Limit.run(ctx.servers(), w.events(), limitConsumers.get(limitConsumers.size() - 1));
        if (phases.contains("floor")) {
            for (Floor.Shape shape : Floor.Shape.values()) {
                Floor.run(
                        ctx.flink(),
                        jobOptions(
                                ctx.servers(),
                                w,
                                prefix + "floor.",
                                ctx.registryFile(),
                                checkpointInterval,
                                true,
                                parallelism),
                        shape,
                        warmupRequests);
            }
        }
        if (phases.contains("carbonstream")
                || phases.contains("latency")
                || phases.contains("scale")
                || phases.contains("attribution")) {
            createOutputTopics(ctx.servers(), prefix + "cs.");
            runCarbonstream(
                    ctx.flink(),
                    jobOptions(
                            ctx.servers(),
                            w,
                            prefix + "cs.",
                            ctx.registryFile(),
                            checkpointInterval,
                            true,
                            parallelism),
                    ctx.servers(),
                    prefix + "cs.aggregates",
                    warmupRequests);
        }
        if (phases.contains("sql")) {
            for (SqlPeer.Variant v : sqlVariants) {
                String p = prefix + v.name().toLowerCase() + ".";
                KafkaUtil.createTopics(
                        ctx.servers(), List.of(KafkaUtil.outputTopic(p + "aggregates", 2)));
                runSql(ctx.flink(), ctx.servers(), w, p, v, warmupRequests);
            }
        }
        log("warm-up done");
    }

    private Map<String, String> jobOptions(
            String servers,
            Input.Topics in,
            String prefix,
            Path registry,
            String checkpoint,
            boolean bounded,
            int par) {
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
        c.put("parallelism", String.valueOf(par));
        c.put("checkpoint-interval", checkpoint);
        c.put("registry-file", registry.toAbsolutePath().toString());
        c.put("bounded", String.valueOf(bounded));
        c.put("kafka-properties-file", kafkaPropertiesFile.toAbsolutePath().toString());
        c.putAll(jobOptions);
        return c;
    }

    /**
     * Optional inputs of the job: left unset (the attribution phase sets topic.gpu-energy itself).
     */
    static final List<String> OPTIONAL_INPUTS =
            List.of(
                    "topic.otlp-spans",
                    "topic.gpu-energy",
                    "topic.certificates",
                    "topic.forecasts");

    /**
     * Output topic options of the job beyond events/intensity/registry/aggregates/dead letters/late
     * events. Optional inputs stay unset: an empty live input would hold the watermark back until
     * its idle timeout, and a bounded run would read (and pay for) an empty source.
     */
    static List<String> extraOutputTopics() {
        List<String> out = new ArrayList<>();
        for (var o : io.carbonstream.config.JobOptions.all()) {
            String k = o.key();
            if (k.startsWith("topic.")
                    && !OPTIONAL_INPUTS.contains(k)
                    && !List.of(
                                    "topic.events",
                                    "topic.intensity",
                                    "topic.registry",
                                    "topic.aggregates",
                                    "topic.dead-letters",
                                    "topic.late-events")
                            .contains(k)) out.add(k);
        }
        return out;
    }

    static List<NewTopic> extraTopics(String prefix) {
        List<NewTopic> out = new ArrayList<>();
        for (String k : extraOutputTopics())
            out.add(new NewTopic(prefix + k.substring("topic.".length()), 1, (short) 1));
        return out;
    }

    private String command() {
        StringBuilder b =
                new StringBuilder(
                        "flock /tmp/mvn.lock java -Xmx3g -Djava.io.tmpdir=benchmark/target -jar"
                                + " benchmark/target/carbonstream-benchmark.jar");
        for (String a : args) b.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        return b.toString();
    }

    static Results.Machine machine() {
        String cpu = "";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return new Results.Machine(
                Runtime.getRuntime().availableProcessors(),
                cpu,
                meminfo("MemTotal"),
                System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.runtime.version"),
                Runtime.getRuntime().maxMemory(),
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"),
                org.apache.flink.runtime.util.EnvironmentInformation.getVersion(),
                org.apache.kafka.common.utils.AppInfoParser.getVersion());
    }

    private static long meminfo(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(field + ":"))
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
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
