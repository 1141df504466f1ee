package io.carbonstream.energy;

import java.io.Serializable;

/**
 * GPU energy of one request: the measurement when there is a usable one, else the catalog, else the
 * parametric fit, else the modality default. Plain Java, no Flink.
 */
public final class EnergyModel implements Serializable {

    /** Draw of one GPU at most; an H100 SXM is rated 700 W, a B200 1,000 W. */
    public static final double DEFAULT_MAX_GPU_WATTS = 1_500.0;

    /** Bound of a request's duration when the event does not say (duration_ms = 0). */
    public static final long DEFAULT_MAX_REQUEST_DURATION_MS = 30 * 60_000L;

    private final ModelCatalog catalog;
    private final double maxGpuWatts;
    private final long maxRequestDurationMs;

    public EnergyModel(ModelCatalog catalog) {
        this(catalog, DEFAULT_MAX_GPU_WATTS, DEFAULT_MAX_REQUEST_DURATION_MS);
    }

    /**
     * @param maxGpuWatts a measurement above gpu_count x this x duration is not believed
     * @param maxRequestDurationMs the duration assumed for that bound when an event has none
     */
    public EnergyModel(ModelCatalog catalog, double maxGpuWatts, long maxRequestDurationMs) {
        this.catalog = catalog;
        this.maxGpuWatts = maxGpuWatts;
        this.maxRequestDurationMs = maxRequestDurationMs;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public EnergyEstimate gpuEnergy(InferenceRequest r) {
        Double j = r.measuredGpuJoules;
        // No reading, or zero: the meter was not attached. Estimate, nothing to flag.
        if (j == null || j == 0.0) return estimate(r);
        // A reading the GPUs could not have produced (NaN, negative, above their rated draw over
        // the
        // request's duration) says the meter is wrong, not that the request did not run: the
        // request
        // keeps its place in the totals with the estimate, flagged so that the share shows up.
        if (!plausible(j, r)) return estimate(r).replacingRejectedMeasurement();
        return new EnergyEstimate(j, Provenance.MEASURED);
    }

    /** Whether a measured figure is within what the request's GPUs could draw while it ran. */
    public boolean plausible(double joules, InferenceRequest r) {
        if (!(joules > 0) || Double.isInfinite(joules)) return false;
        long durationMs = r.durationMs > 0 ? r.durationMs : maxRequestDurationMs;
        return joules <= ceilingJoules(r.gpuCount, durationMs);
    }

    public double ceilingJoules(int gpuCount, long durationMs) {
        return Math.max(1, gpuCount) * maxGpuWatts * (durationMs / 1000.0);
    }

    /** The estimate, ignoring any measurement. */
    public EnergyEstimate estimate(InferenceRequest r) {
        CatalogEntry entry = catalog.model(r.modelId);
        if (entry != null && entry.covers(r.modality)) {
            return new EnergyEstimate(fromEntry(entry, r), Provenance.CATALOG);
        }
        Double params =
                r.activeParamsB != null
                        ? r.activeParamsB
                        : entry != null ? entry.activeParamsB() : null;
        if (r.modality == Modality.TEXT
                && params != null
                && params > 0
                && params <= catalog.parametric().maxParamsB()) {
            double jPerToken = catalog.parametric().joulesPerOutputToken(params);
            return new EnergyEstimate(jPerToken * r.outputTokens, Provenance.PARAMETRIC);
        }
        return new EnergyEstimate(
                fromEntry(catalog.modalityDefault(r.modality), r), Provenance.DEFAULT);
    }

    private static double fromEntry(CatalogEntry e, InferenceRequest r) {
        return switch (r.modality) {
            case TEXT, EMBEDDING ->
                    nz(e.jPerInputToken()) * r.inputTokens
                            + nz(e.jPerOutputToken()) * r.outputTokens;
            case IMAGE -> {
                double stepScale =
                        r.diffusionSteps > 0 ? (double) r.diffusionSteps / e.referenceSteps() : 1.0;
                yield e.jPerImage() * stepScale * r.images;
            }
            case VIDEO, AUDIO -> e.jPerMediaSecond() * r.mediaSeconds;
        };
    }

    private static double nz(Double d) {
        return d == null ? 0.0 : d;
    }
}
