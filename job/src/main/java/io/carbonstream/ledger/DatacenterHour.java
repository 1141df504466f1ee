package io.carbonstream.ledger;

import io.carbonstream.aggregate.Totals;

/**
 * What the ledger keeps of one datacenter in one hour: the latest HOUR/DATACENTER aggregate (null
 * while there is none: a row of certificates only), its models, and what was last emitted. A Flink
 * POJO.
 */
public class DatacenterHour {
    public String datacenterId;
    public String organisation;

    /** Totals of the latest HOUR/DATACENTER aggregate, or null. */
    public Totals totals;

    public int aggregateRevision;

    /** Aggregate revisions that were restatements. */
    public int restatements;

    public String methodology;
    public String emissionFactorType;
    public String alternativeFactorType;
    public ModelHour[] models = new ModelHour[0];

    /** Revision and content fingerprint of the last emitted row (0: never emitted). */
    public int revision;

    public long fingerprint;

    public DatacenterHour() {}

    ModelHour model(String id) {
        for (ModelHour m : models) if (m.modelId.equals(id)) return m;
        ModelHour m = new ModelHour();
        m.modelId = id;
        models = java.util.Arrays.copyOf(models, models.length + 1);
        models[models.length - 1] = m;
        java.util.Arrays.sort(models, java.util.Comparator.comparing(x -> x.modelId));
        return m;
    }
}
