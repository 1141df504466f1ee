package io.carbonstream.gpu;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Attribution by brute force, for tests: walks every millisecond of every interval between
 * consecutive readings ({t, J as long bits}, a later reading of the same time replacing the
 * earlier), spreads the interval's energy evenly, and shares each millisecond between the uses
 * running then by their rates, or counts it idle. A reset (a reading below the previous) counts the
 * new reading; an interval above maxWatts counts nothing. Independent of {@link GpuAttributor}.
 */
public final class AttributionReference {

    private AttributionReference() {}

    public record Result(
            Map<String, Double> perRequest,
            Map<Long, Double> idle,
            Map<Long, Double> metered,
            int resets) {}

    public static Result compute(List<long[]> readings, List<GpuUse> uses, double maxWatts) {
        TreeMap<Long, Double> byTime = new TreeMap<>();
        for (long[] r : readings)
            byTime.put(
                    r[0],
                    Double.longBitsToDouble(r[1])); // a later reading of the same time replaces
        Map<String, Double> perRequest = new HashMap<>();
        Map<Long, Double> idle = new HashMap<>();
        Map<Long, Double> metered = new HashMap<>();
        int resets = 0;
        Long prevT = null;
        double prevJ = 0;
        for (var e : byTime.entrySet()) {
            if (prevT != null) {
                double energy = e.getValue() - prevJ;
                if (energy < 0) {
                    energy = e.getValue();
                    resets++;
                }
                if (energy <= maxWatts * (e.getKey() - prevT) / 1000.0) {
                    double perMs = energy / (e.getKey() - prevT);
                    for (long m = prevT; m < e.getKey(); m++) {
                        long hour = Math.floorDiv(m, GpuAttributor.HOUR) * GpuAttributor.HOUR;
                        metered.merge(hour, perMs, Double::sum);
                        double total = 0;
                        for (GpuUse u : uses) if (u.start <= m && m < u.end) total += u.rate;
                        if (total == 0) {
                            idle.merge(hour, perMs, Double::sum);
                            continue;
                        }
                        for (GpuUse u : uses)
                            if (u.start <= m && m < u.end)
                                perRequest.merge(u.requestId, perMs * u.rate / total, Double::sum);
                    }
                }
            }
            prevT = e.getKey();
            prevJ = e.getValue();
        }
        return new Result(perRequest, idle, metered, resets);
    }
}
