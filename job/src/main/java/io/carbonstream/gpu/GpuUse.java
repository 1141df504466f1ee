package io.carbonstream.gpu;

/**
 * One request's use of one GPU: its span [start, end) in event time and how much of the GPU's
 * energy it should take per millisecond relative to the other requests on it at the same time
 * ({@code rate}, from {@link AttributionWeight}). A Flink POJO.
 */
public class GpuUse {
    public String requestId;
    public String datacenterId;
    public String modelId;
    public String gpuId;
    public long start;

    /** The request's event time (it ends then). */
    public long end;

    public double rate;

    /**
     * The catalog estimate of the request's GPU energy on this GPU (its estimate / its GPU count).
     */
    public double estimateJ;

    /**
     * The request waits for its attribution to be priced (io.carbonstream.gpu.Recombination): its
     * piece must reach it.
     */
    public boolean awaited;

    public GpuUse() {}
}
