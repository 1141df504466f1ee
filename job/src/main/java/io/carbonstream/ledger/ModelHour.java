package io.carbonstream.ledger;

/**
 * One model's figures in one datacenter and hour, from its HOUR/DATACENTER_MODEL aggregate. A Flink
 * POJO.
 */
public class ModelHour {
    public String modelId;
    public int revision;
    public long requests;
    public long inputTokens;
    public long outputTokens;
    public long images;
    public double mediaSeconds;
    public double facilityKwh;
    public double locationG;
    public double embodiedG;

    public ModelHour() {}
}
