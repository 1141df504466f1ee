package io.carbonstream.alert;

public enum AlertKind {
    /** A zone's grid intensity above its absolute or baseline-relative threshold. */
    GRID_SPIKE,
    /** A datacenter's rolling emission rate above its budget. */
    EMISSION_BUDGET,
    /**
     * A zone's marginal intensity above its own thresholds while one of its datacenters is busy.
     */
    MARGINAL_SPIKE,
    /**
     * The forecast of a busy datacenter's zone shows a grid spike within the forecast horizon: an
     * early warning.
     */
    FORECAST_SPIKE
}
