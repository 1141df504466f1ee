package io.carbonstream.aggregate;

/**
 * The requests of one (datacenter, model) and minute that were priced alike: same registry version,
 * same intensity version, same quality. What re-pricing them needs (their GPU energy and the span
 * of their event times) and what they were priced at, never the requests themselves. A Flink POJO.
 */
public class Slice {
    /**
     * Earliest and latest event time of the slice's requests: a correction starting strictly inside
     * cannot split it.
     */
    public long minT;

    public long maxT;
    public long requests;
    public double gpuJoules;

    /**
     * Ends of the GPU energy's range: the priced figures' ranges scale with them (kept for
     * re-pricing).
     */
    public double gpuJoulesLow;

    public double gpuJoulesHigh;

    /** effective_from of the registry version used. */
    public long registryFrom;

    /**
     * valid_from of the intensity version used; Long.MIN_VALUE when priced with a FALLBACK default.
     */
    public long intensityFrom;

    public double intensity;

    /** PriceQuality ordinal. */
    public int quality;

    public double facilityKwh;
    public double waterL;
    public double marketG;
    public long marketRequests;
    public double locationG;

    /**
     * The other emission-factor type: valid_from of its version that priced the slice
     * (Long.MIN_VALUE: none did, see IntensityPricer#alternativeIndex), its value and the grams.
     */
    public long altFrom = Long.MIN_VALUE;

    public double altIntensity;
    public double altLocationG;

    public Slice() {}

    boolean samePricing(Slice o) {
        return registryFrom == o.registryFrom
                && intensityFrom == o.intensityFrom
                && quality == o.quality
                && intensity == o.intensity
                && altFrom == o.altFrom
                && altIntensity == o.altIntensity;
    }

    void add(Slice o) {
        minT = Math.min(minT, o.minT);
        maxT = Math.max(maxT, o.maxT);
        requests += o.requests;
        gpuJoules += o.gpuJoules;
        facilityKwh += o.facilityKwh;
        waterL += o.waterL;
        marketG += o.marketG;
        marketRequests += o.marketRequests;
        locationG += o.locationG;
        altLocationG += o.altLocationG;
        gpuJoulesLow += o.gpuJoulesLow;
        gpuJoulesHigh += o.gpuJoulesHigh;
    }
}
