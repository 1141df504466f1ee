package io.carbonstream.alert;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;

/**
 * When a zone's intensity is a spike: at or above an absolute threshold (per zone, else global), or
 * above its own trailing baseline by a relative margin. The baseline is the median of the zone's
 * updates over the trailing window: a median is robust to the spike itself.
 */
public final class SpikeRule implements Serializable {

    private final double absoluteG;
    private final Map<String, Double> zoneAbsoluteG;
    private final double relativeMargin;
    private final double exitHysteresisG;
    private final int minBaselineSamples;

    public SpikeRule(
            double absoluteG,
            Map<String, Double> zoneAbsoluteG,
            double relativeMargin,
            double exitHysteresisG,
            int minBaselineSamples) {
        this.absoluteG = absoluteG;
        this.zoneAbsoluteG = Map.copyOf(zoneAbsoluteG);
        this.relativeMargin = relativeMargin;
        this.exitHysteresisG = exitHysteresisG;
        this.minBaselineSamples = minBaselineSamples;
    }

    /** Median of the samples, or NaN when there are too few to call it a baseline. */
    public double baseline(double[] samples) {
        if (samples.length < minBaselineSamples || samples.length == 0) return Double.NaN;
        double[] s = samples.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    public double enterThreshold(String zone, double baseline) {
        double abs = zoneAbsoluteG.getOrDefault(zone, absoluteG);
        return Double.isNaN(baseline) ? abs : Math.min(abs, baseline * (1 + relativeMargin));
    }

    public double exitThreshold(double enter) {
        return enter - exitHysteresisG;
    }
}
