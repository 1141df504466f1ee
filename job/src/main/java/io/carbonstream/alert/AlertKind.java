package io.carbonstream.alert;

public enum AlertKind {
    /** A zone's grid intensity above its absolute or baseline-relative threshold. */
    GRID_SPIKE,
    /** A datacenter's rolling emission rate above its budget. */
    EMISSION_BUDGET
}
