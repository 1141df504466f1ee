package io.carbonstream.ingest;

import io.carbonstream.energy.InferenceRequest;

/** Decides whether a decoded input can be trusted. Plain Java; returns null when it can. */
public final class Validator {

    private final Limits limits;

    public Validator(Limits limits) {
        this.limits = limits;
    }

    public Rejection check(InferenceRequest r, long nowMs) {
        Rejection s =
                firstNonNull(
                        text("request_id", r.requestId),
                        text("datacenter_id", r.datacenterId),
                        text("model_id", r.modelId));
        if (s != null) return s;
        if (r.modality == null) return new Rejection(Reason.MISSING_FIELD, "modality is missing");
        Rejection t = time(r.eventTime, nowMs, "event_time");
        if (t != null) return t;
        if (r.inputTokens < 0
                || r.outputTokens < 0
                || r.images < 0
                || r.diffusionSteps < 0
                || r.durationMs < 0) {
            return new Rejection(
                    Reason.INVALID_VALUE,
                    "negative count: input_tokens="
                            + r.inputTokens
                            + " output_tokens="
                            + r.outputTokens
                            + " images="
                            + r.images
                            + " diffusion_steps="
                            + r.diffusionSteps
                            + " duration_ms="
                            + r.durationMs);
        }
        if (!(r.mediaSeconds >= 0) || Double.isInfinite(r.mediaSeconds)) {
            return new Rejection(Reason.INVALID_VALUE, "media_seconds is " + r.mediaSeconds);
        }
        if (r.gpuCount < 1)
            return new Rejection(
                    Reason.INVALID_VALUE, "gpu_count is " + r.gpuCount + ", must be >= 1");
        if (r.inputTokens > limits.maxTokens() || r.outputTokens > limits.maxTokens()) {
            return new Rejection(
                    Reason.ABSURD_VALUE,
                    "tokens in/out "
                            + r.inputTokens
                            + "/"
                            + r.outputTokens
                            + " exceed "
                            + limits.maxTokens());
        }
        if (r.images > limits.maxImages() || r.diffusionSteps > limits.maxDiffusionSteps()) {
            return new Rejection(
                    Reason.ABSURD_VALUE,
                    "images " + r.images + " or steps " + r.diffusionSteps + " beyond limits");
        }
        if (r.mediaSeconds > limits.maxMediaSeconds()) {
            return new Rejection(
                    Reason.ABSURD_VALUE,
                    "media_seconds " + r.mediaSeconds + " exceeds " + limits.maxMediaSeconds());
        }
        if (r.gpuCount > limits.maxGpuCount() || r.durationMs > limits.maxDurationMs()) {
            return new Rejection(
                    Reason.ABSURD_VALUE,
                    "gpu_count "
                            + r.gpuCount
                            + " or duration_ms "
                            + r.durationMs
                            + " beyond limits");
        }
        if (r.activeParamsB != null && !(r.activeParamsB > 0 && r.activeParamsB < 100_000)) {
            return new Rejection(Reason.INVALID_VALUE, "active_params_b is " + r.activeParamsB);
        }
        if (r.gpuIds != null) {
            // Each id becomes one use on that GPU's timeline: bound the fan-out and the strings
            // kept in state.
            if (r.gpuIds.length > limits.maxGpuCount()) {
                return new Rejection(
                        Reason.ABSURD_VALUE,
                        "gpu_ids names "
                                + r.gpuIds.length
                                + " GPUs, more than "
                                + limits.maxGpuCount());
            }
            for (String id : r.gpuIds) {
                Rejection g = text("gpu_ids[]", id);
                if (g != null) return g;
            }
            // A GPU named twice would be two uses of one request on its timeline: twice its share.
            if (java.util.Arrays.stream(r.gpuIds).distinct().count() < r.gpuIds.length) {
                return new Rejection(
                        Reason.INVALID_VALUE,
                        "gpu_ids names a GPU twice: " + java.util.Arrays.toString(r.gpuIds));
            }
        }
        // A measured figure is not checked here: an implausible one is replaced by the estimate
        // (EnergyModel), never a reason to drop a request that ran.
        return null;
    }

    /**
     * Checks the time of a record of another input (a GPU counter reading): the same floor and
     * future tolerance.
     */
    public Rejection checkTime(long t, long nowMs) {
        return time(t, nowMs, "sample_time");
    }

    /** Checks one intensity update. */
    public Rejection checkIntensity(
            String zone, long validFrom, double gPerKwh, Double marginal, long nowMs) {
        Rejection s = text("zone", zone);
        if (s != null) return s;
        Rejection t = time(validFrom, nowMs, "valid_from");
        if (t != null) return t;
        if (Double.isNaN(gPerKwh) || gPerKwh < 0)
            return new Rejection(Reason.INVALID_VALUE, "carbon_intensity is " + gPerKwh);
        if (gPerKwh > limits.maxIntensity()) {
            return new Rejection(
                    Reason.ABSURD_VALUE,
                    "carbon_intensity "
                            + gPerKwh
                            + " exceeds "
                            + limits.maxIntensity()
                            + " gCO2e/kWh");
        }
        if (marginal != null && !(marginal >= 0 && marginal <= limits.maxIntensity())) {
            return new Rejection(Reason.INVALID_VALUE, "marginal_intensity is " + marginal);
        }
        return null;
    }

    /**
     * Checks one intensity forecast. Its interval lies ahead by design, so only its issue time is
     * held to the wall clock; how far ahead it may reach is counted from that issue time.
     */
    public Rejection checkForecast(ForecastReading f, long nowMs) {
        Rejection s = text("zone", f.zone());
        if (s != null) return s;
        Rejection t = time(f.madeAt(), nowMs, "forecast_made_at");
        if (t != null) return t;
        if (f.validFrom() < limits.eventTimeFloorMs()) {
            return new Rejection(
                    Reason.EVENT_TIME_BEFORE_FLOOR,
                    "valid_from "
                            + f.validFrom()
                            + " is before the floor "
                            + limits.eventTimeFloorMs());
        }
        if (f.validTo() <= f.validFrom()
                || f.validTo() - f.validFrom() > Limits.MAX_FORECAST_INTERVAL_MS) {
            return new Rejection(
                    Reason.INVALID_INTERVAL,
                    "valid_to "
                            + f.validTo()
                            + " is not after valid_from "
                            + f.validFrom()
                            + " by at most "
                            + Limits.MAX_FORECAST_INTERVAL_MS
                            + " ms");
        }
        if (f.validFrom() - f.madeAt() > Limits.MAX_FORECAST_LEAD_MS) {
            return new Rejection(
                    Reason.FORECAST_TOO_FAR_AHEAD,
                    "valid_from "
                            + f.validFrom()
                            + " is more than "
                            + Limits.MAX_FORECAST_LEAD_MS
                            + " ms after forecast_made_at "
                            + f.madeAt());
        }
        if (Double.isNaN(f.gPerKwh()) || f.gPerKwh() < 0)
            return new Rejection(Reason.INVALID_VALUE, "carbon_intensity is " + f.gPerKwh());
        if (f.gPerKwh() > limits.maxIntensity()) {
            return new Rejection(
                    Reason.ABSURD_VALUE,
                    "carbon_intensity "
                            + f.gPerKwh()
                            + " exceeds "
                            + limits.maxIntensity()
                            + " gCO2e/kWh");
        }
        return null;
    }

    public Rejection text(String field, String value) {
        if (value == null || value.isBlank())
            return new Rejection(Reason.MISSING_FIELD, field + " is empty");
        if (value.length() > limits.maxStringLength()) {
            return new Rejection(
                    Reason.OVERSIZED_STRING,
                    field
                            + " has "
                            + value.length()
                            + " characters, more than "
                            + limits.maxStringLength());
        }
        return null;
    }

    private Rejection time(long t, long nowMs, String field) {
        if (t > nowMs + limits.futureToleranceMs()) {
            return new Rejection(
                    Reason.EVENT_TIME_IN_FUTURE,
                    field
                            + " "
                            + t
                            + " is more than "
                            + limits.futureToleranceMs()
                            + " ms ahead of the wall clock "
                            + nowMs);
        }
        if (t < limits.eventTimeFloorMs()) {
            return new Rejection(
                    Reason.EVENT_TIME_BEFORE_FLOOR,
                    field + " " + t + " is before the floor " + limits.eventTimeFloorMs());
        }
        return null;
    }

    private static Rejection firstNonNull(Rejection... rs) {
        for (Rejection r : rs) if (r != null) return r;
        return null;
    }
}
