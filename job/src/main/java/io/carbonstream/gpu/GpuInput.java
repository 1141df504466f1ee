package io.carbonstream.gpu;

import io.carbonstream.ingest.DeadLetterRecord;

/**
 * What reaches attribution, keyed by GPU: a counter reading, a request's use of the GPU, or a
 * reading that could not be read. A Flink POJO.
 */
public class GpuInput {
    public GpuSample sample;
    public GpuUse use;
    public DeadLetterRecord rejected;

    public GpuInput() {}

    public static GpuInput of(GpuSample s) {
        GpuInput in = new GpuInput();
        in.sample = s;
        return in;
    }

    public static GpuInput of(GpuUse u) {
        GpuInput in = new GpuInput();
        in.use = u;
        return in;
    }

    public static GpuInput rejected(DeadLetterRecord d) {
        GpuInput in = new GpuInput();
        in.rejected = d;
        return in;
    }

    public String gpuId() {
        return sample != null ? sample.gpuId : use.gpuId;
    }

    public long eventTime() {
        return sample != null ? sample.time : use != null ? use.end : Long.MIN_VALUE;
    }
}
