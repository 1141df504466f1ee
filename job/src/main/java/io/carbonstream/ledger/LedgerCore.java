package io.carbonstream.ledger;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.registry.DatacenterProfile;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ledger's rules, free of Flink: what an hourly aggregate or a certificate changes in one
 * zone's hour, and the rows that result. {@link LedgerFunction} keeps the state and decides when.
 */
public final class LedgerCore implements Serializable {

    public static final long HOUR = 3_600_000L;

    private final ResidualMix residualMix;

    public LedgerCore(ResidualMix residualMix) {
        this.residualMix = residualMix;
    }

    /**
     * Takes an HOUR aggregate of the DATACENTER or DATACENTER_MODEL dimension into its hour; false
     * if it changes nothing (an older revision).
     */
    public static boolean apply(HourState s, AggregateRecord a) {
        DatacenterHour d = s.datacenter(a.datacenterId, a.organisation);
        if (a.dimension == Dimension.DATACENTER) {
            if (a.revision <= d.aggregateRevision) return false;
            d.totals = a.totals;
            d.aggregateRevision = a.revision;
            if (a.revisionReason != null
                    && (a.revisionReason.contains("INTENSITY_RESTATEMENT")
                            || a.revisionReason.contains("REGISTRY_CHANGE"))) {
                d.restatements++;
            }
            d.methodology = a.methodology;
            d.emissionFactorType = a.emissionFactorType;
            d.alternativeFactorType = a.alternativeFactorType;
            return true;
        }
        ModelHour m = d.model(a.modelId);
        if (a.revision <= m.revision) return false;
        Totals t = a.totals;
        m.revision = a.revision;
        m.requests = t.requests;
        m.inputTokens = t.inputTokens;
        m.outputTokens = t.outputTokens;
        m.images = t.images;
        m.mediaSeconds = t.mediaSeconds;
        m.facilityKwh = t.facilityKwh;
        m.locationG = t.locationG;
        m.embodiedG = t.embodiedG;
        return true;
    }

    /**
     * Why a certificate cannot count in its boundary and hour, or null if it can: retired for a
     * datacenter that is not in that zone then (or unknown), or for an organisation with no
     * datacenter there then. {@code members} receives the datacenters it counts toward.
     */
    public static String placement(
            CertificateRecord c,
            Map<String, DatacenterProfile> registryAtHour,
            List<DatacenterProfile> members) {
        if (c.forDatacenter()) {
            DatacenterProfile p = registryAtHour.get(c.datacenterId);
            if (p == null)
                return "datacenter "
                        + c.datacenterId
                        + " is not in the registry at "
                        + java.time.Instant.ofEpochMilli(c.hourStart);
            if (!p.zone.equals(c.boundary)) {
                return "datacenter "
                        + c.datacenterId
                        + " is in zone "
                        + p.zone
                        + ", the certificate was delivered in "
                        + c.boundary
                        + ": certificates match load of their own grid boundary only";
            }
            members.add(p);
            return null;
        }
        for (DatacenterProfile p : registryAtHour.values()) {
            if (c.organisation.equals(p.organisation) && c.boundary.equals(p.zone)) members.add(p);
        }
        if (members.isEmpty()) {
            return "organisation "
                    + c.organisation
                    + " has no datacenter in zone "
                    + c.boundary
                    + " at "
                    + java.time.Instant.ofEpochMilli(c.hourStart)
                    + " (registry field organisation)";
        }
        members.sort(java.util.Comparator.comparing(p -> p.datacenterId));
        return null;
    }

    /**
     * Adds (or replaces, or with 0 kWh withdraws) a placed certificate and the datacenters it
     * counts toward.
     */
    public static void apply(HourState s, CertificateRecord c, List<DatacenterProfile> members) {
        for (DatacenterProfile p : members) s.datacenter(p.datacenterId, p.organisation);
        if (c.kwh == 0.0) {
            s.remove(c.certificateId);
        } else {
            s.put(c);
        }
    }

    /**
     * The rows of an hour that changed since they were last emitted, with their new revisions (the
     * state's fingerprints and revisions are updated: the caller stores it and emits the rows).
     */
    public List<LedgerRow> changedRows(String zone, long hourStart, HourState s) {
        HourlyMatching.Match[] matches = HourlyMatching.match(s.datacenters, s.certificates);
        List<LedgerRow> out = new ArrayList<>();
        for (int i = 0; i < s.datacenters.length; i++) {
            DatacenterHour d = s.datacenters[i];
            LedgerRow r = row(zone, hourStart, d, matches[i]);
            long fp = fingerprint(r);
            if (d.revision > 0 && fp == d.fingerprint) continue;
            d.revision++;
            d.fingerprint = fp;
            r.revision = d.revision;
            out.add(r);
        }
        return out;
    }

    LedgerRow row(String zone, long hourStart, DatacenterHour d, HourlyMatching.Match m) {
        LedgerRow r = new LedgerRow();
        r.hourStart = hourStart;
        r.datacenterId = d.datacenterId;
        r.zone = zone;
        r.organisation = d.organisation;
        r.aggregateRevision = d.aggregateRevision;
        r.restatements = d.restatements;
        r.totals = d.totals != null ? d.totals : new Totals();
        r.emissionFactorType = d.emissionFactorType;
        r.alternativeFactorType = d.alternativeFactorType;
        r.methodology = d.methodology;
        r.certificateKwh = m.certificateKwh();
        r.certificates = m.certificates();
        r.matchedKwh = m.matchedKwh();
        r.unmatchedKwh = r.totals.facilityKwh - m.matchedKwh();
        r.surplusKwh = m.surplusKwh();
        r.certificateG = m.certificateG();
        ResidualMix.Factor f = residualMix.of(zone);
        r.residualGPerKwh = f != null ? f.gPerKwh() : r.meanIntensity();
        r.residualSource = f != null ? "TABLE:" + f.source() : ResidualMix.GRID_AVERAGE;
        r.marketG = r.certificateG + r.unmatchedKwh * r.residualGPerKwh;
        r.models = d.models;
        return r;
    }

    /**
     * A fingerprint of everything a row reports: a row that would read the same is not emitted
     * again.
     */
    static long fingerprint(LedgerRow r) {
        Totals t = r.totals;
        long h = 1125899906842597L;
        double[] values = {
            t.requests,
            t.facilityKwh,
            t.facilityKwhLow,
            t.facilityKwhHigh,
            t.locationG,
            t.locationGLow,
            t.locationGHigh,
            t.waterL,
            t.embodiedG,
            t.marketG,
            t.marketRequests,
            t.inputTokens,
            t.outputTokens,
            t.images,
            t.mediaSeconds,
            r.certificateKwh,
            r.certificates,
            r.matchedKwh,
            r.surplusKwh,
            r.certificateG,
            r.residualGPerKwh,
            r.aggregateRevision,
            r.restatements,
            t.alternativeG,
            t.alternativeKwh,
            t.alternativeMissing
        };
        for (double v : values) h = 31 * h + Double.doubleToLongBits(v);
        for (ModelHour m : r.models) {
            h = 31 * h + m.modelId.hashCode();
            h = 31 * h + m.revision;
        }
        h = 31 * h + java.util.Objects.hashCode(r.organisation);
        return h;
    }
}
