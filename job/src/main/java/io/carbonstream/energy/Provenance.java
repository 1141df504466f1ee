package io.carbonstream.energy;

/** Where a request's GPU energy figure came from, best first. */
public enum Provenance {
    /** Measured on the server (DCGM/NVML) and within physical bounds. */
    MEASURED,
    /** The model's entry in the versioned catalog. */
    CATALOG,
    /** EcoLogits fit from the model's active parameter count. */
    PARAMETRIC,
    /** The per-modality default of the catalog: nothing better was known. */
    DEFAULT
}
