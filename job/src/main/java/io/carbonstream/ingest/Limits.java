package io.carbonstream.ingest;

import java.io.Serializable;

/**
 * Bounds beyond which an input value is not a real request but a bug or an attack. Generous on
 * purpose: they only catch what cannot be true.
 *
 * @param maxTokens per request and direction; the largest context windows are ~10^7 tokens
 * @param maxGpuWatts draw of one GPU at most; an H100 SXM is rated 700 W, a B200 1,000 W
 * @param futureToleranceMs how far an event time may lead the wall clock (clock skew)
 * @param eventTimeFloorMs earliest accepted event time
 * @param schemaRegistry where registry-framed input resolves its schema ids; null: none configured
 *     (carried here because every decoder gets the limits)
 */
public record Limits(
        long maxTokens,
        int maxImages,
        int maxDiffusionSteps,
        double maxMediaSeconds,
        int maxGpuCount,
        long maxDurationMs,
        double maxGpuWatts,
        int maxStringLength,
        int maxRecordBytes,
        long futureToleranceMs,
        long eventTimeFloorMs,
        double maxIntensity,
        SchemaRegistryClient schemaRegistry)
        implements Serializable {

    /**
     * How far after its forecast_made_at a forecast may hold: feeds forecast 24 to 72 h ahead
     * (Electricity Maps 72 h, the UK API 48 h, WattTime 24-72 h); twice a week is beyond all of
     * them. Bounds the job's forecast state.
     */
    public static final long MAX_FORECAST_LEAD_MS = 14L * 24 * 3_600_000L;

    /**
     * Longest interval one forecast record may cover: feeds publish 5-minute to hourly intervals.
     */
    public static final long MAX_FORECAST_INTERVAL_MS = 24L * 3_600_000L;

    public static Limits defaults() {
        return new Limits(
                10_000_000L,
                1_000,
                1_000,
                3_600.0,
                1_024,
                86_400_000L,
                1_500.0,
                256,
                65_536,
                300_000L,
                1_577_836_800_000L /* 2020-01-01T00:00:00Z */,
                3_000.0,
                null);
    }

    public Limits withEventTimeFloor(long floorMs) {
        return new Limits(
                maxTokens,
                maxImages,
                maxDiffusionSteps,
                maxMediaSeconds,
                maxGpuCount,
                maxDurationMs,
                maxGpuWatts,
                maxStringLength,
                maxRecordBytes,
                futureToleranceMs,
                floorMs,
                maxIntensity,
                schemaRegistry);
    }

    public Limits withFutureTolerance(long toleranceMs) {
        return new Limits(
                maxTokens,
                maxImages,
                maxDiffusionSteps,
                maxMediaSeconds,
                maxGpuCount,
                maxDurationMs,
                maxGpuWatts,
                maxStringLength,
                maxRecordBytes,
                toleranceMs,
                eventTimeFloorMs,
                maxIntensity,
                schemaRegistry);
    }

    public Limits withSchemaRegistry(SchemaRegistryClient registry) {
        return new Limits(
                maxTokens,
                maxImages,
                maxDiffusionSteps,
                maxMediaSeconds,
                maxGpuCount,
                maxDurationMs,
                maxGpuWatts,
                maxStringLength,
                maxRecordBytes,
                futureToleranceMs,
                eventTimeFloorMs,
                maxIntensity,
                registry);
    }
}
