package io.carbonstream.energy;

/** Where a request's GPU energy figure came from, best first. */
public enum Provenance {
    /** Measured on the server (DCGM/NVML) and within physical bounds. */
    MEASURED,
    /**
     * The GPU energy counters' metered energy, split over the requests that ran on each GPU
     * (io.carbonstream.gpu): every GPU the request named was metered over its whole span. Below
     * MEASURED: the request's own joules, when it has valid ones, are never replaced.
     */
    METERED_ATTRIBUTED,
    /** The model's entry in the versioned catalog. */
    CATALOG,
    /** EcoLogits fit from the model's active parameter count. */
    PARAMETRIC,
    /** The per-modality default of the catalog: nothing better was known. */
    DEFAULT
}
