package io.carbonstream.gpu;

import io.carbonstream.energy.EnergyModel;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.ingest.RequestEnvelope;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Each valid request that names its GPUs and its duration becomes one use per GPU: the span it ran,
 * its share of the catalog estimate, and its rate by the chosen weight. Requests without GPU ids or
 * without a duration cannot be placed on a GPU's timeline and keep their estimate.
 */
public final class GpuUses implements FlatMapFunction<RequestEnvelope, GpuInput> {

    private final EnergyModel energy;
    private final AttributionWeight weight;
    private final boolean priceAttributed;

    public GpuUses(EnergyModel energy, AttributionWeight weight) {
        this(energy, weight, false);
    }

    /**
     * @param priceAttributed requests without a valid measurement of their own wait for their
     *     pieces (--gpu.price-attributed)
     */
    public GpuUses(EnergyModel energy, AttributionWeight weight, boolean priceAttributed) {
        this.energy = energy;
        this.weight = weight;
        this.priceAttributed = priceAttributed;
    }

    @Override
    public void flatMap(RequestEnvelope e, Collector<GpuInput> out) {
        InferenceRequest r = e.request;
        if (!Recombination.placed(r)) return;
        double estimate = energy.estimate(r).gpuJoules() / r.gpuIds.length;
        // The same test as the request's own way to pricing (RequestIntake's provenance), so each
        // waiting request gets its pieces.
        boolean awaited =
                priceAttributed && Recombination.waits(r, energy.gpuEnergy(r).provenance());
        for (String gpu : r.gpuIds) {
            GpuUse u = new GpuUse();
            u.requestId = r.requestId;
            u.datacenterId = r.datacenterId;
            u.modelId = r.modelId;
            u.gpuId = gpu;
            u.start = r.eventTime - r.durationMs;
            u.end = r.eventTime;
            u.estimateJ = estimate;
            u.rate = weight.rate(r, estimate);
            u.awaited = awaited;
            out.collect(GpuInput.of(u));
        }
    }
}
