package io.carbonstream.energy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * The range around an energy figure of one provenance, as multipliers of the point figure: the
 * point figure stays the accounting figure, the range says how far the truth may lie from it.
 */
public record EnergyRange(
        @JsonProperty("low") double low,
        @JsonProperty("high") double high,
        @JsonProperty("source") String source)
        implements Serializable {

    /** No range: the point figure only. */
    public static final EnergyRange EXACT = new EnergyRange(1.0, 1.0, "no range");

    void check(String origin, Provenance p) {
        if (!(low > 0) || !(high >= 1.0) || low > 1.0 || !Double.isFinite(high)) {
            throw new IllegalArgumentException(
                    "Catalog "
                            + origin
                            + ": uncertainty "
                            + p
                            + " must have 0 < low <= 1 <= high, got low="
                            + low
                            + " high="
                            + high);
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException(
                    "Catalog "
                            + origin
                            + ": uncertainty "
                            + p
                            + " has no source: every figure needs its provenance");
        }
    }
}
