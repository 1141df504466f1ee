package io.carbonstream.gpu;

import io.carbonstream.energy.InferenceRequest;

/**
 * How a GPU's energy over a stretch of time is shared between the requests running on it then.
 * Requests batched together differ in size: a 2,000-token completion draws more of the GPU than a
 * 20-token one beside it, so time alone would over-charge the small one. The default, ESTIMATE,
 * shares by the catalog estimate's rate (estimated J per ms of the request): the meter gives the
 * total, the catalog only the proportions. TOKENS shares by tokens per ms; TIME equally.
 */
public enum AttributionWeight {
    ESTIMATE,
    TOKENS,
    TIME;

    /** The request's rate (per ms of its duration): its weight while it runs. */
    public double rate(InferenceRequest r, double estimateJ) {
        double ms = Math.max(1, r.durationMs);
        return switch (this) {
            case ESTIMATE -> estimateJ / ms;
            case TOKENS -> (r.inputTokens + r.outputTokens) / ms;
            case TIME -> 1.0;
        };
    }
}
