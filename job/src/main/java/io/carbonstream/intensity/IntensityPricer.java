package io.carbonstream.intensity;

import java.io.Serializable;
import java.util.Map;

/** Chooses the intensity that prices a request, following the as-of rule of the contract. */
public final class IntensityPricer implements Serializable {

    /** The intensity used and how it was chosen. */
    public record Price(double gPerKwh, PriceQuality quality) {}

    private final Map<String, Double> zoneDefaults;
    private final double globalDefault;
    private final long maxAgeMs;

    public IntensityPricer(Map<String, Double> zoneDefaults, double globalDefault, long maxAgeMs) {
        this.zoneDefaults = Map.copyOf(zoneDefaults);
        this.globalDefault = globalDefault;
        this.maxAgeMs = maxAgeMs;
    }

    /** Prices event time t in a zone whose history is {@code timeline} (null when never seen). */
    public Price price(String zone, IntensityTimeline timeline, long t) {
        int i = timeline == null ? -1 : timeline.indexAsOf(t);
        if (i < 0) {
            Double zoneDefault = zoneDefaults.get(zone);
            return new Price(
                    zoneDefault != null ? zoneDefault : globalDefault, PriceQuality.FALLBACK);
        }
        PriceQuality q =
                t - timeline.validFrom[i] > maxAgeMs ? PriceQuality.STALE : PriceQuality.OK;
        return new Price(timeline.intensity[i], q);
    }

    /**
     * The version of the alternative factor type's timeline that prices event time t, or -1 when it
     * cannot: none at or before t, or one older than the max age. The alternative figure has no
     * default and no stale value: a minute it does not price honestly is a minute it leaves out.
     */
    public int alternativeIndex(IntensityTimeline timeline, long t) {
        int i = timeline == null ? -1 : timeline.indexAsOf(t);
        if (i < 0 || t - timeline.validFrom[i] > maxAgeMs) return -1;
        return i;
    }
}
