package io.carbonstream.aggregate;

/** One emitted aggregate: a window of one dimension, at one revision. A Flink POJO. */
public class AggregateRecord {
    public WindowKind window;
    public long windowStart;
    public long windowEnd;
    public Dimension dimension;

    /** Null for the MODEL dimension. */
    public String datacenterId;

    /** Null for the DATACENTER dimension. */
    public String modelId;

    /** Grid zone and organisation of the datacenter; null for the MODEL dimension. */
    public String zone;

    public String organisation;
    public Totals totals;
    public int revision;

    /**
     * FIRST_EMISSION, or the reasons of a later revision joined by '+' (see {@link
     * RevisionReason}).
     */
    public String revisionReason;

    public String methodology;

    /** lifecycle or direct: the factor type of the intensity behind location-based figures. */
    public String emissionFactorType;

    /** The other factor type: the intensity behind the totals' alternative figure. */
    public String alternativeFactorType;

    public AggregateRecord() {}

    /** The Kafka key: the same for every revision of a window, so compaction keeps the latest. */
    public String kafkaKey() {
        return io.carbonstream.schema.Keys.aggregate(
                window.name(), dimension.name(), datacenterId, modelId, windowStart);
    }

    @Override
    public String toString() {
        return "Aggregate{"
                + kafkaKey()
                + " rev="
                + revision
                + " requests="
                + totals.requests
                + " g="
                + totals.locationG
                + "}";
    }
}
