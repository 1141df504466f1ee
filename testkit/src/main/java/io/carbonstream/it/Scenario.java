package io.carbonstream.it;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A generated multi-zone, multi-datacenter, multi-model day slice, described with the test's own
 * types (not the job's), with out-of-order arrival, estimate corrections, a zone without data, a
 * zone that starts late (FALLBACK) and one that goes silent (STALE).
 */
public final class Scenario {

    public record Req(
            String id,
            long t,
            String dc,
            String model,
            String modality,
            long in,
            long out,
            int images,
            int steps,
            double media,
            int gpus,
            long durationMs,
            Double measured,
            Double params) {}

    /** A text request with no measurement and no declared parameter count. */
    public static Req text(
            String id, long t, String dc, String model, long in, long out, int gpus, long ms) {
        return new Req(id, t, dc, model, "TEXT", in, out, 0, 0, 0, gpus, ms, null, null);
    }

    public record Upd(String zone, long validFrom, double g, boolean estimated) {}

    public record Dc(
            String id, String zone, double pue, double wue, Double itOverhead, Double market) {

        /** The same site with another PUE: a new version of its registry entry. */
        public Dc withPue(double newPue) {
            return new Dc(id, zone, newPue, wue, itOverhead, market);
        }
    }

    /** The scenario's datacenter of this id. */
    public Dc datacenter(String id) {
        return datacenters.stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
    }

    public static final long BASE = Instant.parse("2026-11-01T10:00:00Z").toEpochMilli();
    public static final long MIN = 60_000;

    public final List<Dc> datacenters =
            List.of(
                    new Dc("dc-cal-1", "US-CAL-CISO", 1.10, 0.30, null, 50.0),
                    new Dc("dc-cal-2", "US-CAL-CISO", 1.20, 1.80, 1.60, null),
                    new Dc("dc-de", "DE", 1.15, 1.00, null, null),
                    new Dc("dc-pl", "PL", 1.50, 1.80, null, 120.0),
                    new Dc("dc-nodata", "XX-NODATA", 1.30, 0.50, null, null));

    /** In arrival (topic) order. */
    public final List<Upd> intensity = new ArrayList<>();

    /** In arrival (topic) order. */
    public final List<Req> requests = new ArrayList<>();

    public Scenario(long seed, int n, long spanMs, long maxDisorderMs) {
        Random rnd = new Random(seed);
        List<Upd> updates = new ArrayList<>();
        List<long[]> order = new ArrayList<>(); // [arrival, index]
        // California every 5 minutes with a solar dip; some estimates corrected one update later.
        for (long v = BASE - 10 * MIN; v < BASE + spanMs; v += 5 * MIN) {
            double g =
                    226
                            + 80 * Math.sin((v - BASE) / (3.0 * 3600_000) * Math.PI)
                            + rnd.nextGaussian() * 10;
            boolean correct = rnd.nextInt(3) == 0;
            updates.add(new Upd("US-CAL-CISO", v, g, correct));
            order.add(new long[] {v, updates.size() - 1});
            if (correct) {
                updates.add(new Upd("US-CAL-CISO", v, g + 15 + rnd.nextInt(20), false));
                order.add(new long[] {v + 5 * MIN + 1, updates.size() - 1});
            }
        }
        // Germany every 15 minutes, silent after 30 minutes: later requests are priced STALE.
        for (long v = BASE - 5 * MIN; v <= BASE + 30 * MIN; v += 15 * MIN) {
            updates.add(new Upd("DE", v, 300 + rnd.nextGaussian() * 30, false));
            order.add(new long[] {v, updates.size() - 1});
        }
        // Poland only from minute 20: earlier requests fall back to the global default.
        for (long v = BASE + 20 * MIN; v < BASE + spanMs; v += 10 * MIN) {
            updates.add(new Upd("PL", v, 640 + rnd.nextGaussian() * 20, false));
            order.add(new long[] {v, updates.size() - 1});
        }
        order.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
        for (long[] o : order) intensity.add(updates.get((int) o[1]));

        String[] models = {
            "llama-3.1-8b",
            "llama-3.1-8b",
            "llama-3.1-8b",
            "gpt-oss-20b",
            "gpt-oss-20b",
            "acme-13b",
            "sd3-medium",
            "cogvideox-2b",
            "mystery-embed"
        };
        List<Req> made = new ArrayList<>();
        List<long[]> arrival = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = BASE + (long) (rnd.nextDouble() * spanMs);
            Dc dc = datacenters.get(rnd.nextInt(datacenters.size()));
            String model = models[rnd.nextInt(models.length)];
            Req r =
                    switch (model) {
                        case "sd3-medium" ->
                                req(
                                        i,
                                        t,
                                        dc,
                                        model,
                                        "IMAGE",
                                        0,
                                        0,
                                        1 + rnd.nextInt(4),
                                        new int[] {0, 25, 50}[rnd.nextInt(3)],
                                        0,
                                        null,
                                        rnd);
                        case "cogvideox-2b" ->
                                req(
                                        i,
                                        t,
                                        dc,
                                        model,
                                        "VIDEO",
                                        0,
                                        0,
                                        0,
                                        0,
                                        2 + rnd.nextInt(9),
                                        null,
                                        rnd);
                        case "mystery-embed" ->
                                req(
                                        i,
                                        t,
                                        dc,
                                        model,
                                        "EMBEDDING",
                                        10 + rnd.nextInt(500),
                                        0,
                                        0,
                                        0,
                                        0,
                                        null,
                                        rnd);
                        case "acme-13b" ->
                                req(
                                        i,
                                        t,
                                        dc,
                                        model,
                                        "TEXT",
                                        50 + rnd.nextInt(2000),
                                        20 + rnd.nextInt(800),
                                        0,
                                        0,
                                        0,
                                        13.0,
                                        rnd);
                        default ->
                                req(
                                        i,
                                        t,
                                        dc,
                                        model,
                                        "TEXT",
                                        50 + rnd.nextInt(2000),
                                        20 + rnd.nextInt(800),
                                        0,
                                        0,
                                        0,
                                        null,
                                        rnd);
                    };
            made.add(r);
            arrival.add(new long[] {t + (long) (rnd.nextDouble() * maxDisorderMs), i});
        }
        arrival.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
        for (long[] a : arrival) requests.add(made.get((int) a[1]));
    }

    private static Req req(
            int i,
            long t,
            Dc dc,
            String model,
            String modality,
            long in,
            long out,
            int images,
            int steps,
            double media,
            Double params,
            Random rnd) {
        Double measured = null;
        long duration = 500 + rnd.nextInt(20_000);
        if (rnd.nextInt(10) < 3) {
            measured = 5 + rnd.nextDouble() * 400;
            duration = Math.max(duration, (long) (measured / 300 * 1000) + 1);
        }
        return new Req(
                "req-" + i,
                t,
                dc.id(),
                model,
                modality,
                in,
                out,
                images,
                steps,
                media,
                1,
                duration,
                measured,
                params);
    }
}
