package io.carbonstream.ledger;

import io.carbonstream.aggregate.Totals;

/** One row of the hourly ledger (see Ledger.avsc for what each figure means). A Flink POJO. */
public class LedgerRow {
    public long hourStart;
    public String datacenterId;
    public String zone;
    public String organisation;
    public int revision;
    public int aggregateRevision;
    public int restatements;

    /** The hour's totals (zeros for a row of certificates only). */
    public Totals totals;

    public String emissionFactorType;

    /**
     * The other factor type, whose figure (the totals' alternative) is reported beside the
     * accounting one.
     */
    public String alternativeFactorType;

    public String methodology;
    public double certificateKwh;
    public int certificates;
    public double matchedKwh;
    public double unmatchedKwh;
    public double surplusKwh;
    public double certificateG;
    public double residualGPerKwh;
    public String residualSource;
    public double marketG;
    public ModelHour[] models;

    public LedgerRow() {}

    public double meanIntensity() {
        return totals.facilityKwh > 0 ? totals.locationG / totals.facilityKwh : 0.0;
    }

    /** Market-based emissions at the registry's supplier factor, when every request had one. */
    public Double supplierMarketG() {
        return totals.requests > 0 && totals.marketRequests == totals.requests
                ? totals.marketG
                : null;
    }

    /** The Kafka key: one per datacenter and hour, so that compaction keeps the latest revision. */
    public String kafkaKey() {
        return io.carbonstream.schema.Keys.ledger(datacenterId, hourStart);
    }
}
