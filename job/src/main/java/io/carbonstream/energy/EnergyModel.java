package io.carbonstream.energy;

import java.io.Serializable;

/**
 * GPU energy of one request: the measurement when there is a usable one, else the catalog, else
 * the parametric fit, else the modality default. Plain Java, no Flink.
 */
public final class EnergyModel implements Serializable {

    private final ModelCatalog catalog;

    public EnergyModel(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public EnergyEstimate gpuEnergy(InferenceRequest r) {
        // A zero or negative reading means the meter was not attached or failed: estimate instead.
        // Readings beyond what the GPUs could draw are rejected earlier, by the validator.
        if (r.measuredGpuJoules != null && r.measuredGpuJoules > 0 && Double.isFinite(r.measuredGpuJoules)) {
            return new EnergyEstimate(r.measuredGpuJoules, Provenance.MEASURED);
        }
        return estimate(r);
    }

    /** The estimate, ignoring any measurement. */
    public EnergyEstimate estimate(InferenceRequest r) {
        CatalogEntry entry = catalog.model(r.modelId);
        if (entry != null && entry.covers(r.modality)) {
            return new EnergyEstimate(fromEntry(entry, r), Provenance.CATALOG);
        }
        Double params = r.activeParamsB != null ? r.activeParamsB : entry != null ? entry.activeParamsB() : null;
        if (r.modality == Modality.TEXT && params != null && params > 0 && params <= catalog.parametric().maxParamsB()) {
            double jPerToken = catalog.parametric().joulesPerOutputToken(params);
            return new EnergyEstimate(jPerToken * r.outputTokens, Provenance.PARAMETRIC);
        }
        return new EnergyEstimate(fromEntry(catalog.modalityDefault(r.modality), r), Provenance.DEFAULT);
    }

    private static double fromEntry(CatalogEntry e, InferenceRequest r) {
        return switch (r.modality) {
            case TEXT, EMBEDDING -> nz(e.jPerInputToken()) * r.inputTokens + nz(e.jPerOutputToken()) * r.outputTokens;
            case IMAGE -> {
                double stepScale = r.diffusionSteps > 0 ? (double) r.diffusionSteps / e.referenceSteps() : 1.0;
                yield e.jPerImage() * stepScale * r.images;
            }
            case VIDEO, AUDIO -> e.jPerMediaSecond() * r.mediaSeconds;
        };
    }

    private static double nz(Double d) {
        return d == null ? 0.0 : d;
    }
}
