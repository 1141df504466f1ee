package io.carbonstream.connect.electricitymaps;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbonstream.schema.IntensityUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * How Electricity Maps API v3 answers become carbonstream records: the one mapping the source task
 * publishes with, public so that other code can show exactly what the connector makes of an answer
 * (the demo's {@code --intensity-replay electricity-maps} replays a recorded day through it). No
 * Kafka Connect type here.
 */
public final class ElectricityMapsResponses {
    /** {@code source} of every record. */
    public static final String SOURCE = "electricitymaps";

    /**
     * {@code signal} of every record: Electricity Maps' carbonIntensity is the average
     * (location-based) signal.
     */
    public static final String SIGNAL = "average";

    private ElectricityMapsResponses() {}

    /**
     * The value of a {@code GET /v3/carbon-intensity/latest} answer, or null when it has no usable
     * datetime or intensity (a gap). {@code zone} and {@code factor} are those of the request, as
     * the task uses them.
     */
    public static IntensityUpdate latest(JsonNode body, String zone, String factor) {
        EmPoint p = EmPoint.parse(body);
        return p == null ? null : update(zone, factor, p);
    }

    /**
     * The values of a {@code GET /v3/carbon-intensity/past-range} answer ({@code {"zone", "data":
     * [...]}}), in datetime order, the newest version of each datetime; points without a usable
     * datetime or intensity (gaps) are left out.
     *
     * @throws IllegalArgumentException when the answer has no "data" array
     */
    public static List<IntensityUpdate> pastRange(JsonNode body, String zone, String factor) {
        JsonNode data = body == null ? null : body.get("data");
        if (data == null || !data.isArray())
            throw new IllegalArgumentException("no \"data\" array in the past-range answer");
        List<IntensityUpdate> out = new ArrayList<>();
        for (EmPoint p : points(data, Instant.MIN, Instant.MAX, () -> {}))
            out.add(update(zone, factor, p));
        return out;
    }

    /**
     * The usable points of a "data" array within [start, end), newest version per datetime, in
     * datetime order.
     */
    static List<EmPoint> points(JsonNode data, Instant start, Instant end, Runnable onInvalid) {
        TreeMap<Instant, EmPoint> points = new TreeMap<>();
        for (JsonNode n : data) {
            EmPoint p = EmPoint.parse(n);
            if (p == null) {
                onInvalid.run();
                continue;
            }
            if (!p.datetime().isBefore(start) && p.datetime().isBefore(end))
                points.merge(p.datetime(), p, ElectricityMapsResponses::newer);
        }
        return new ArrayList<>(points.values());
    }

    static EmPoint newer(EmPoint a, EmPoint b) {
        return b.version().isAfter(a.version()) ? b : a;
    }

    /**
     * The record of one value: updated_at is the API's updatedAt (else createdAt), the version a
     * later one corrects.
     */
    static IntensityUpdate update(String zone, String factor, EmPoint p) {
        return IntensityUpdate.newBuilder()
                .setZone(zone)
                .setValidFrom(p.datetime())
                .setCarbonIntensity(p.carbonIntensity())
                .setMarginalIntensity(null)
                .setEstimated(p.estimated())
                .setSource(SOURCE)
                .setEmissionFactorType(factor)
                .setSignal(SIGNAL)
                .setEstimationMethod(p.estimationMethod())
                .setUpdatedAt(p.updatedAt())
                .build();
    }
}
