package io.carbonstream.aggregate;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the pricing stage adds to one one-minute pane of one (datacenter, model): on time, once per
 * pane; later, once per watermark step for each pane that received late requests. Serialized by
 * {@link PaneDeltaSerializer} (fields added here must be added there).
 */
@TypeInfo(PaneDeltaSerializer.Factory.class)
public class PaneDelta {
    public Dimension dimension;
    public String datacenterId;
    public String modelId;
    public long minuteStart;
    public Totals totals;

    /**
     * Grid zone of the datacenter (spike alerts, the ledger); null on MODEL copies and on
     * restatements.
     */
    public String zone;

    /** Organisation of the datacenter in the registry, if any (the ledger); as zone. */
    public String organisation;

    /** The datacenter's emission budget from the registry, if any (for budget alerts). */
    public Double budgetGPerHour;

    /**
     * Why this delta exists when its minute's windows were already emitted ({@link RevisionReason}
     * bits): a late request, or a restatement (then it changes priced figures only, counts are
     * zero).
     */
    public int reason;

    public PaneDelta() {}

    public PaneDelta(
            Dimension dimension,
            String datacenterId,
            String modelId,
            long minuteStart,
            Totals totals) {
        this.dimension = dimension;
        this.datacenterId = datacenterId;
        this.modelId = modelId;
        this.minuteStart = minuteStart;
        this.totals = totals;
    }

    /** A restatement: re-priced figures of requests already counted, not new requests. */
    public boolean isRestatement() {
        return (reason & (RevisionReason.INTENSITY_RESTATEMENT | RevisionReason.REGISTRY_CHANGE))
                != 0;
    }

    /** The same change counted toward another dimension. */
    public PaneDelta toDimension(Dimension dim) {
        PaneDelta d =
                new PaneDelta(
                        dim,
                        dim == Dimension.MODEL ? null : datacenterId,
                        dim == Dimension.DATACENTER ? null : modelId,
                        minuteStart,
                        totals);
        d.reason = reason;
        if (dim != Dimension.MODEL) {
            d.zone = zone;
            d.organisation = organisation;
        }
        return d;
    }

    /** The aggregation key of this delta's dimension. */
    public String key() {
        return switch (dimension) {
            case DATACENTER -> io.carbonstream.schema.Keys.join("D", datacenterId);
            case MODEL -> io.carbonstream.schema.Keys.join("M", modelId);
            case DATACENTER_MODEL -> io.carbonstream.schema.Keys.join("DM", datacenterId, modelId);
        };
    }
}
