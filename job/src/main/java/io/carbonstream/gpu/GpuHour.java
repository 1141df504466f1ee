package io.carbonstream.gpu;

/**
 * One GPU's metered energy in one hour and where it went: to requests (attributed) or to no one
 * (idle). attributed + idle = metered, exactly as summed. A Flink POJO.
 */
public class GpuHour {
    public String gpuId;
    public String datacenterId;
    public long hourStart;
    public double meteredJ;
    public double attributedJ;
    public double idleJ;

    /** Counter resets (reboot, driver restart) seen in intervals ending in this hour. */
    public int resets;

    /** Intervals longer than the expected gap between readings. */
    public int gaps;

    /** Intervals whose energy the GPU could not have drawn: not counted, flagged. */
    public int implausible;

    public int intervals;

    public GpuHour() {}
}
