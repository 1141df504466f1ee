package io.carbonstream.gpu;

import io.carbonstream.schema.Keys;

/** One record of the gpu-attribution output (see GpuAttribution.avsc). A Flink POJO. */
public class GpuAttributionRecord {
    public static final String GPU_HOUR = "GPU_HOUR";
    public static final String DATACENTER_HOUR = "DATACENTER_HOUR";
    public static final String MODEL_HOUR = "MODEL_HOUR";

    public String type;
    public long hourStart;
    public String datacenterId;
    public String gpuId;
    public String modelId;
    public int revision = 1;
    public double meteredJ;
    public double attributedJ;
    public double idleJ;
    public double estimatedJ;

    /** Attributed and estimated J of fully metered requests only: the calibration ratio's terms. */
    public double fullyMeteredJ;

    public double fullyMeteredEstimateJ;
    public long requests;
    public long partlyUnmetered;
    public int gpus;
    public int resets;
    public int gaps;
    public int implausible;

    public GpuAttributionRecord() {}

    public Double meteredToEstimated() {
        return MODEL_HOUR.equals(type) && fullyMeteredEstimateJ > 0
                ? fullyMeteredJ / fullyMeteredEstimateJ
                : null;
    }

    public String kafkaKey() {
        String hour = java.time.Instant.ofEpochMilli(hourStart).toString();
        return switch (type) {
            case GPU_HOUR -> Keys.join("GPU", gpuId, hour);
            case DATACENTER_HOUR -> Keys.join("DATACENTER", datacenterId, hour);
            default -> Keys.join("MODEL", datacenterId, modelId, hour);
        };
    }

    static GpuAttributionRecord of(GpuHour h) {
        GpuAttributionRecord r = new GpuAttributionRecord();
        r.type = GPU_HOUR;
        r.hourStart = h.hourStart;
        r.datacenterId = h.datacenterId;
        r.gpuId = h.gpuId;
        r.meteredJ = h.meteredJ;
        r.attributedJ = h.attributedJ;
        r.idleJ = h.idleJ;
        r.gpus = 1;
        r.resets = h.resets;
        r.gaps = h.gaps;
        r.implausible = h.implausible;
        return r;
    }
}
