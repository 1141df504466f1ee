package io.carbonstream.aggregate;

/**
 * What the pricing stage adds to one one-minute pane of one (datacenter, model): on time, once per
 * pane; later, once per watermark step for each pane that received late requests. A Flink POJO.
 */
public class PaneDelta {
    public Dimension dimension;
    public String datacenterId;
    public String modelId;
    public long minuteStart;
    public Totals totals;
    /** Grid zone of the datacenter (for spike alerts); null on fanned-out copies. */
    public String zone;
    /** The datacenter's emission budget from the registry, if any (for budget alerts). */
    public Double budgetGPerHour;

    public PaneDelta() {}

    public PaneDelta(Dimension dimension, String datacenterId, String modelId, long minuteStart, Totals totals) {
        this.dimension = dimension;
        this.datacenterId = datacenterId;
        this.modelId = modelId;
        this.minuteStart = minuteStart;
        this.totals = totals;
    }

    /** The aggregation key of this delta's dimension. */
    public String key() {
        return switch (dimension) {
            case DATACENTER -> "D|" + datacenterId;
            case MODEL -> "M|" + modelId;
            case DATACENTER_MODEL -> "DM|" + datacenterId + "|" + modelId;
        };
    }
}
