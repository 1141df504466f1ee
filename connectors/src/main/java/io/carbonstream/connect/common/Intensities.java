package io.carbonstream.connect.common;

import com.fasterxml.jackson.databind.JsonNode;

/** What the feeds' answers hold as a carbon intensity, read the same way by every connector. */
public final class Intensities {
    private Intensities() {}

    /**
     * The g/kWh of a JSON value, or null when it is no usable intensity (missing, not a number, not
     * finite, negative): the caller counts the point as invalid and leaves it out.
     */
    public static Double of(JsonNode v) {
        if (v == null || !v.isNumber()) return null;
        double d = v.asDouble();
        return Double.isFinite(d) && d >= 0 ? d : null;
    }
}
