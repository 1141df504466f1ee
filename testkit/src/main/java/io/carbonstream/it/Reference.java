package io.carbonstream.it;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contract computed the plainest way, independently of the job's classes: energy from the
 * published figures, the as-of intensity by scanning, every window by brute force.
 */
public final class Reference {

    public static final double IT_OVERHEAD = 1.75;
    public static final long MIN = 60_000;
    public static final long HOUR = 60 * MIN;

    /** Adds a registry version of a datacenter, in force from effectiveFrom until its next one. */
    public Reference version(Scenario.Dc d, long effectiveFrom) {
        dcs.computeIfAbsent(d.id(), id -> new TreeMap<>()).put(effectiveFrom, d);
        return this;
    }

    /** Expected values of one aggregate. */
    public static final class Agg {
        public long requests, in, out, images, marketRequests;
        public double media,
                gpuJ,
                measuredJ,
                rejectedJ,
                kwh,
                g,
                marketG,
                water,
                fallbackKwh,
                staleKwh;
        public double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
    }

    /** Datacenter -> effective_from -> version (Long.MIN_VALUE: since always). */
    private final Map<String, TreeMap<Long, Scenario.Dc>> dcs = new HashMap<>();

    /** zone -> validFrom -> last value to arrive. */
    private final Map<String, TreeMap<Long, Double>> history = new HashMap<>();

    private final Map<String, Double> zoneDefaults;
    private final double globalDefault;
    private final long maxAgeMs;

    public Reference(
            Scenario s, Map<String, Double> zoneDefaults, double globalDefault, long maxAgeMs) {
        this(s.datacenters, s.intensity, zoneDefaults, globalDefault, maxAgeMs);
    }

    /**
     * Intensity updates in arrival order: a later one with the same zone and valid_from replaces
     * the earlier.
     */
    public Reference(
            List<Scenario.Dc> datacenters,
            List<Scenario.Upd> updates,
            Map<String, Double> zoneDefaults,
            double globalDefault,
            long maxAgeMs) {
        datacenters.forEach(d -> version(d, Long.MIN_VALUE));
        for (Scenario.Upd u : updates)
            history.computeIfAbsent(u.zone(), z -> new TreeMap<>()).put(u.validFrom(), u.g());
        this.zoneDefaults = zoneDefaults;
        this.globalDefault = globalDefault;
        this.maxAgeMs = maxAgeMs;
    }

    public static double parametricJPerToken(double paramsB) {
        return (1.17e-6 * Math.exp(-1.12e-2 * 64) * paramsB + 4.05e-5) * 3600;
    }

    /**
     * Plausibility bound of a measurement: the GPUs at 1,500 W for the request's duration, 30 min
     * when it has none.
     */
    public static boolean plausible(Scenario.Req r) {
        double seconds = (r.durationMs() > 0 ? r.durationMs() : 30 * 60_000L) / 1000.0;
        return r.measured() != null
                && r.measured() > 0
                && r.measured() <= Math.max(1, r.gpus()) * 1500.0 * seconds;
    }

    /** GPU joules from the published figures (ML.ENERGY, AI Energy Score, EcoLogits). */
    public static double gpuJoules(Scenario.Req r) {
        if (plausible(r)) return r.measured();
        return switch (r.model()) {
            case "llama-3.1-8b" -> 0.119 * r.out();
            case "gpt-oss-20b" -> parametricJPerToken(3.6) * r.out();
            case "acme-13b" -> parametricJPerToken(13.0) * r.out();
            case "sd3-medium" -> 1141.0 * (r.steps() > 0 ? r.steps() / 25.0 : 1.0) * r.images();
            case "cogvideox-2b" -> 4670.0 * r.media();
            case "mystery-embed" -> 0.002 * r.in();
            default -> throw new IllegalArgumentException(r.model());
        };
    }

    /** End (exclusive) of the window an aggregate key names: window|dimension|dc|model|start. */
    public static long windowEnd(String key) {
        long start = Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
        return start + (key.startsWith("MINUTE|") ? MIN : HOUR);
    }

    /** The entries of windows ending at or before {@code end}. */
    public static <V> Map<String, V> endingBy(Map<String, V> windows, long end) {
        Map<String, V> out = new HashMap<>();
        windows.forEach(
                (k, v) -> {
                    if (windowEnd(k) <= end) out.put(k, v);
                });
        return out;
    }

    /** Expected aggregates keyed like the job's Kafka keys: window|dimension|dc|model|start. */
    public Map<String, Agg> aggregates(List<Scenario.Req> requests) {
        Map<String, Agg> out = new HashMap<>();
        for (Scenario.Req r : requests) {
            Scenario.Dc dc = dcs.get(r.dc()).floorEntry(r.t()).getValue();
            double gpu = gpuJoules(r);
            double kwh =
                    gpu
                            * (dc.itOverhead() != null ? dc.itOverhead() : IT_OVERHEAD)
                            * dc.pue()
                            / 3.6e6;
            double g;
            int quality; // 0 ok, 1 stale, 2 fallback
            TreeMap<Long, Double> h = history.get(dc.zone());
            Map.Entry<Long, Double> e = h == null ? null : h.floorEntry(r.t());
            if (e == null) {
                g = zoneDefaults.getOrDefault(dc.zone(), globalDefault);
                quality = 2;
            } else {
                g = e.getValue();
                quality = r.t() - e.getKey() > maxAgeMs ? 1 : 0;
            }
            long minute = Math.floorDiv(r.t(), MIN) * MIN;
            long hour = Math.floorDiv(r.t(), HOUR) * HOUR;
            String[][] dims = {
                {"DATACENTER", r.dc(), ""},
                {"MODEL", "", r.model()},
                {"DATACENTER_MODEL", r.dc(), r.model()}
            };
            for (String[] d : dims) {
                String ids = d[0] + "|" + d[1] + "|" + d[2] + "|";
                add(out, "MINUTE|" + ids + minute, r, dc, gpu, kwh, g, quality);
                add(out, "HOUR|" + ids + hour, r, dc, gpu, kwh, g, quality);
                for (long end = minute + MIN; end <= minute + HOUR; end += MIN) {
                    add(out, "ROLLING_HOUR|" + ids + (end - HOUR), r, dc, gpu, kwh, g, quality);
                }
            }
        }
        return out;
    }

    private static void add(
            Map<String, Agg> out,
            String key,
            Scenario.Req r,
            Scenario.Dc dc,
            double gpu,
            double kwh,
            double g,
            int q) {
        Agg a = out.computeIfAbsent(key, k -> new Agg());
        a.requests++;
        a.in += r.in();
        a.out += r.out();
        a.images += r.images();
        a.media += r.media();
        a.gpuJ += gpu;
        if (plausible(r)) a.measuredJ += gpu;
        else if (r.measured() != null && r.measured() != 0.0) a.rejectedJ += gpu;
        a.kwh += kwh;
        a.g += kwh * g;
        a.water += kwh / dc.pue() * dc.wue();
        if (dc.market() != null) {
            a.marketG += kwh * dc.market();
            a.marketRequests++;
        }
        if (q == 1) a.staleKwh += kwh;
        if (q == 2) a.fallbackKwh += kwh;
        a.min = Math.min(a.min, g);
        a.max = Math.max(a.max, g);
    }
}
