package io.carbonstream.energy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Expected values are the published figures of domain.md, not the catalog file. */
class EnergyModelTest {

    final EnergyModel model = new EnergyModel(ModelCatalog.builtIn());

    static InferenceRequest text(String model, long in, long out) {
        InferenceRequest r = new InferenceRequest();
        r.modelId = model;
        r.modality = Modality.TEXT;
        r.inputTokens = in;
        r.outputTokens = out;
        r.gpuCount = 1;
        return r;
    }

    @Test
    void llama8bChatResponseDoublesToTheMitTechnologyReviewFigure() {
        // 57 J GPU for one Llama 3.1 8B response -> ~114 J with the default factors (x1.75 x1.15).
        InferenceRequest r = text("llama-3.1-8b", 100, 400);
        r.measuredGpuJoules = 57.0;
        EnergyEstimate e = model.gpuEnergy(r);
        assertThat(e.provenance()).isEqualTo(Provenance.MEASURED);
        double facility =
                FacilityFactors.facilityJoules(
                        e.gpuJoules(),
                        FacilityFactors.DEFAULT_IT_OVERHEAD,
                        FacilityFactors.DEFAULT_PUE);
        assertThat(facility).isCloseTo(114.0, within(1.0));
        assertThat(facility).isCloseTo(57.0 * 1.75 * 1.15, within(1e-9));
    }

    @Test
    void catalogTextIsJoulesPerOutputTokenAtBatch64() {
        EnergyEstimate e = model.gpuEnergy(text("llama-3.1-8b", 1000, 479));
        assertThat(e.provenance()).isEqualTo(Provenance.CATALOG);
        assertThat(e.gpuJoules())
                .isCloseTo(0.119 * 479, within(1e-9)); // ~57 J: the article's response
        assertThat(model.gpuEnergy(text("llama-3.1-405b", 0, 1000)).gpuJoules())
                .isCloseTo(3080.0, within(1e-9));
        assertThat(model.gpuEnergy(text("llama-3.1-70b", 0, 1000)).gpuJoules())
                .isCloseTo(800.0, within(1e-9));
        assertThat(model.gpuEnergy(text("qwen3-8b", 0, 1000)).gpuJoules())
                .isCloseTo(119.0, within(1e-9));
    }

    @Test
    void zeroOrMissingMeasurementFallsBackToTheEstimate() {
        InferenceRequest r = text("llama-3.1-8b", 0, 100);
        r.measuredGpuJoules = 0.0;
        assertThat(model.gpuEnergy(r).provenance()).isEqualTo(Provenance.CATALOG);
    }

    @Test
    void imagesScaleWithDiffusionSteps() {
        InferenceRequest r = new InferenceRequest();
        r.modelId = "sd3-medium";
        r.modality = Modality.IMAGE;
        r.images = 1;
        assertThat(model.gpuEnergy(r).gpuJoules()).isCloseTo(1141.0, within(1e-9));
        r.diffusionSteps = 50;
        // Linear in steps: 2,282 J vs 2,201 J measured at 50 steps, within 4%.
        assertThat(model.gpuEnergy(r).gpuJoules()).isCloseTo(2201.0, within(2201.0 * 0.04));
        r.images = 3;
        r.modelId = "flux.1-dev";
        assertThat(model.gpuEnergy(r).gpuJoules()).isCloseTo(3 * 7750.0, within(1e-6));
    }

    @Test
    void videoIsJoulesPerGeneratedSecond() {
        InferenceRequest r = new InferenceRequest();
        r.modelId = "cogvideox1.5-5b";
        r.modality = Modality.VIDEO;
        r.mediaSeconds = 81 / 16.0;
        assertThat(model.gpuEnergy(r).gpuJoules()).isCloseTo(335_000, within(335_000 * 0.01));
    }

    @Test
    void unknownModelWithActiveParametersUsesTheEcoLogitsFit() {
        InferenceRequest r = text("some-new-8b", 0, 1000);
        r.activeParamsB = 8.0;
        EnergyEstimate e = model.gpuEnergy(r);
        assertThat(e.provenance()).isEqualTo(Provenance.PARAMETRIC);
        // domain.md cross-check: 8B at batch 64 gives ~0.16 J per output token.
        assertThat(e.gpuJoules() / 1000).isCloseTo(0.16, within(0.01));
        double expectedWh = 1.17e-6 * Math.exp(-1.12e-2 * 64) * 8 + 4.05e-5;
        assertThat(e.gpuJoules()).isCloseTo(expectedWh * 3600 * 1000, within(1e-9));
    }

    @Test
    void catalogModelWithoutMeasurementUsesItsActiveParameters() {
        EnergyEstimate e = model.gpuEnergy(text("gpt-oss-20b", 0, 100));
        assertThat(e.provenance()).isEqualTo(Provenance.PARAMETRIC);
        assertThat(e.gpuJoules())
                .isCloseTo(
                        (1.17e-6 * Math.exp(-0.7168) * 3.6 + 4.05e-5) * 3600 * 100, within(1e-9));
    }

    @Test
    void unknownModelFallsBackToTheModalityDefault() {
        EnergyEstimate e = model.gpuEnergy(text("mystery", 0, 10));
        assertThat(e.provenance()).isEqualTo(Provenance.DEFAULT);
        assertThat(e.gpuJoules())
                .isCloseTo(8.0, within(1e-9)); // Llama 3.1 70B figure, 0.80 J/token
        InferenceRequest img = new InferenceRequest();
        img.modelId = "mystery-image";
        img.modality = Modality.IMAGE;
        img.images = 2;
        assertThat(model.gpuEnergy(img)).isEqualTo(new EnergyEstimate(2282.0, Provenance.DEFAULT));
    }

    @Test
    void waterIsOnSiteWueOverItEnergyPlusOffSite() {
        // 1 facility kWh at PUE 1.25 is 0.8 IT kWh; WUE 1.8 L/kWh -> 1.44 L; off-site 3.1 L/kWh
        // adds 3.1 L.
        assertThat(FacilityFactors.waterLitres(1.0, 1.25, 1.8, 0.0)).isCloseTo(1.44, within(1e-12));
        assertThat(FacilityFactors.waterLitres(1.0, 1.25, 1.8, 3.1)).isCloseTo(4.54, within(1e-12));
    }

    @Test
    void anImplausibleMeasurementIsReplacedByTheEstimateAndFlaggedNeverDropped() {
        InferenceRequest r = text("llama-3.1-8b", 100, 400);
        r.durationMs = 1_000; // 1 GPU x 1,500 W x 1 s = 1,500 J at most
        r.measuredGpuJoules = 1_400.0;
        assertThat(model.gpuEnergy(r))
                .isEqualTo(new EnergyEstimate(1_400.0, Provenance.MEASURED, false));
        r.measuredGpuJoules = 1_600.0;
        assertThat(model.gpuEnergy(r))
                .isEqualTo(new EnergyEstimate(0.119 * 400, Provenance.CATALOG, true));
        for (double wrong : new double[] {-3.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            r.measuredGpuJoules = wrong;
            assertThat(model.gpuEnergy(r).measurementRejected()).as("%s J", wrong).isTrue();
            assertThat(model.gpuEnergy(r).gpuJoules()).isCloseTo(0.119 * 400, within(1e-12));
        }
        r.measuredGpuJoules = 0.0; // no meter attached: an estimate, nothing rejected
        assertThat(model.gpuEnergy(r))
                .isEqualTo(new EnergyEstimate(0.119 * 400, Provenance.CATALOG, false));
    }

    @Test
    void withoutADurationTheBoundComesFromTheGpuCountAndTheMaximumRequestDuration() {
        EnergyModel tenMinutes = new EnergyModel(ModelCatalog.builtIn(), 1_000.0, 600_000);
        InferenceRequest r = text("llama-3.1-8b", 100, 400);
        r.durationMs = 0;
        r.gpuCount = 2; // 2 x 1,000 W x 600 s = 1.2 MJ
        r.measuredGpuJoules = 1_199_000.0;
        assertThat(tenMinutes.gpuEnergy(r).provenance()).isEqualTo(Provenance.MEASURED);
        r.measuredGpuJoules = 1_201_000.0;
        assertThat(tenMinutes.gpuEnergy(r).measurementRejected()).isTrue();
        assertThat(tenMinutes.gpuEnergy(r).provenance()).isEqualTo(Provenance.CATALOG);
    }
}
