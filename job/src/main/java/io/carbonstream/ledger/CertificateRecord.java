package io.carbonstream.ledger;

/**
 * One energy attribute certificate or PPA delivery, validated (see Certificate.avsc). kWh, not MWh:
 * the unit of the rest of the job. A Flink POJO.
 */
public class CertificateRecord {
    public String certificateId;
    public double kwh;

    /** Start of the generation hour (on the hour). */
    public long hourStart;

    public String boundary;
    public String technology;
    public String instrument;
    public double factorGPerKwh;

    /** Exactly one of these two is set. */
    public String datacenterId;

    public String organisation;

    /**
     * Where it was read and its bytes, to dead-letter it unchanged if the ledger cannot place it;
     * cleared before it is kept.
     */
    public String sourceTopic;

    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestamp;
    public byte[] key;
    public byte[] value;

    public CertificateRecord() {}

    public boolean forDatacenter() {
        return datacenterId != null;
    }
}
