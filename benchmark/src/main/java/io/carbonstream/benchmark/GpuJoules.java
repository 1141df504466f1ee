package io.carbonstream.benchmark;

import io.carbonstream.energy.EnergyModel;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.energy.ModelCatalog;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;

/**
 * GPU joules of one request for the SQL peer: calls the job's own {@link EnergyModel} with the
 * built-in catalog, so that both implementations use the same figures (measured when present, else
 * catalog, parametric fit or modality default).
 */
public class GpuJoules extends ScalarFunction {

    private transient EnergyModel model;
    private transient InferenceRequest r;

    @Override
    public void open(FunctionContext context) {
        model = new EnergyModel(ModelCatalog.builtIn());
        r = new InferenceRequest();
    }

    public Double eval(
            String modelId,
            String modality,
            Long inputTokens,
            Long outputTokens,
            Integer images,
            Integer diffusionSteps,
            Double mediaSeconds,
            Double measuredGpuJoules,
            Double activeParamsB,
            Integer gpuCount,
            Long durationMs) {
        if (model == null) open(null);
        r.modelId = modelId;
        r.modality = Modality.valueOf(modality);
        // The Avro fields are non-null: SQL only sees them as nullable columns.
        r.inputTokens = inputTokens;
        r.outputTokens = outputTokens;
        r.images = images;
        r.diffusionSteps = diffusionSteps;
        r.mediaSeconds = mediaSeconds;
        r.measuredGpuJoules = measuredGpuJoules;
        r.activeParamsB = activeParamsB;
        // The plausibility bound of a measurement needs them: an implausible one is replaced by the
        // estimate.
        r.gpuCount = gpuCount;
        r.durationMs = durationMs;
        return model.gpuEnergy(r).gpuJoules();
    }

    /**
     * Whether the request's GPU joules are its measurement (present, non-zero and plausible), as
     * the job decides.
     */
    public static class Measured extends ScalarFunction {
        private transient EnergyModel model;
        private transient InferenceRequest r;

        public Boolean eval(Double measuredGpuJoules, Integer gpuCount, Long durationMs) {
            if (model == null) {
                model = new EnergyModel(ModelCatalog.builtIn());
                r = new InferenceRequest();
            }
            if (measuredGpuJoules == null || measuredGpuJoules == 0.0) return false;
            r.gpuCount = gpuCount;
            r.durationMs = durationMs;
            return model.plausible(measuredGpuJoules, r);
        }

        @Override
        public boolean isDeterministic() {
            return true;
        }
    }

    @Override
    public boolean isDeterministic() {
        return true;
    }
}
