package io.carbonstream.benchmark;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** Ratios and targets of a benchmark run, and its Markdown and JSON rendering. */
final class Report {

    private Report() {}

    static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** The best (fastest) run of a system, by the given timer. */
    static Optional<Results.SystemRun> best(
            Results.ThroughputPhase t, String system, ToDoubleFunction<Results.Timing> rate) {
        if (t == null) return Optional.empty();
        return t.runs().stream()
                .filter(r -> r.system().equals(system))
                .max(Comparator.comparingDouble(r -> rate.applyAsDouble(r.timing())));
    }

    static Optional<Results.FloorRun> bestFloor(List<Results.FloorRun> floors, String shape) {
        if (floors == null) return Optional.empty();
        return floors.stream()
                .filter(f -> f.shape().equals(shape))
                .max(Comparator.comparingDouble(f -> f.timing().recordsPerSecondToLastCommit()));
    }

    private static Double div(Optional<Double> a, Optional<Double> b) {
        return a.isPresent() && b.isPresent() ? a.get() / b.get() : null;
    }

    /** The run with its ratios and target verdicts. */
    static Results.Run assess(Results.Run r) {
        ToDoubleFunction<Results.Timing> commit = Results.Timing::recordsPerSecondToLastCommit;
        ToDoubleFunction<Results.Timing> record = Results.Timing::recordsPerSecondToLastRecord;
        Optional<Double> limit =
                Optional.ofNullable(r.limit()).map(Results.LimitPhase::recordsPerSecond);
        Optional<Double> cs =
                best(r.throughput(), Benchmark.CARBONSTREAM, commit)
                        .map(x -> x.timing().recordsPerSecondToLastCommit());
        Optional<Double> csRec =
                best(r.throughput(), Benchmark.CARBONSTREAM, record)
                        .map(x -> x.timing().recordsPerSecondToLastRecord());
        Optional<Double> floorSource =
                bestFloor(r.floor(), "SOURCE_ONLY")
                        .map(f -> f.timing().recordsPerSecondToLastCommit());
        Optional<Double> floorForward =
                bestFloor(r.floor(), "SOURCE_FORWARD")
                        .map(f -> f.timing().recordsPerSecondToLastCommit());
        Optional<Double> floorKeyBy =
                bestFloor(r.floor(), "SOURCE_KEYBY")
                        .map(f -> f.timing().recordsPerSecondToLastCommit());
        Map<String, Double> overSql = new LinkedHashMap<>(), overSqlRec = new LinkedHashMap<>();
        String bestSql = null;
        double bestSqlRate = 0;
        for (SqlPeer.Variant v : SqlPeer.Variant.values()) {
            Optional<Double> s =
                    best(r.throughput(), v.name(), commit)
                            .map(x -> x.timing().recordsPerSecondToLastCommit());
            Optional<Double> sRec =
                    best(r.throughput(), v.name(), record)
                            .map(x -> x.timing().recordsPerSecondToLastRecord());
            if (s.isEmpty()) continue;
            if (cs.isPresent()) overSql.put(v.name(), cs.get() / s.get());
            if (csRec.isPresent() && sRec.isPresent())
                overSqlRec.put(v.name(), csRec.get() / sRec.get());
            if (s.get() > bestSqlRate) {
                bestSqlRate = s.get();
                bestSql = v.name();
            }
        }
        Optional<Double> limitOpt = limit;
        Double scaleGrowth = null, scaleWorkGrowth = null;
        if (r.scale() != null && !r.scale().points().isEmpty()) {
            int par =
                    r.scale().points().stream()
                            .mapToInt(Results.ScalePoint::parallelism)
                            .max()
                            .getAsInt();
            List<Results.ScalePoint> atPar =
                    r.scale().points().stream().filter(p -> p.parallelism() == par).toList();
            Results.ScalePoint small =
                    atPar.stream().min(Comparator.comparingInt(Results.ScalePoint::keys)).get();
            Results.ScalePoint large =
                    atPar.stream().max(Comparator.comparingInt(Results.ScalePoint::keys)).get();
            scaleGrowth = large.marginalCpuMicrosPerRequest() / small.marginalCpuMicrosPerRequest();
            scaleWorkGrowth =
                    large.cpuMicrosPerRequestAndWindow() / small.cpuMicrosPerRequestAndWindow();
        }
        Double attrOverPlain = null, attrOverWithout = null;
        if (r.attribution() != null) {
            Results.AttributionPhase a = r.attribution();
            attrOverPlain =
                    a.carbonstreamWithAttribution().recordsPerSecondToLastCommit()
                            / a.plainConsumer().recordsPerSecond();
            attrOverWithout =
                    a.carbonstreamWithAttribution().recordsPerSecondToLastCommit()
                            / a.carbonstreamWithoutAttribution().recordsPerSecondToLastCommit();
        }
        Results.Ratios ratios =
                new Results.Ratios(
                        div(cs, limitOpt),
                        div(csRec, limitOpt),
                        div(floorSource, limitOpt),
                        div(floorForward, limitOpt),
                        div(floorKeyBy, limitOpt),
                        div(cs, floorKeyBy),
                        bestSql,
                        bestSql == null ? null : overSql.get(bestSql),
                        bestSql == null ? null : overSqlRec.get(bestSql),
                        overSql.isEmpty() ? null : overSql,
                        overSqlRec.isEmpty() ? null : overSqlRec,
                        scaleGrowth,
                        scaleWorkGrowth,
                        attrOverPlain,
                        attrOverWithout);

        List<Results.Target> targets = new ArrayList<>();
        if (ratios.carbonstreamOverBestSql() != null) {
            targets.add(
                    new Results.Target(
                            "carbonstream >= 4 x the best SQL peer (requests/s to last commit)",
                            ratios.carbonstreamOverBestSql() >= 4,
                            ratios.carbonstreamOverBestSql()));
        }
        if (ratios.carbonstreamOverLimit() != null) {
            targets.add(
                    new Results.Target(
                            "carbonstream >= 0.35 x the plain-consumer limit",
                            ratios.carbonstreamOverLimit() >= 0.35,
                            ratios.carbonstreamOverLimit()));
        }
        if (scaleGrowth != null) {
            targets.add(
                    new Results.Target(
                            "CPU per request flat (within 20 %) from the smallest to the largest"
                                    + " fleet of the scale curve (marginal CPU per request)",
                            scaleGrowth <= 1.2, scaleGrowth));
        }
        Results.LatencyPhase lat = r.latency();
        if (lat != null) {
            double bound = lat.checkpointIntervalMs() + 1000;
            // The window can be complete only once the watermark may pass its end: window end +
            // events
            // out-of-orderness. What follows is the job's own delay, the figure the target is
            // about.
            targets.add(
                    new Results.Target(
                            "p99 (window end + events out-of-orderness -> readable) <= checkpoint"
                                    + " interval + 1 s",
                            lat.watermarkToReadableP99Ms() <= bound,
                            lat.watermarkToReadableP99Ms()));
            targets.add(
                    new Results.Target(
                            "p99 (window end -> readable) <= events out-of-orderness + checkpoint"
                                    + " interval + 1 s",
                            lat.windowEndToReadableP99Ms() <= bound + lat.eventsOutOfOrdernessMs(),
                            lat.windowEndToReadableP99Ms()));
            if (lat.liveHeapAfterWarmupBytes() > 0 && lat.liveHeapAtEndBytes() > 0) {
                targets.add(
                        new Results.Target(
                                "heap flat at half load (live heap after a full GC, end / after"
                                        + " warm-up <= 1.2)",
                                lat.liveHeapGrowth() <= 1.2,
                                lat.liveHeapGrowth()));
            }
        }
        return new Results.Run(
                r.command(),
                r.started(),
                r.durationSeconds(),
                r.machine(),
                r.settings(),
                r.input(),
                r.limit(),
                r.floor(),
                r.throughput(),
                r.agreement(),
                r.scale(),
                r.attribution(),
                r.latency(),
                r.memory(),
                ratios,
                targets,
                r.failedPhases());
    }

    static void write(Results.Run r, Path dir) throws Exception {
        Files.createDirectories(dir);
        JSON.writeValue(dir.resolve("latest.json").toFile(), r);
        Files.writeString(dir.resolve("latest.md"), markdown(r));
    }

    static String f(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (Math.abs(v) >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (Math.abs(v) >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String f(Double v) {
        return v == null ? "n/a" : f(v.doubleValue());
    }

    static String mb(double bytes) {
        return Double.isNaN(bytes)
                ? "n/a"
                : String.format(Locale.ROOT, "%,.0f MiB", bytes / (1 << 20));
    }

    /** A latency cell: "p50 / p99 / max". */
    private static String quantiles(double p50, double p99, double max) {
        return f(p50) + " / " + f(p99) + " / " + f(max);
    }

    private static void row(StringBuilder b, Object... cells) {
        b.append('|');
        for (Object c : cells)
            b.append(' ').append(c instanceof Double d ? f(d) : String.valueOf(c)).append(" |");
        b.append('\n');
    }

    private static void timingRow(StringBuilder b, String label, Object round, Results.Timing t) {
        row(
                b,
                label,
                round,
                t.recordsPerSecondToLastRecord(),
                t.recordsPerSecondToLastCommit(),
                t.secondsToLastRecord(),
                t.secondsToLastCommit(),
                t.startupSeconds(),
                t.jitSeconds(),
                t.cpuSeconds());
    }

    private static final String TIMING_HEADER =
            "| | round | requests/s to last record | requests/s to last commit | s to last record |"
                    + " s to last commit | start-up s | JIT s during the run | process CPU s |\n"
                    + "|---|---|---|---|---|---|---|---|---|\n";

    static String markdown(Results.Run r) {
        StringBuilder b = new StringBuilder();
        Results.Machine mach = r.machine();
        Results.Settings set = r.settings();
        b.append("# carbonstream benchmark\n\n");
        b.append("Run ")
                .append(r.started())
                .append(", ")
                .append(f(r.durationSeconds()))
                .append(" s in all.\n\n");
        b.append(
                        "Reproduce (from the repository root, after `mvn -o -q -pl benchmark -am"
                                + " install -DskipTests`):\n\n"
                                + "```\n")
                .append(r.command())
                .append("\n```\n\n");
        if (r.failedPhases() != null && !r.failedPhases().isEmpty()) {
            b.append("**Failed phases** (their figures are missing):\n\n```\n")
                    .append(String.join("\n", r.failedPhases()))
                    .append("\n```\n\n");
        }
        b.append("## Machine\n\n| | |\n|---|---|\n");
        row(b, "cores", mach.cores() + " (" + mach.cpu() + ")");
        row(b, "memory", mb(mach.memTotalBytes()));
        row(
                b,
                "JVM",
                mach.jvm() + ", max heap " + mb(mach.maxHeapBytes()) + ", args " + mach.jvmArgs());
        row(b, "OS", mach.os());
        row(b, "Flink / kafka-clients", mach.flink() + " / " + mach.kafkaClients());
        b.append(
                        "\n"
                            + "Everything runs in one JVM: the Kafka broker (unless"
                            + " --bootstrap-servers), the Flink MiniCluster (1 TaskManager) and the"
                            + " ")
                .append(
                        "benchmark's producer/consumers. The machine is shared: other builds may"
                                + " run at the same time. Compare ratios taken ")
                .append("within this run, not absolute rates across runs.\n\n");
        b.append("## Settings and input\n\n| | |\n|---|---|\n");
        row(b, "requests (main input)", set.requests());
        row(b, "simulated requests/s", set.simRatePerSecond());
        row(b, "seed", set.seed());
        row(b, "broker", set.broker());
        row(b, "parallelism", set.parallelism());
        row(
                b,
                "checkpoint interval (throughput / latency)",
                set.throughputCheckpointInterval() + " / " + set.latencyCheckpointInterval());
        row(b, "warm-up requests", set.warmupRequests());
        row(b, "rounds", set.rounds());
        row(b, "SQL variants", set.sqlVariants());
        row(b, "job options", set.jobOptions());
        Results.InputStats in = r.input();
        if (in != null) {
            row(
                    b,
                    "datacenters / models / (datacenter, model) keys / zones",
                    in.datacenters()
                            + " / "
                            + in.models()
                            + " / "
                            + in.datacenterModelPairs()
                            + " / "
                            + in.zones());
            row(
                    b,
                    "intensity updates / registry entries",
                    in.intensityUpdates() + " / " + in.registryEntries());
            row(b, "mean event bytes", in.meanEventBytes());
            row(b, "event time spanned (min)", in.eventTimeSpanMinutes());
            row(b, "produced in (s)", in.produceSeconds());
        }

        b.append("\n## Throughput\n\nEvery system over the same input, ")
                .append(set.rounds())
                .append(
                        " rounds, round 2 in reverse order. To last record: from the first record"
                                + " read to the last output record appended ")
                .append(
                        "to its topic (broker LogAppendTime; for floors, which discard their"
                                + " output, the last record read). To last commit: ")
                .append(
                        "to the end of the job, i.e. the final checkpoint that commits the last"
                                + " Kafka transaction (at most one checkpoint ")
                .append(
                        "interval later). JIT: HotSpot compilation time during the run (all"
                                + " compiler threads, after the warm-up round).\n\n");
        b.append(TIMING_HEADER);
        if (r.limit() != null) {
            for (Results.LimitRun l : r.limit().runs()) {
                row(
                        b,
                        "LIMIT: plain KafkaConsumer + Avro decode, " + l.consumers() + " thread(s)",
                        "",
                        l.recordsPerSecond(),
                        l.recordsPerSecond(),
                        l.seconds(),
                        l.seconds(),
                        "",
                        l.jitSeconds(),
                        "");
            }
        }
        if (r.floor() != null) {
            for (Results.FloorRun fr : r.floor())
                timingRow(
                        b,
                        fr.label() + ", bounded, p=" + set.parallelism(),
                        fr.round(),
                        fr.timing());
        }
        if (r.throughput() != null) {
            for (Results.SystemRun s : r.throughput().runs())
                timingRow(b, s.label(), s.round(), s.timing());
            b.append("\nOrder of the runs: ")
                    .append(String.join(", ", r.throughput().order()))
                    .append(".\n");
            best(
                            r.throughput(),
                            Benchmark.CARBONSTREAM,
                            Results.Timing::recordsPerSecondToLastCommit)
                    .ifPresent(
                            c ->
                                    b.append("carbonstream wrote ")
                                            .append(c.outputWindows())
                                            .append(" window keys, ")
                                            .append(c.deadLetters())
                                            .append(" dead letters, ")
                                            .append(c.lateEvents())
                                            .append(" late events.\n"));
        }

        Results.Ratios ra = r.ratios();
        b.append(
                "\n"
                        + "## Ratios and targets\n\n"
                        + "Best round of each system (noise only slows a run down).\n\n"
                        + "| | to last commit | to last record |\n"
                        + "|---|---|---|\n");
        row(
                b,
                "carbonstream / plain-consumer limit",
                f(ra.carbonstreamOverLimit()),
                f(ra.carbonstreamOverLimitToLastRecord()));
        if (ra.carbonstreamOverSql() != null) {
            for (String v : ra.carbonstreamOverSql().keySet()) {
                row(
                        b,
                        "carbonstream / SQL "
                                + v
                                + (v.equals(ra.bestSqlPeer()) ? " (best SQL peer)" : ""),
                        f(ra.carbonstreamOverSql().get(v)),
                        f(
                                ra.carbonstreamOverSqlToLastRecord() == null
                                        ? null
                                        : ra.carbonstreamOverSqlToLastRecord().get(v)));
            }
        }
        row(b, "floor: source / limit", f(ra.floorSourceOverLimit()), "");
        row(b, "floor: source + forward edge / limit", f(ra.floorForwardOverLimit()), "");
        row(b, "floor: source + keyBy / limit", f(ra.floorKeyByOverLimit()), "");
        row(b, "carbonstream / its keyBy floor", f(ra.carbonstreamOverFloorKeyBy()), "");
        row(
                b,
                "scale: marginal CPU per request, largest / smallest fleet (highest parallelism)",
                f(ra.scaleCostGrowth()),
                "");
        row(
                b,
                "scale: CPU per (request + window written), largest / smallest fleet",
                f(ra.scaleCostPerRequestAndWindowGrowth()),
                "");
        row(
                b,
                "GPU attribution path / plain consumer (same input)",
                f(ra.attributionOverPlainConsumer()),
                "");
        row(
                b,
                "GPU attribution path / carbonstream without attribution (same input)",
                f(ra.attributionOverCarbonstreamWithout()),
                "");
        b.append("\n| target | met | value |\n|---|---|---|\n");
        for (Results.Target t : r.targets())
            row(b, t.target(), t.met() ? "yes" : "**NO**", t.value());

        if (r.agreement() != null) {
            b.append(
                            "\n"
                                + "## carbonstream vs. SQL: same answer?\n\n"
                                + "Every SQL run against carbonstream's first run: every MINUTE,"
                                + " ROLLING_HOUR ")
                    .append(
                            "and HOUR window of every dimension key, request count exact; GPU J,"
                                    + " facility kWh, location gCO2e and water within ")
                    .append(r.agreement().get(0).tolerance())
                    .append(" relative.\n\n")
                    .append(
                            "| SQL run | agree | windows carbonstream / SQL / compared | largest"
                                    + " relative difference | hourly requests | ")
                    .append(
                            "hourly facility kWh carbonstream / SQL | hourly gCO2e carbonstream /"
                                    + " SQL |\n"
                                    + "|---|---|---|---|---|---|---|\n");
            for (Results.Agreement a : r.agreement()) {
                row(
                        b,
                        a.sqlSystem() + " #" + a.sqlRound(),
                        a.agree() ? "**yes**" : "**NO: VOID**",
                        a.carbonstreamWindows()
                                + " / "
                                + a.sqlWindows()
                                + " / "
                                + a.windowsCompared(),
                        String.format(Locale.ROOT, "%.2g", a.maxRelativeDifference()),
                        a.hourlyRequestsCarbonstream() + " / " + a.hourlyRequestsSql(),
                        String.format(
                                Locale.ROOT,
                                "%.9g / %.9g",
                                a.hourlyFacilityKwhCarbonstream(),
                                a.hourlyFacilityKwhSql()),
                        String.format(
                                Locale.ROOT,
                                "%.9g / %.9g",
                                a.hourlyLocationGCarbonstream(),
                                a.hourlyLocationGSql()));
                if (!a.differences().isEmpty())
                    b.append("\nDifferences:\n\n```\n")
                            .append(String.join("\n", a.differences()))
                            .append("\n```\n\n");
            }
        }

        if (r.scale() != null) {
            b.append("\n## Scale: cost as the fleet grows (carbonstream, bounded)\n\n")
                    .append(r.scale().note())
                    .append("\n\n")
                    .append(
                            "| datacenters x models = keys | zones | p | requests | event time"
                                    + " (min) | requests/s to last record | ")
                    .append(
                            "requests/s to last commit | windows written | windows / request | CPU"
                                    + " us / request | CPU us / (request + window) | ")
                    .append(
                            "largest checkpoint | bytes / key | JIT s | shorter run: requests |"
                                + " marginal windows / request | marginal CPU us / request |\n"
                                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (Results.ScalePoint p : r.scale().points()) {
                row(
                        b,
                        p.datacenters() + " x " + p.models() + " = " + p.keys(),
                        p.zones(),
                        p.parallelism(),
                        p.requests(),
                        p.eventTimeSpanMinutes(),
                        p.timing().recordsPerSecondToLastRecord(),
                        p.timing().recordsPerSecondToLastCommit(),
                        p.outputWindows(),
                        p.windowsPerRequest(),
                        p.cpuMicrosPerRequest(),
                        p.cpuMicrosPerRequestAndWindow(),
                        f(p.largestCheckpointBytes()),
                        p.checkpointBytesPerKey(),
                        p.timing().jitSeconds(),
                        p.shorterRunRequests(),
                        p.marginalWindowsPerRequest(),
                        p.marginalCpuMicrosPerRequest());
            }
        }

        if (r.attribution() != null) {
            Results.AttributionPhase a = r.attribution();
            b.append("\n## GPU attribution path (issue 13)\n\nThe generator's metered GPU pool: ")
                    .append(a.gpus())
                    .append(" GPUs, ")
                    .append(a.gpuSamples())
                    .append(" counter readings, ")
                    .append(a.requestsNamingGpus())
                    .append(" of ")
                    .append(a.requests())
                    .append(" requests naming their GPUs. Best of the rounds.\n\n")
                    .append(TIMING_HEADER);
            row(
                    b,
                    "plain consumer, same events topic, "
                            + a.plainConsumer().consumers()
                            + " thread(s)",
                    "",
                    a.plainConsumer().recordsPerSecond(),
                    a.plainConsumer().recordsPerSecond(),
                    a.plainConsumer().seconds(),
                    a.plainConsumer().seconds(),
                    "",
                    a.plainConsumer().jitSeconds(),
                    "");
            timingRow(
                    b,
                    "carbonstream without --topic.gpu-energy",
                    "best",
                    a.carbonstreamWithoutAttribution());
            timingRow(
                    b,
                    "carbonstream with --topic.gpu-energy (attribution)",
                    "best",
                    a.carbonstreamWithAttribution());
            b.append("\n| | |\n|---|---|\n");
            row(b, "attribution records written", a.attributionRecords());
            row(
                    b,
                    "largest checkpoint of the attribution run (bytes)",
                    f(a.largestCheckpointBytes()));
            row(
                    b,
                    "of which the GPU timelines and attribution operators",
                    f(a.attributionOperatorStateBytes()));
            row(b, "state per GPU (bytes)", a.stateBytesPerGpu());
        }

        Results.LatencyPhase lat = r.latency();
        if (lat != null) {
            b.append(
                    "\n## Latency at a fixed rate (carbonstream, unbounded)\n\n| | |\n|---|---|\n");
            row(
                    b,
                    "target / achieved requests/s",
                    f(lat.targetRequestsPerSecond()) + " / " + f(lat.achievedRequestsPerSecond()));
            row(
                    b,
                    "seconds / measured requests / measured windows",
                    f(lat.seconds())
                            + " / "
                            + lat.measuredRequests()
                            + " / "
                            + lat.measuredWindows());
            row(
                    b,
                    "checkpoint interval ms / events out-of-orderness ms",
                    lat.checkpointIntervalMs() + " / " + lat.eventsOutOfOrdernessMs());
            row(
                    b,
                    "produce -> readable p50 / p99 / max ms",
                    quantiles(
                            lat.produceToReadableP50Ms(),
                            lat.produceToReadableP99Ms(),
                            lat.produceToReadableMaxMs()));
            row(
                    b,
                    "window end -> readable p50 / p99 / max ms",
                    quantiles(
                            lat.windowEndToReadableP50Ms(),
                            lat.windowEndToReadableP99Ms(),
                            lat.windowEndToReadableMaxMs()));
            row(
                    b,
                    "watermark may pass -> readable p50 / p99 / max ms",
                    quantiles(
                            lat.watermarkToReadableP50Ms(),
                            lat.watermarkToReadableP99Ms(),
                            lat.watermarkToReadableMaxMs()));
            b.append(
                            "\n"
                                + "produceToReadable: from the producer's send of a request to its"
                                + " per-minute (datacenter, model) aggregate being ")
                    .append(
                            "readable with read_committed; it includes waiting for the minute to"
                                    + " end (30 s on average), which no job can avoid. ")
                    .append(
                            "windowEndToReadable: from the end of that minute (wall clock) to"
                                    + " readable. watermarkToReadable: from window end + ")
                    .append(
                            "events out-of-orderness, the earliest moment the watermark may pass"
                                    + " the minute's end, to readable: the delay the job ")
                    .append(
                            "adds to its event-time semantics. The job is stopped with a savepoint"
                                    + " at the end.\n");
            b.append("\n## Memory and state\n\n| | |\n|---|---|\n");
            row(b, "peak heap, latency run", mb(lat.peakHeapBytes()));
            row(b, "process peak RSS (VmHWM, whole run)", mb(r.memory().processPeakRssBytes()));
            row(
                    b,
                    "live heap after a full GC: after the warm-up / at the end of the latency run",
                    mb(lat.liveHeapAfterWarmupBytes())
                            + " / "
                            + mb(lat.liveHeapAtEndBytes())
                            + " (x"
                            + f(lat.liveHeapGrowth())
                            + ")");
            row(
                    b,
                    "heap floor growth (lowest heap in the second half / in the first half)",
                    f(lat.heapFloorGrowth()));
            row(
                    b,
                    "checkpointed state (latest checkpoint of the latency run)",
                    f(lat.checkpointStateBytes()) + " bytes");
            row(
                    b,
                    "active (datacenter, model) keys / all dimension keys",
                    lat.activeDatacenterModelKeys() + " / " + lat.activeKeysAllDimensions());
            row(
                    b,
                    "checkpointed bytes per active (datacenter, model) key",
                    f(lat.checkpointBytesPerDatacenterModelKey()));
            if (!lat.checkpointStateByOperator().isEmpty()) {
                b.append("\nState by operator chain (bytes):\n\n");
                lat.checkpointStateByOperator()
                        .forEach(
                                (k, v) ->
                                        b.append("- ")
                                                .append(k)
                                                .append(": ")
                                                .append(v)
                                                .append('\n'));
            }
            b.append(
                    "\n"
                            + "Heap over the latency run (30-s slots; min = the live set between"
                            + " collections):\n\n"
                            + "| s | heap min | heap max | RSS max |\n"
                            + "|---|---|---|---|\n");
            for (Results.HeapSlot x : lat.heapTimeline())
                row(
                        b,
                        f(x.atSeconds()),
                        mb(x.heapMinBytes()),
                        mb(x.heapMaxBytes()),
                        mb(x.rssMaxBytes()));
        }
        return b.toString();
    }
}
