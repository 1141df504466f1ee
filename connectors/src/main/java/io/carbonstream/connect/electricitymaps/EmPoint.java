package io.carbonstream.connect.electricitymaps;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbonstream.connect.common.Intensities;
import io.carbonstream.connect.common.Times;
import java.time.Instant;

/**
 * One value of the Electricity Maps API: {"zone", "carbonIntensity", "datetime", "updatedAt",
 * "createdAt", "emissionFactorType", "isEstimated", "estimationMethod"}. {@code version} is when
 * this version of the value was made: updatedAt, else createdAt, else the datetime itself (the
 * earliest it can be).
 */
record EmPoint(
        Instant datetime,
        double carbonIntensity,
        Instant updatedAt,
        Instant version,
        boolean estimated,
        String estimationMethod) {

    /**
     * The point, or null when it has no usable datetime or intensity (a gap in the source's data).
     */
    static EmPoint parse(JsonNode n) {
        if (n == null || !n.isObject()) return null;
        Instant datetime = Times.parseOrNull(text(n, "datetime"));
        Double value = Intensities.of(n.get("carbonIntensity"));
        if (datetime == null || value == null) return null;
        Instant updatedAt = Times.parseOrNull(text(n, "updatedAt"));
        Instant createdAt = Times.parseOrNull(text(n, "createdAt"));
        Instant version = updatedAt != null ? updatedAt : createdAt != null ? createdAt : datetime;
        return new EmPoint(
                datetime,
                value,
                updatedAt != null ? updatedAt : createdAt,
                version,
                n.path("isEstimated").asBoolean(false),
                text(n, "estimationMethod"));
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
