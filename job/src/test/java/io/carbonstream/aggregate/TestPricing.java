package io.carbonstream.aggregate;

import io.carbonstream.energy.EnergyRange;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.energy.Provenance;
import io.carbonstream.intensity.IntensityPricer;
import java.util.EnumMap;
import java.util.Map;

/**
 * Pricing settings of the unit tests, named rather than positional: each test states only what it
 * depends on (lateness, horizon, grace, cap...), the rest keeps these defaults.
 */
final class TestPricing {

    /** Ranges of the tests: distinct per provenance so that a mix-up shows. */
    static final Map<Provenance, EnergyRange> RANGES = ranges();

    static final double EMBODIED_G_PER_J = 1e-3;

    private final IntensityPricer pricer;
    private long latenessMs = 60_000;
    private long horizonMs = 3_600_000;
    private long graceMs;
    private double itOverhead = 1.0;
    private int maxModels = 100;
    private Map<Provenance, EnergyRange> ranges = RANGES;
    private double embodiedGPerJ = EMBODIED_G_PER_J;

    private TestPricing(IntensityPricer pricer) {
        this.pricer = pricer;
    }

    static TestPricing with(IntensityPricer pricer) {
        return new TestPricing(pricer);
    }

    TestPricing lateness(long ms) {
        latenessMs = ms;
        return this;
    }

    TestPricing horizon(long ms) {
        horizonMs = ms;
        return this;
    }

    TestPricing grace(long ms) {
        graceMs = ms;
        return this;
    }

    TestPricing itOverhead(double overhead) {
        itOverhead = overhead;
        return this;
    }

    TestPricing maxModels(int cap) {
        maxModels = cap;
        return this;
    }

    TestPricing ranges(Map<Provenance, EnergyRange> r) {
        ranges = r;
        return this;
    }

    TestPricing embodied(double gPerGpuJoule) {
        embodiedGPerJ = gPerGpuJoule;
        return this;
    }

    /**
     * A text request of the given key at time t drawing 3.6 MJ (1 facility kWh at PUE 1 and IT
     * overhead 1), from the catalog.
     */
    static MeteredRequest req(String dc, String model, long t) {
        InferenceRequest r = new InferenceRequest();
        r.requestId = "r-" + t;
        r.eventTime = t;
        r.datacenterId = dc;
        r.modelId = model;
        r.modality = Modality.TEXT;
        r.outputTokens = 10;
        r.gpuCount = 1;
        return new MeteredRequest(r, 3.6e6, Provenance.CATALOG);
    }

    /** A one-GPU text request of no key drawing the given GPU energy, of that provenance. */
    static MeteredRequest req(double joules, Provenance p) {
        InferenceRequest r = new InferenceRequest();
        r.modality = Modality.TEXT;
        r.outputTokens = 1;
        r.gpuCount = 1;
        return new MeteredRequest(r, joules, p);
    }

    /** No off-site water; the events topic is "events"; accounting with the default type. */
    PricingSettings settings() {
        return new PricingSettings(
                pricer,
                latenessMs,
                horizonMs,
                graceMs,
                itOverhead,
                0.0,
                "events",
                maxModels,
                ranges,
                embodiedGPerJ,
                "lifecycle");
    }

    /**
     * One range for every provenance (a new one gets its own too, so that the pricing core can be
     * built).
     */
    private static Map<Provenance, EnergyRange> ranges() {
        Map<Provenance, EnergyRange> m =
                new EnumMap<>(
                        Map.of(
                                Provenance.MEASURED, new EnergyRange(0.95, 1.05, "test"),
                                Provenance.CATALOG, new EnergyRange(0.5, 2.0, "test"),
                                Provenance.PARAMETRIC, new EnergyRange(0.4, 3.0, "test"),
                                Provenance.DEFAULT, new EnergyRange(0.1, 10.0, "test")));
        for (Provenance p : Provenance.values())
            m.putIfAbsent(p, new EnergyRange(0.9, 1.1, "test"));
        return m;
    }
}
