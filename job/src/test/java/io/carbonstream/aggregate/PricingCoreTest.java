package io.carbonstream.aggregate;

import static io.carbonstream.aggregate.TestPricing.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.energy.EnergyRange;
import io.carbonstream.energy.ModelCatalog;
import io.carbonstream.energy.Provenance;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pricing core without Flink: energy ranges and embodied shares, priced and re-priced. */
class PricingCoreTest {

    static final Map<Provenance, EnergyRange> RANGES = TestPricing.RANGES;

    static final double EMBODIED_G_PER_J = TestPricing.EMBODIED_G_PER_J;

    private static final double KWH = 3.6e6;
    private final PricingCore core =
            new PricingCore(
                    TestPricing.with(new IntensityPricer(Map.of(), 500.0, Long.MAX_VALUE))
                            .settings());

    @Test
    void rangesFollowEachRequestsProvenanceAndPriceWithItsIntensity() {
        DatacenterProfile dc = dc(1.5);
        IntensityTimeline tl = timeline(new long[] {0}, new double[] {200.0});
        Totals t = core.unpriced(req(KWH, Provenance.MEASURED));
        t.add(core.unpriced(req(2 * KWH, Provenance.CATALOG)));
        t.add(core.unpriced(req(KWH, Provenance.DEFAULT)));
        core.price(t, 1_000, dc, tl);

        // By hand: GPU kWh 1 + 2 + 1 = 4, facility x1.5; low 0.95 + 1.0 + 0.1, high 1.05 + 4.0 +
        // 10.0.
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
        DatacenterProfile dc = dc(1.0);
        IntensityTimeline tl = timeline(new long[] {0}, new double[] {100.0});
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
        // By hand: (164 kg + 5,700 kg / 8) over 4 years = 876,500 g / 126,230,400 s = 6.944e-3 g
        // per
        // GPU-second; at 400 W that is 1.736e-5 g per GPU joule.
        assertThat(c.hardware().embodiedGPerGpuJoule())
                .isCloseTo(876_500.0 / (4 * 365.25 * 86_400) / 400, within(1e-15));
        for (Provenance p : Provenance.values()) {
            assertThat(c.range(p).low()).isLessThanOrEqualTo(1.0);
            assertThat(c.range(p).high()).isGreaterThanOrEqualTo(1.0);
        }
    }

    // ---- the other emission-factor type ----

    /** Max age of the alternative tests' pricer: a value older than this prices nothing. */
    private static final long ALT_MAX_AGE = 10 * 60_000L;

    private final PricingCore aged =
            new PricingCore(
                    TestPricing.with(new IntensityPricer(Map.of(), 500.0, ALT_MAX_AGE)).settings());

    /** Datacenter "dc" in zone Z at this PUE and IT overhead 1. */
    private static DatacenterProfile dc(double pue) {
        DatacenterProfile dc = new DatacenterProfile("dc", "Z", pue, 0.0);
        dc.itOverhead = 1.0;
        return dc;
    }

    private static IntensityTimeline timeline(long[] from, double[] g) {
        IntensityTimeline tl = new IntensityTimeline();
        for (int i = 0; i < from.length; i++) tl.upsert(from[i], g[i]);
        return tl;
    }

    /**
     * Independent reference: the value in force at t in a plain list of (from, g) pairs, walked
     * from the start; null when none, or when it is older than the max age.
     */
    private static Double inForce(long[] from, double[] g, long t, long maxAge) {
        Double v = null;
        long at = 0;
        for (int i = 0; i < from.length; i++) {
            if (from[i] <= t && (v == null || from[i] >= at)) {
                v = g[i];
                at = from[i];
            }
        }
        return v == null || t - at > maxAge ? null : v;
    }

    @Test
    void theOtherFactorTypePricesItsOwnFigureAndNeverTheAccountingOne() {
        DatacenterProfile dc = dc(1.25);
        long[] accFrom = {0, 20 * 60_000L};
        double[] accG = {300.0, 320.0};
        // The alternative starts late, changes once, then goes silent for longer than the max age.
        long[] altFrom = {5 * 60_000L, 12 * 60_000L};
        double[] altG = {210.0, 190.0};
        IntensityTimeline acc = timeline(accFrom, accG);
        IntensityTimeline alt = timeline(altFrom, altG);
        SliceList slices = new SliceList();
        double refLoc = 0, refAlt = 0, refAltKwh = 0;
        long refMissing = 0;
        Totals sum = new Totals();
        for (long t = 0; t < 30 * 60_000L; t += 37_000) {
            double joules = KWH * (1 + (t / 37_000) % 3);
            Totals one = aged.unpriced(req(joules, Provenance.MEASURED));
            aged.priceInto(one, t, dc, acc, alt, slices);
            sum.add(one);
            double kwh = joules / KWH * 1.25;
            refLoc +=
                    kwh
                            * inForce(
                                    accFrom,
                                    accG,
                                    t,
                                    Long.MAX_VALUE); // the accounting type: stale values still
            // price
            Double a = inForce(altFrom, altG, t, ALT_MAX_AGE);
            if (a == null) refMissing++;
            else {
                refAlt += kwh * a;
                refAltKwh += kwh;
            }
        }
        assertThat(sum.locationG).isCloseTo(refLoc, within(1e-6));
        assertThat(sum.alternativeG).isCloseTo(refAlt, within(1e-6));
        assertThat(sum.alternativeKwh).isCloseTo(refAltKwh, within(1e-9));
        assertThat(sum.alternativeMissing).isEqualTo(refMissing);
        assertThat(refMissing)
                .isPositive(); // before 5 min, and after 22 min (12 + the 10 min max age)
        // Partly covered: no figure, the share says how much was priced.
        assertThat(sum.alternativeFigure()).isNull();
        assertThat(sum.alternativeShare()).isCloseTo(refAltKwh / sum.facilityKwh, within(1e-12));
        // The slices hold the same as the totals: the re-pricing starts from them.
        double slicesAlt = 0;
        for (int i = 0; i < slices.size; i++) slicesAlt += slices.slices[i].altLocationG;
        assertThat(slicesAlt).isCloseTo(refAlt, within(1e-6));
    }

    @Test
    void aFullyCoveredWindowHasTheFigureAndNoneAtAllHasShareZero() {
        DatacenterProfile dc = dc(1.0);
        IntensityTimeline acc = timeline(new long[] {0}, new double[] {400.0});
        IntensityTimeline alt = timeline(new long[] {0}, new double[] {350.0});
        Totals covered = aged.unpriced(req(2 * KWH, Provenance.CATALOG));
        aged.price(covered, 60_000, dc, acc, alt);
        assertThat(covered.alternativeFigure()).isEqualTo(2 * 350.0);
        assertThat(covered.alternativeShare()).isEqualTo(1.0);
        assertThat(covered.locationG).isEqualTo(2 * 400.0);

        Totals none = aged.unpriced(req(2 * KWH, Provenance.CATALOG));
        aged.price(none, 60_000, dc, acc, null);
        assertThat(none.alternativeFigure()).isNull();
        assertThat(none.alternativeShare()).isZero();
        assertThat(none.locationG).isEqualTo(2 * 400.0);
    }

    @Test
    void
            aCorrectionOfTheOtherTypeRepricesOnlyItsFigureAndOneOfTheAccountingTypeOnlyTheAccountingOnes() {
        DatacenterProfile dc = dc(1.0);
        IntensityTimeline acc = timeline(new long[] {0}, new double[] {400.0});
        IntensityTimeline alt = timeline(new long[] {0}, new double[] {350.0});
        SliceList slices = new SliceList();
        Totals t = aged.unpriced(req(KWH, Provenance.CATALOG));
        slices.add(aged.price(t, 1_000, dc, acc, alt));

        alt.upsert(0, 365.0);
        PricingCore.Repricing r =
                aged.reprice(slices, DatacenterHistory.of(dc), zone -> acc, zone -> alt);
        assertThat(r.requests).isEqualTo(1);
        assertThat(r.delta.alternativeG).isCloseTo(15.0, within(1e-9));
        assertThat(r.delta.alternativeKwh).isZero();
        assertThat(r.delta.alternativeMissing).isZero();
        assertThat(r.delta.locationG).isZero();
        assertThat(r.delta.lowestIntensity())
                .isEqualTo(Double.POSITIVE_INFINITY); // the mix moved nowhere

        acc.upsert(0, 410.0);
        r = aged.reprice(slices, DatacenterHistory.of(dc), zone -> acc, zone -> alt);
        assertThat(r.delta.locationG).isCloseTo(10.0, within(1e-9));
        assertThat(r.delta.alternativeG).isZero();

        // A first value of the other type arriving late covers what it did not: the missing count
        // goes down by the slice's requests and its energy becomes priced.
        SliceList uncovered = new SliceList();
        IntensityTimeline later = new IntensityTimeline();
        Totals u = aged.unpriced(req(KWH, Provenance.CATALOG));
        uncovered.add(aged.price(u, 2_000, dc, acc, later));
        assertThat(u.alternativeMissing).isEqualTo(1);
        later.upsert(0, 330.0);
        r = aged.reprice(uncovered, DatacenterHistory.of(dc), zone -> acc, zone -> later);
        assertThat(r.delta.alternativeMissing).isEqualTo(-1);
        assertThat(r.delta.alternativeKwh).isCloseTo(1.0, within(1e-12));
        assertThat(r.delta.alternativeG).isCloseTo(330.0, within(1e-9));
    }
}
