package io.carbonstream.aggregate;

import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.PriceQuality;

/**
 * Additive totals of a set of requests: everything an aggregate reports is a sum, a min or a max
 * of these fields, so panes merge into windows exactly (up to floating-point rounding). A Flink
 * POJO, mutable on purpose: it lives in keyed state and is merged in place.
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
    public double facilityKwh;
    public double waterL;
    /** Market-based grams of the requests whose datacenter has a market factor. */
    public double marketG;
    public long marketRequests;
    public double locationG;
    public double fallbackKwh;
    public double staleKwh;
    public double minIntensity = Double.POSITIVE_INFINITY;
    public double maxIntensity = Double.NEGATIVE_INFINITY;

    public Totals() {}

    public void add(Totals o) {
        requests += o.requests;
        inputTokens += o.inputTokens;
        outputTokens += o.outputTokens;
        images += o.images;
        mediaSeconds += o.mediaSeconds;
        gpuJoules += o.gpuJoules;
        measuredGpuJoules += o.measuredGpuJoules;
        facilityKwh += o.facilityKwh;
        waterL += o.waterL;
        marketG += o.marketG;
        marketRequests += o.marketRequests;
        locationG += o.locationG;
        fallbackKwh += o.fallbackKwh;
        staleKwh += o.staleKwh;
        minIntensity = Math.min(minIntensity, o.minIntensity);
        maxIntensity = Math.max(maxIntensity, o.maxIntensity);
    }

    /**
     * Prices these (so far unpriced) totals with one intensity: all their requests ran at instants
     * that share the same as-of intensity version.
     */
    public void price(IntensityPricer.Price p) {
        locationG = facilityKwh * p.gPerKwh();
        minIntensity = p.gPerKwh();
        maxIntensity = p.gPerKwh();
        fallbackKwh = p.quality() == PriceQuality.FALLBACK ? facilityKwh : 0.0;
        staleKwh = p.quality() == PriceQuality.STALE ? facilityKwh : 0.0;
    }

    public Totals copy() {
        Totals t = new Totals();
        t.add(this);
        return t;
    }
}
