package io.carbonstream.aggregate;

import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.PriceQuality;

/**
 * Additive totals of a set of requests: everything an aggregate reports is a sum, a min or a max of
 * these fields, so panes merge into windows exactly (up to floating-point rounding). A Flink POJO,
 * mutable on purpose: it lives in keyed state and is merged in place.
 */
public class Totals {
    public long requests;
    public long inputTokens;
    public long outputTokens;
    public long images;
    public double mediaSeconds;
    public double gpuJoules;

    /** GPU joules of the requests whose energy was measured. */
    public double measuredGpuJoules;

    /**
     * GPU joules of the requests whose energy is a GPU counter's, attributed
     * (Provenance.METERED_ATTRIBUTED).
     */
    public double meteredAttributedGpuJoules;

    public double facilityKwh;
    public double waterL;

    /** Market-based grams of the requests whose datacenter has a market factor. */
    public double marketG;

    public long marketRequests;
    public double locationG;
    public double fallbackKwh;
    public double staleKwh;

    /** GPU joules that are estimates replacing a measurement that failed plausibility. */
    public double rejectedMeasurementGpuJoules;

    /** Low and high ends of the GPU energy's range (see EnergyRange), and what they price to. */
    public double gpuJoulesLow;

    public double gpuJoulesHigh;
    public double facilityKwhLow;
    public double facilityKwhHigh;
    public double locationGLow;
    public double locationGHigh;

    /** Share of the hardware's embodied emissions (independent of the grid and the registry). */
    public double embodiedG;

    /**
     * Location-based grams at the other emission-factor type's average signal, of the facility
     * energy it priced (alternativeKwh), and the requests it could not price: the window's
     * alternative figure exists only when that count is 0 (an exact integer, not a float share).
     */
    public double alternativeG;

    public double alternativeKwh;
    public long alternativeMissing;
    public double minIntensity = Double.POSITIVE_INFINITY;
    public double maxIntensity = Double.NEGATIVE_INFINITY;

    /**
     * The intensities the requests were priced with and how many requests each (the "mix"), set
     * from the pricing stage on: a restatement moves requests from one intensity to another with
     * signed counts, so the window's min and max stay exact when a correction lowers them, which a
     * running min/max cannot do. Empty in the pricing stage's own buffers.
     */
    public double[] mixIntensity;

    public long[] mixRequests;
    public int mixSize;

    public Totals() {}

    public void add(Totals o) {
        addSums(o);
        minIntensity = Math.min(minIntensity, o.minIntensity);
        maxIntensity = Math.max(maxIntensity, o.maxIntensity);
        for (int i = 0; i < o.mixSize; i++) addMix(o.mixIntensity[i], o.mixRequests[i]);
    }

    /**
     * Adds o's sums and widens the intensity range to o's (from o's mix when it has one), without
     * merging mixes: how a window sums its panes for emission (a pane's mix is final, so a value
     * with requests in it is in the window's range).
     */
    public void addForEmission(Totals o) {
        addSums(o);
        minIntensity = Math.min(minIntensity, o.lowestIntensity());
        maxIntensity = Math.max(maxIntensity, o.highestIntensity());
    }

    private void addSums(Totals o) {
        requests += o.requests;
        inputTokens += o.inputTokens;
        outputTokens += o.outputTokens;
        images += o.images;
        mediaSeconds += o.mediaSeconds;
        gpuJoules += o.gpuJoules;
        measuredGpuJoules += o.measuredGpuJoules;
        meteredAttributedGpuJoules += o.meteredAttributedGpuJoules;
        facilityKwh += o.facilityKwh;
        waterL += o.waterL;
        marketG += o.marketG;
        marketRequests += o.marketRequests;
        locationG += o.locationG;
        fallbackKwh += o.fallbackKwh;
        staleKwh += o.staleKwh;
        rejectedMeasurementGpuJoules += o.rejectedMeasurementGpuJoules;
        gpuJoulesLow += o.gpuJoulesLow;
        gpuJoulesHigh += o.gpuJoulesHigh;
        facilityKwhLow += o.facilityKwhLow;
        facilityKwhHigh += o.facilityKwhHigh;
        locationGLow += o.locationGLow;
        locationGHigh += o.locationGHigh;
        embodiedG += o.embodiedG;
        alternativeG += o.alternativeG;
        alternativeKwh += o.alternativeKwh;
        alternativeMissing += o.alternativeMissing;
    }

    /**
     * Adds n (possibly negative) requests priced at g to the mix; entries that reach zero are
     * removed.
     */
    public void addMix(double g, long n) {
        if (n == 0) return;
        for (int i = 0; i < mixSize; i++) {
            if (mixIntensity[i] == g) {
                mixRequests[i] += n;
                if (mixRequests[i] == 0) {
                    mixSize--;
                    mixIntensity[i] = mixIntensity[mixSize];
                    mixRequests[i] = mixRequests[mixSize];
                }
                return;
            }
        }
        if (mixIntensity == null) {
            mixIntensity = new double[2];
            mixRequests = new long[2];
        } else if (mixSize == mixIntensity.length) {
            mixIntensity = java.util.Arrays.copyOf(mixIntensity, mixSize * 2);
            mixRequests = java.util.Arrays.copyOf(mixRequests, mixSize * 2);
        }
        mixIntensity[mixSize] = g;
        mixRequests[mixSize] = n;
        mixSize++;
    }

    /** Lowest intensity any counted request was priced with: from the mix when there is one. */
    public double lowestIntensity() {
        if (mixSize == 0) return minIntensity;
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < mixSize; i++) if (mixRequests[i] > 0) m = Math.min(m, mixIntensity[i]);
        return m;
    }

    /** Highest intensity any counted request was priced with: from the mix when there is one. */
    public double highestIntensity() {
        if (mixSize == 0) return maxIntensity;
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < mixSize; i++) if (mixRequests[i] > 0) m = Math.max(m, mixIntensity[i]);
        return m;
    }

    /**
     * Prices these (so far unpriced) totals with one intensity: all their requests ran at instants
     * that share the same as-of intensity version.
     */
    public void price(IntensityPricer.Price p) {
        locationG = facilityKwh * p.gPerKwh();
        locationGLow = facilityKwhLow * p.gPerKwh();
        locationGHigh = facilityKwhHigh * p.gPerKwh();
        minIntensity = p.gPerKwh();
        maxIntensity = p.gPerKwh();
        fallbackKwh = p.quality() == PriceQuality.FALLBACK ? facilityKwh : 0.0;
        staleKwh = p.quality() == PriceQuality.STALE ? facilityKwh : 0.0;
    }

    /**
     * The alternative figure, when the other factor type priced every request (else null: never a
     * partial figure).
     */
    public Double alternativeFigure() {
        return requests > 0 && alternativeMissing == 0 ? alternativeG : null;
    }

    /** Share of facility energy the other factor type priced. */
    public double alternativeShare() {
        // The ends are exact (counts), in between a ratio of sums that carries their rounding.
        if (requests == 0 || alternativeMissing >= requests) return 0.0;
        if (alternativeMissing == 0) return 1.0;
        return facilityKwh > 0 ? Math.max(0.0, Math.min(1.0, alternativeKwh / facilityKwh)) : 0.0;
    }

    public Totals copy() {
        Totals t = new Totals();
        t.add(this);
        return t;
    }
}
