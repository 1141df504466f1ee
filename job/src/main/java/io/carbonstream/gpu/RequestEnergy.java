package io.carbonstream.gpu;

/** The metered energy one request took from one GPU, once final. A Flink POJO. */
public class RequestEnergy {
    public String requestId;
    public String datacenterId;
    public String modelId;
    public String gpuId;
    public long eventTime;
    public double attributedJ;
    public double estimateJ;

    /**
     * Part of the request's span had no usable reading (before the first, a gap beyond the wait, an
     * implausible interval).
     */
    public boolean partlyUnmetered;

    /** The request waits for this piece to be priced (see {@link GpuUse#awaited}). */
    public boolean awaited;

    public RequestEnergy() {}
}
