package io.carbonstream.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.energy.EnergyRange;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.energy.ModelCatalog;
import io.carbonstream.energy.Provenance;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pricing core without Flink: energy ranges and embodied shares, priced and re-priced. */
class PricingCoreTest {

    /** Ranges of the tests: distinct per provenance so that a mix-up shows. */
    static final Map<Provenance, EnergyRange> RANGES = new EnumMap<>(Map.of(
            Provenance.MEASURED, new EnergyRange(0.95, 1.05, "test"),
            Provenance.CATALOG, new EnergyRange(0.5, 2.0, "test"),
            Provenance.PARAMETRIC, new EnergyRange(0.4, 3.0, "test"),
            Provenance.DEFAULT, new EnergyRange(0.1, 10.0, "test")));
    static final double EMBODIED_G_PER_J = 1e-3;

    private static final double KWH = 3.6e6;
    private final PricingCore core = new PricingCore(new PricingSettings(new IntensityPricer(Map.of(), 500.0, Long.MAX_VALUE),
            60_000, 3_600_000, 0, 1.0, 0.0, "events", 100, RANGES, EMBODIED_G_PER_J));

    private static MeteredRequest req(double joules, Provenance p) {
        InferenceRequest r = new InferenceRequest();
        r.modality = Modality.TEXT;
        r.outputTokens = 1;
        r.gpuCount = 1;
        return new MeteredRequest(r, joules, p);
    }

    @Test
    void rangesFollowEachRequestsProvenanceAndPriceWithItsIntensity() {
        DatacenterProfile dc = new DatacenterProfile("dc", "Z", 1.5, 0.0);
        dc.itOverhead = 1.0;
        IntensityTimeline tl = new IntensityTimeline();
        tl.upsert(0, 200.0);
        Totals t = core.unpriced(req(KWH, Provenance.MEASURED));
        t.add(core.unpriced(req(2 * KWH, Provenance.CATALOG)));
        t.add(core.unpriced(req(KWH, Provenance.DEFAULT)));
        core.price(t, 1_000, dc, tl);

        // By hand: GPU kWh 1 + 2 + 1 = 4, facility x1.5; low 0.95 + 1.0 + 0.1, high 1.05 + 4.0 + 10.0.
        assertThat(t.facilityKwh).isCloseTo(6.0, within(1e-12));
        assertThat(t.facilityKwhLow).isCloseTo(2.05 * 1.5, within(1e-12));
        assertThat(t.facilityKwhHigh).isCloseTo(15.05 * 1.5, within(1e-12));
        assertThat(t.locationGLow).isCloseTo(2.05 * 1.5 * 200, within(1e-9));
        assertThat(t.locationGHigh).isCloseTo(15.05 * 1.5 * 200, within(1e-9));
        // Embodied follows GPU energy (4 x 3.6e6 J x 1e-3 g/J), not the facility's factors.
        assertThat(t.embodiedG).isCloseTo(14_400.0, within(1e-9));
    }

    @Test
    void aCorrectionMovesTheRangeWithThePointFigureAndLeavesEmbodiedAlone() {
        DatacenterProfile dc = new DatacenterProfile("dc", "Z", 1.0, 0.0);
        dc.itOverhead = 1.0;
        IntensityTimeline tl = new IntensityTimeline();
        tl.upsert(0, 100.0);
        Totals t = core.unpriced(req(KWH, Provenance.CATALOG));
        SliceList slices = new SliceList();
        slices.add(core.price(t, 1_000, dc, tl));

        tl.upsert(0, 300.0);
        PricingCore.Repricing r = core.reprice(slices, DatacenterHistory.of(dc), zone -> tl);

        assertThat(r.requests).isEqualTo(1);
        assertThat(r.delta.locationG).isCloseTo(200.0, within(1e-9));
        assertThat(r.delta.locationGLow).isCloseTo(0.5 * 200.0, within(1e-9));
        assertThat(r.delta.locationGHigh).isCloseTo(2.0 * 200.0, within(1e-9));
        assertThat(r.delta.facilityKwhLow).isZero();
        assertThat(r.delta.embodiedG).isZero();
    }

    @Test
    void theShippedCatalogChargesAnH100SecondItsEmbodiedShare() {
        ModelCatalog c = ModelCatalog.builtIn();
        // By hand: (164 kg + 5,700 kg / 8) over 4 years = 876,500 g / 126,230,400 s = 6.944e-3 g per
        // GPU-second; at 400 W that is 1.736e-5 g per GPU joule.
        assertThat(c.hardware().embodiedGPerGpuJoule()).isCloseTo(876_500.0 / (4 * 365.25 * 86_400) / 400, within(1e-15));
        for (Provenance p : Provenance.values()) {
            assertThat(c.range(p).low()).isLessThanOrEqualTo(1.0);
            assertThat(c.range(p).high()).isGreaterThanOrEqualTo(1.0);
        }
    }
}
