package io.carbonstream.aggregate;

import static io.carbonstream.aggregate.TestPricing.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.energy.EnergyRange;
import io.carbonstream.energy.ModelCatalog;
import io.carbonstream.energy.Provenance;
import io.carbonstream.intensity.IntensityPricer;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * METERED_ATTRIBUTED through pricing with the built-in catalog: its own range (not the catalog
 * estimates'), counted apart from the events' own measurements (GpuAttributionIT checks the
 * aggregates' metered_attributed_share end to end).
 */
class MeteredAttributedPricingTest {

    @Test
    void meteredAttributedEnergyHasItsRangeAndIsCountedApart() {
        ModelCatalog catalog = ModelCatalog.builtIn();
        EnergyRange metered = catalog.range(Provenance.METERED_ATTRIBUTED);
        assertThat(metered.low()).isEqualTo(0.76);
        assertThat(metered.high()).isEqualTo(1.26);
        Map<Provenance, EnergyRange> ranges = new EnumMap<>(Provenance.class);
        for (Provenance p : Provenance.values()) ranges.put(p, catalog.range(p));
        PricingCore core =
                new PricingCore(
                        TestPricing.with(new IntensityPricer(Map.of(), 500.0, Long.MAX_VALUE))
                                .ranges(ranges)
                                .embodied(0.0)
                                .settings());

        Totals t = core.unpriced(req(300, Provenance.METERED_ATTRIBUTED));
        t.add(core.unpriced(req(100, Provenance.MEASURED)));
        t.add(core.unpriced(req(600, Provenance.CATALOG)));
        // By hand: 300 J metered and attributed, 100 J measured, 600 J from the catalog.
        assertThat(t.gpuJoules).isEqualTo(1_000);
        assertThat(t.meteredAttributedGpuJoules).isEqualTo(300);
        assertThat(t.measuredGpuJoules).isEqualTo(100);
        assertThat(t.gpuJoulesLow).isCloseTo(300 * 0.76 + 100 * 0.95 + 600 * 0.59, within(1e-9));
        assertThat(t.gpuJoulesHigh).isCloseTo(300 * 1.26 + 100 * 1.05 + 600 * 3.8, within(1e-9));
    }
}
