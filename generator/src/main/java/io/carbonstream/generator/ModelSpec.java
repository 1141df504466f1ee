package io.carbonstream.generator;

import io.carbonstream.schema.Modality;

/**
 * One model served by the fleet, with the GPU energy figures the generator uses as the "true"
 * energy of a request (what a DCGM meter would read, before noise).
 *
 * @param id model id on the wire
 * @param modality what it produces
 * @param inCatalog whether the job's built-in catalog knows it; if not and {@code activeParamsB} is
 *     set, requests carry active_params_b so the job uses the parametric (EcoLogits) fit
 * @param activeParamsB active parameters in billions (mixture of experts: active ones); null =
 *     unknown
 * @param gpus GPUs one replica occupies
 * @param joulesPerUnit GPU J per output token (TEXT), per input token (EMBEDDING), per image at the
 *     reference steps (IMAGE), per generated second (VIDEO, AUDIO)
 * @param referenceSteps diffusion steps the image figure refers to
 * @param popularity relative share of requests within its modality
 * @param medianOutput median output tokens (TEXT) or generated seconds (VIDEO, AUDIO)
 */
public record ModelSpec(
        String id,
        Modality modality,
        boolean inCatalog,
        Double activeParamsB,
        int gpus,
        double joulesPerUnit,
        int referenceSteps,
        double popularity,
        double medianOutput) {

    /**
     * EcoLogits fit (domain.md section 3) at batch 64: J per output token for P billion active
     * parameters.
     */
    public static double ecoLogitsJoulesPerToken(double activeParamsB) {
        double wh = 1.17e-6 * Math.exp(-1.12e-2 * 64) * activeParamsB + 4.05e-5;
        return wh * 3600;
    }

    static ModelSpec catalogText(
            String id,
            double params,
            int gpus,
            double jPerToken,
            double popularity,
            double medianOut) {
        return new ModelSpec(
                id, Modality.TEXT, true, params, gpus, jPerToken, 0, popularity, medianOut);
    }

    static ModelSpec parametricText(
            String id, double params, int gpus, double popularity, double medianOut) {
        return new ModelSpec(
                id,
                Modality.TEXT,
                false,
                params,
                gpus,
                ecoLogitsJoulesPerToken(params),
                0,
                popularity,
                medianOut);
    }

    static ModelSpec image(String id, double jPerImage, int referenceSteps, double popularity) {
        return new ModelSpec(
                id, Modality.IMAGE, true, null, 1, jPerImage, referenceSteps, popularity, 0);
    }

    static ModelSpec video(String id, double jPerSecond, double popularity, double medianSeconds) {
        return new ModelSpec(
                id, Modality.VIDEO, true, null, 1, jPerSecond, 0, popularity, medianSeconds);
    }
}
