package io.carbonstream.aggregate;

/** One record of the restatements output (see Restatement.avsc). A Flink POJO. */
public class RestatementRecord {
    public enum Type {
        SUMMARY,
        PANE
    }

    public enum Kind {
        INTENSITY,
        REGISTRY
    }

    public enum Status {
        APPLIED,
        PARTIALLY_APPLIED,
        NOT_APPLIED
    }

    public String correctionId;
    public Type type;
    public Kind kind;
    public Status status;
    public String zone;
    public String datacenterId;
    public String modelId;
    public long validFrom;
    public Double oldValue;
    public double newValue;
    public String oldSource;
    public String newSource;
    public Long minuteStart;
    public long requests;
    public double deltaFacilityKwh;
    public double deltaLocationG;
    public double deltaMarketG;
    public double deltaWaterL;
    public long watermark;
    public String note;

    public RestatementRecord() {}

    /** A copy for one re-priced pane, with the pane's changes. */
    RestatementRecord pane(String dc, String model, long minute, PricingCore.Repricing r) {
        RestatementRecord p = new RestatementRecord();
        p.correctionId = correctionId;
        p.type = Type.PANE;
        p.kind = kind;
        p.status = r.straddled > 0 ? Status.PARTIALLY_APPLIED : Status.APPLIED;
        p.zone = zone;
        p.datacenterId = dc;
        p.modelId = model;
        p.validFrom = validFrom;
        p.oldValue = oldValue;
        p.newValue = newValue;
        p.oldSource = oldSource;
        p.newSource = newSource;
        p.minuteStart = minute;
        p.requests = r.requests;
        p.deltaFacilityKwh = r.delta.facilityKwh;
        p.deltaLocationG = r.delta.locationG;
        p.deltaMarketG = r.delta.marketG;
        p.deltaWaterL = r.delta.waterL;
        p.watermark = watermark;
        if (r.straddled > 0) {
            p.note =
                    r.straddled
                            + " request(s) of this minute keep their old price: the correction"
                            + " starts strictly inside the span of event times they were priced"
                            + " over; re-run the period in bounded mode for the exact figure";
        }
        return p;
    }
}
