package io.carbonstream.alert;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the next hours hold for one datacenter, from what is known at an instant {@code now}; plain
 * Java, no Flink. Over the horizon [now, now + horizon):
 *
 * <ul>
 *   <li>the intensity of a zone at t is its forecast interval covering t (of several, the one that
 *       starts last), else its latest actual value (the zone's current intensity), else unknown;
 *   <li>the <b>peak</b> is the highest forecast value of the datacenter's zone, and the <b>spike
 *       start</b> the first instant whose forecast value reaches the enter threshold;
 *   <li>the <b>projection</b> is the datacenter's current energy rate times its zone's intensity,
 *       summed over the horizon where that intensity is known;
 *   <li>the <b>cleanest alternative</b> is the other zone whose intensity, known wherever the
 *       projection is, gives the least emissions for the same energy over the same hours; the
 *       <b>avoidable</b> emissions are the projection minus those (0 when no zone is cleaner).
 * </ul>
 */
public final class ForecastProjection {

    private ForecastProjection() {}

    static final double HOUR = 3_600_000.0;

    /** A forecast interval [from, to) at g gCO2e/kWh. */
    public record Piece(long from, long to, double g) {}

    /**
     * A zone as known at an instant: its forecast intervals made by then, sorted by start, and its
     * latest actual intensity (NaN: none yet).
     */
    public record Outlook(List<Piece> forecast, double current) {}

    /**
     * @param peakG highest forecast intensity of the zone over the horizon; NaN when no forecast
     *     covers any of it
     * @param spikeStart first instant whose forecast reaches the enter threshold; null: none
     * @param projectedG energy over the horizon x the zone's intensity, g
     * @param knownMs how much of the horizon the projection covers (the zone's intensity known)
     * @param alternativeZone the cleanest other zone; null when no other zone is known wherever the
     *     projection is
     * @param alternativeG the same energy at that zone's intensity, g; NaN without one
     * @param avoidableG projectedG - alternativeG, at least 0
     */
    public record Result(
            double peakG,
            Long spikeStart,
            double projectedG,
            long knownMs,
            String alternativeZone,
            double alternativeG,
            double avoidableG) {}

    /**
     * @param kwhPerHour the datacenter's current facility energy rate
     * @param enterG the threshold a forecast value must reach to be a spike
     * @param zone the datacenter's zone; the other keys of {@code zones} are the alternatives
     */
    public static Result project(
            long now,
            long horizonMs,
            double kwhPerHour,
            double enterG,
            String zone,
            Map<String, Outlook> zones) {
        long end = now + horizonMs;
        TreeSet<Long> cuts = new TreeSet<>(List.of(now, end));
        for (Outlook o : zones.values()) {
            for (Piece p : o.forecast()) {
                if (p.from() > now && p.from() < end) cuts.add(p.from());
                if (p.to() > now && p.to() < end) cuts.add(p.to());
            }
        }
        Outlook own = zones.getOrDefault(zone, new Outlook(List.of(), Double.NaN));
        TreeMap<String, Double> alternatives = new TreeMap<>();
        for (String z : zones.keySet()) if (!z.equals(zone)) alternatives.put(z, 0.0);

        double peak = Double.NaN;
        Long spikeStart = null;
        double projected = 0;
        long known = 0;
        Long a = null;
        for (long b : cuts) {
            if (a != null) {
                double forecast = forecastAt(own.forecast(), a);
                if (!Double.isNaN(forecast)) {
                    peak = Double.isNaN(peak) ? forecast : Math.max(peak, forecast);
                    if (spikeStart == null && forecast >= enterG) spikeStart = a;
                }
                double g = Double.isNaN(forecast) ? own.current() : forecast;
                if (!Double.isNaN(g)) {
                    double kwh = kwhPerHour * (b - a) / HOUR;
                    projected += kwh * g;
                    known += b - a;
                    for (var it = alternatives.entrySet().iterator(); it.hasNext(); ) {
                        var alt = it.next();
                        double other = intensityAt(zones.get(alt.getKey()), a);
                        if (Double.isNaN(other)) it.remove(); // not comparable over the same hours
                        else alt.setValue(alt.getValue() + kwh * other);
                    }
                }
            }
            a = b;
        }
        String cleanest = null;
        double cleanestG = Double.NaN;
        for (var alt : alternatives.entrySet()) {
            if (cleanest == null || alt.getValue() < cleanestG) {
                cleanest = alt.getKey();
                cleanestG = alt.getValue();
            }
        }
        double avoidable = cleanest == null ? 0 : Math.max(0, projected - cleanestG);
        return new Result(peak, spikeStart, projected, known, cleanest, cleanestG, avoidable);
    }

    /** The zone's intensity at t: its forecast, else its latest actual value, else NaN. */
    static double intensityAt(Outlook o, long t) {
        double f = forecastAt(o.forecast(), t);
        return Double.isNaN(f) ? o.current() : f;
    }

    /**
     * The value of the forecast interval covering t that starts last, or NaN. {@code pieces} sorted
     * by start.
     */
    static double forecastAt(List<Piece> pieces, long t) {
        int lo = 0;
        int hi = pieces.size() - 1;
        int last = -1; // last index with from <= t
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (pieces.get(mid).from() <= t) {
                last = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        for (int i = last; i >= 0; i--) {
            if (pieces.get(i).to() > t) return pieces.get(i).g();
        }
        return Double.NaN;
    }
}
