package io.carbonstream.ledger;

/**
 * R of the Software Carbon Intensity for a model, as the draft SCI for AI sets it per modality: per
 * second of generated media, per image, per 1,000 tokens, and per request for a model with none of
 * these. A model's unit follows what it produced in the hour.
 */
public enum FunctionalUnit {
    MEDIA_SECOND,
    IMAGE,
    TOKENS_1K,
    REQUEST;

    public static FunctionalUnit of(ModelHour m) {
        if (m.mediaSeconds > 0) return MEDIA_SECOND;
        if (m.images > 0) return IMAGE;
        if (m.inputTokens + m.outputTokens > 0) return TOKENS_1K;
        return REQUEST;
    }

    public double units(ModelHour m) {
        return switch (this) {
            case MEDIA_SECOND -> m.mediaSeconds;
            case IMAGE -> m.images;
            case TOKENS_1K -> (m.inputTokens + m.outputTokens) / 1000.0;
            case REQUEST -> m.requests;
        };
    }

    /** SCI = (O + M) / R: location-based plus embodied grams per unit; 0 without units. */
    public static double sciPerUnit(ModelHour m) {
        double r = of(m).units(m);
        return r > 0 ? (m.locationG + m.embodiedG) / r : 0.0;
    }
}
