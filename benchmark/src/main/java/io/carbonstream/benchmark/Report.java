package io.carbonstream.benchmark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Ratios, targets and the Markdown/JSON rendering of a benchmark report. */
final class Report {

    private Report() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> m(Map<String, Object> r, String k) {
        return (Map<String, Object>) r.get(k);
    }

    static double d(Map<String, Object> m, String k) {
        Object v = m == null ? null : m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Adds ratios and target verdicts. */
    static void assess(Map<String, Object> r) {
        Map<String, Object> ratios = new LinkedHashMap<>();
        Map<String, Object> targets = new LinkedHashMap<>();
        double cs = d(m(r, "carbonstream"), "requestsPerSecond");
        double csGross = d(m(r, "carbonstream"), "requestsPerSecondWithStartup");
        double limit = d(m(r, "limit"), "recordsPerSecond");
        double sql = d(m(r, "sql"), "requestsPerSecond");
        double sqlGross = d(m(r, "sql"), "requestsPerSecondWithStartup");
        ratios.put("carbonstreamOverLimit", cs / limit);
        Map<String, Object> floor = m(r, "floor");
        if (floor != null) {
            double source = d(m(floor, "SOURCE_ONLY"), "requestsPerSecond");
            double forward = d(m(floor, "SOURCE_FORWARD"), "requestsPerSecond");
            double keyed = d(m(floor, "SOURCE_KEYBY"), "requestsPerSecond");
            ratios.put("floorSourceOverLimit", source / limit);
            ratios.put("floorForwardOverLimit", forward / limit);
            ratios.put("floorKeyByOverLimit", keyed / limit);
            ratios.put("carbonstreamOverFloorSource", cs / source);
            ratios.put("carbonstreamOverFloorKeyBy", cs / keyed);
        }
        ratios.put("carbonstreamOverSql", cs / sql);
        ratios.put("carbonstreamOverSqlWithStartup", csGross / sqlGross);
        targets.put("carbonstream >= 0.5 x limit", verdict(cs / limit >= 0.5, cs / limit));
        targets.put("carbonstream >= 2 x SQL", verdict(cs / sql >= 2, cs / sql));
        Map<String, Object> lat = m(r, "latency");
        if (lat != null) {
            double bound = d(lat, "checkpointIntervalMs") + 1000;
            // The window can be complete only once the watermark may pass its end: window end + events
            // out-of-orderness. What follows is the job's own delay, the figure the target is about.
            double p99 = d(lat, "watermarkToReadableP99Ms");
            targets.put("p99 (window end + events out-of-orderness -> readable) <= checkpoint interval + 1 s", verdict(p99 <= bound, p99));
            double p99End = d(lat, "windowEndToReadableP99Ms");
            targets.put("p99 (window end -> readable) <= events out-of-orderness + checkpoint interval + 1 s",
                    verdict(p99End <= bound + d(lat, "eventsOutOfOrdernessMs"), p99End));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> tl = (List<Map<String, Object>>) lat.get("heapTimeline");
            if (tl != null && tl.size() >= 4) {
                // The heap's lower envelope (live set plus old-generation garbage not yet collected): G1 only
                // reclaims the old generation in occasional mixed collections, so a single 30-s minimum sits
                // anywhere on that sawtooth. The lowest point of each half of the run (after its first 30 s)
                // compares two troughs: growth shows as a higher trough in the second half.
                int mid = 1 + (tl.size() - 1) / 2;
                double early = Double.MAX_VALUE, late = Double.MAX_VALUE;
                for (int i = 1; i < tl.size(); i++) {
                    double v = d(tl.get(i), "heapMinBytes");
                    if (i < mid) early = Math.min(early, v);
                    else late = Math.min(late, v);
                }
                lat.put("heapFloorGrowth", late / early);
            }
            double liveStart = d(lat, "liveHeapAfterWarmupBytes");
            double liveEnd = d(lat, "liveHeapAtEndBytes");
            if (liveStart > 0 && liveEnd > 0) {
                lat.put("liveHeapGrowth", liveEnd / liveStart);
                targets.put("heap flat at half load (live heap after a full GC, end / after warm-up <= 1.2)",
                        verdict(liveEnd / liveStart <= 1.2, liveEnd / liveStart));
            }
        }
        r.put("ratios", ratios);
        r.put("targets", targets);
    }

    private static Map<String, Object> verdict(boolean ok, double value) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("met", ok);
        v.put("value", value);
        return v;
    }

    static void write(Map<String, Object> r, Path dir) throws Exception {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("latest.json").toFile(), r);
        Files.writeString(dir.resolve("latest.md"), markdown(r));
    }

    static String f(double v) {
        if (Double.isNaN(v)) return "n/a";
        if (Math.abs(v) >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (Math.abs(v) >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String mb(double bytes) {
        return Double.isNaN(bytes) ? "n/a" : String.format(Locale.ROOT, "%,.0f MiB", bytes / (1 << 20));
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> r) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> mach = m(r, "machine");
        Map<String, Object> set = m(r, "settings");
        Map<String, Object> in = m(r, "input");
        b.append("# carbonstream benchmark\n\n");
        b.append("Run ").append(r.get("started")).append(", ").append(f(d(r, "durationSeconds"))).append(" s in all.\n\n");
        b.append("Reproduce (from the repository root, after `mvn -o -q -pl benchmark -am install -DskipTests`):\n\n```\n")
                .append(r.get("command")).append("\n```\n\n");
        b.append("## Machine\n\n| | |\n|---|---|\n");
        b.append("| cores | ").append(mach.get("cores")).append(" (").append(mach.get("cpu")).append(") |\n");
        b.append("| memory | ").append(mb(d(mach, "memTotalBytes"))).append(" |\n");
        b.append("| JVM | ").append(mach.get("jvm")).append(", max heap ").append(mb(d(mach, "maxHeapBytes"))).append(", args ").append(mach.get("jvmArgs")).append(" |\n");
        b.append("| OS | ").append(mach.get("os")).append(" |\n");
        b.append("| Flink / kafka-clients | ").append(mach.get("flink")).append(" / ").append(mach.get("kafkaClients")).append(" |\n\n");
        b.append("Everything runs in one JVM: the Kafka broker (unless --bootstrap-servers), the Flink MiniCluster (1 TaskManager, ")
                .append(set.get("parallelism")).append(" slots) and the benchmark's producer/consumers.\n\n");
        b.append("## Settings and input\n\n| | |\n|---|---|\n");
        set.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        if (in != null) in.forEach((k, v) -> b.append("| input.").append(k).append(" | ").append(v instanceof Double x ? f(x) : v).append(" |\n"));
        b.append("\n## Throughput\n\n| | requests/s (first record read -> last aggregate committed) | with job start-up | seconds | start-up s |\n|---|---|---|---|---|\n");
        Map<String, Object> lim = m(r, "limit");
        if (lim != null) {
            for (Map<String, Object> run : (List<Map<String, Object>>) lim.get("runs")) {
                b.append("| LIMIT: plain KafkaConsumer + Avro decode, ").append(run.get("consumers")).append(" thread(s) | ")
                        .append(f(d(run, "recordsPerSecond"))).append(" | | ").append(f(d(run, "seconds"))).append(" | |\n");
            }
        }
        Map<String, Object> floor = m(r, "floor");
        if (floor != null) {
            for (Object o : floor.values()) {
                Map<String, Object> run = (Map<String, Object>) o;
                b.append("| ").append(run.get("label")).append(", bounded, p=").append(set.get("parallelism")).append(" | ")
                        .append(f(d(run, "requestsPerSecond"))).append(" | | ").append(f(d(run, "seconds"))).append(" | |\n");
            }
        }
        Map<String, Object> cs = m(r, "carbonstream");
        if (cs != null) {
            b.append("| CARBONSTREAM, bounded, p=").append(set.get("parallelism")).append(" | ").append(f(d(cs, "requestsPerSecond"))).append(" | ")
                    .append(f(d(cs, "requestsPerSecondWithStartup"))).append(" | ").append(f(d(cs, "secondsFirstRecordToLastCommit")))
                    .append(" | ").append(f(d(cs, "startupSeconds"))).append(" |\n");
        }
        Map<String, Object> sql = m(r, "sql");
        if (sql != null) {
            b.append("| PEER: Flink SQL, bounded, p=").append(set.get("parallelism")).append(" | ").append(f(d(sql, "requestsPerSecond"))).append(" | ")
                    .append(f(d(sql, "requestsPerSecondWithStartup"))).append(" | ").append(f(d(sql, "secondsFirstRecordToLastCommit")))
                    .append(" | ").append(f(d(sql, "startupSeconds"))).append(" (planning ").append(f(d(sql, "planningSeconds"))).append(") |\n");
        }
        b.append("\nThe end includes waiting for the final checkpoint (at most one throughput checkpoint interval) that commits the last Kafka transaction.\n");
        if (cs != null) {
            b.append("carbonstream wrote ").append(cs.get("aggregateRecords")).append(" window keys, ").append(cs.get("deadLetters"))
                    .append(" dead letters, ").append(cs.get("lateEvents")).append(" late events.\n");
        }
        Map<String, Object> ratios = m(r, "ratios");
        b.append("\n## Ratios and targets\n\n| | |\n|---|---|\n");
        ratios.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(f(((Number) v).doubleValue())).append(" |\n"));
        b.append("\n| target | met | value |\n|---|---|---|\n");
        m(r, "targets").forEach((k, v) -> {
            Map<String, Object> x = (Map<String, Object>) v;
            b.append("| ").append(k).append(" | ").append(Boolean.TRUE.equals(x.get("met")) ? "yes" : "**NO**").append(" | ").append(f(d(x, "value"))).append(" |\n");
        });
        Map<String, Object> ag = m(r, "agreement");
        if (ag != null) {
            b.append("\n## carbonstream vs. SQL: same answer?\n\n");
            b.append(Boolean.TRUE.equals(ag.get("agree")) ? "**Yes.** " : "**NO: THIS BENCHMARK IS VOID.** ");
            b.append("Windows: carbonstream ").append(ag.get("carbonstreamWindows")).append(", SQL ").append(ag.get("sqlWindows"))
                    .append(", compared ").append(ag.get("windowsCompared")).append(" (every MINUTE, ROLLING_HOUR and HOUR window of every ")
                    .append("dimension key: request count exact; GPU J, facility kWh, location gCO2e, water within ").append(ag.get("tolerance"))
                    .append(" relative). Largest relative difference: ").append(ag.get("maxRelativeDifference")).append(".\n\n");
            b.append("Hourly windows per datacenter (sums over the run):\n\n| datacenter | requests | facility kWh carbonstream | facility kWh SQL | gCO2e carbonstream | gCO2e SQL |\n|---|---|---|---|---|---|\n");
            ((Map<String, Object>) ag.get("hourlyByDatacenter")).forEach((dc, v) -> {
                Map<String, Object> x = (Map<String, Object>) v;
                b.append("| ").append(dc).append(" | ").append(f(d(x, "requests"))).append(" | ")
                        .append(String.format(Locale.ROOT, "%.9g", d(x, "facilityKwhCarbonstream"))).append(" | ")
                        .append(String.format(Locale.ROOT, "%.9g", d(x, "facilityKwhSql"))).append(" | ")
                        .append(String.format(Locale.ROOT, "%.9g", d(x, "locationGCarbonstream"))).append(" | ")
                        .append(String.format(Locale.ROOT, "%.9g", d(x, "locationGSql"))).append(" |\n");
            });
            List<String> diffs = (List<String>) ag.get("differences");
            if (!diffs.isEmpty()) b.append("\nDifferences:\n\n```\n").append(String.join("\n", diffs)).append("\n```\n");
        }
        Map<String, Object> lat = m(r, "latency");
        if (lat != null) {
            b.append("\n## Latency at a fixed rate (carbonstream, unbounded)\n\n| | |\n|---|---|\n");
            for (String k : List.of("targetRequestsPerSecond", "achievedRequestsPerSecond", "seconds", "measuredRequests", "measuredWindows",
                    "checkpointIntervalMs", "produceToReadableP50Ms", "produceToReadableP99Ms", "produceToReadableMaxMs",
                    "windowEndToReadableP50Ms", "windowEndToReadableP99Ms", "windowEndToReadableMaxMs", "eventsOutOfOrdernessMs",
                    "watermarkToReadableP50Ms", "watermarkToReadableP99Ms", "watermarkToReadableMaxMs")) {
                b.append("| ").append(k).append(" | ").append(f(d(lat, k))).append(" |\n");
            }
            b.append("\nproduceToReadable: from the producer's send of a request to its per-minute (datacenter, model) aggregate being ")
                    .append("readable with read_committed; it includes waiting for the minute to end (30 s on average), which no job can avoid. ")
                    .append("windowEndToReadable: from the end of that minute (wall clock) to readable: the job's own delay ")
                    .append("(events out-of-orderness, pricing, windows, and the checkpoint that commits the transaction). ")
                    .append("watermarkToReadable: from window end + events out-of-orderness, the earliest moment the watermark may pass ")
                    .append("the minute's end, to readable: the delay the job adds to its event-time semantics (pricing, windows, the ")
                    .append("committing checkpoint, at most one interval after the window is emitted).\n");
            b.append("\n## Memory and state\n\n| | |\n|---|---|\n");
            b.append("| peak heap, carbonstream bounded run | ").append(mb(d(cs, "peakHeapBytes"))).append(" |\n");
            b.append("| peak heap, SQL bounded run | ").append(mb(d(sql, "peakHeapBytes"))).append(" |\n");
            b.append("| peak heap, latency run | ").append(mb(d(lat, "peakHeapBytes"))).append(" |\n");
            b.append("| process peak RSS (VmHWM, whole run) | ").append(mb(d(m(r, "memory"), "processPeakRssBytes"))).append(" |\n");
            b.append("| live heap after a full GC: after the warm-up / at the end of the latency run | ").append(mb(d(lat, "liveHeapAfterWarmupBytes")))
                    .append(" / ").append(mb(d(lat, "liveHeapAtEndBytes"))).append(" (x").append(f(d(lat, "liveHeapGrowth"))).append(") |\n");
            b.append("| heap floor growth over the latency run (lowest heap in the second half / in the first half) | ").append(f(d(lat, "heapFloorGrowth"))).append(" |\n");
            b.append("| checkpointed state (latest checkpoint of the latency run) | ").append(f(d(lat, "checkpointStateBytes"))).append(" bytes |\n");
            b.append("| active (datacenter, model) keys / all dimension keys | ").append(lat.get("activeDatacenterModelKeys")).append(" / ").append(lat.get("activeKeysAllDimensions")).append(" |\n");
            b.append("| checkpointed bytes per active (datacenter, model) key | ").append(f(d(lat, "checkpointBytesPerDatacenterModelKey"))).append(" |\n");
            Object byOp = lat.get("checkpointStateByOperator");
            if (byOp != null) {
                b.append("\nState by operator chain (bytes): \n\n");
                ((Map<String, Object>) byOp).forEach((k, v) -> b.append("- ").append(k).append(": ").append(v).append('\n'));
            }
            b.append("\nHeap over the latency run (30-s slots; min = the live set between collections):\n\n| s | heap min | heap max | RSS max |\n|---|---|---|---|\n");
            for (Map<String, Object> x : (List<Map<String, Object>>) lat.get("heapTimeline")) {
                b.append("| ").append(f(d(x, "atSeconds"))).append(" | ").append(mb(d(x, "heapMinBytes"))).append(" | ")
                        .append(mb(d(x, "heapMaxBytes"))).append(" | ").append(mb(d(x, "rssMaxBytes"))).append(" |\n");
            }
        }
        return b.toString();
    }
}
