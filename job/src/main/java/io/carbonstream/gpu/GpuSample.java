package io.carbonstream.gpu;

/**
 * A decoded counter reading, in J, with where it was read (to dead-letter it unchanged if late). A
 * Flink POJO.
 */
public class GpuSample {
    public String gpuId;
    public String datacenterId;
    public long time;
    public double cumulativeJ;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestamp;
    public byte[] key;
    public byte[] value;

    public GpuSample() {}
}
