package io.carbonstream.ledger;

import java.util.TreeMap;

/**
 * Hourly matching of certificates to load, for one grid boundary and one hour (the GHG Protocol
 * Scope 2 revision's rule: an instrument counts only for load of the same hour in the same grid).
 * Plain Java: the caller has already kept only certificates of this hour and boundary.
 *
 * <ol>
 *   <li>Certificates retired for a datacenter cover its load first, up to that load; the rest is
 *       that datacenter's surplus.
 *   <li>Certificates retired for an organisation then cover the load its datacenters have left, in
 *       proportion to it; what is left of them is the organisation's surplus, reported on its
 *       datacenters in proportion to their load (equally when none had load).
 *   <li>Surplus is reported, never carried to another hour or boundary; load not covered is
 *       unmatched (the caller prices it at the residual mix).
 * </ol>
 */
public final class HourlyMatching {

    private HourlyMatching() {}

    /** The outcome for one datacenter. */
    public record Match(
            double certificateKwh,
            int certificates,
            double matchedKwh,
            double surplusKwh,
            double certificateG) {}

    /**
     * @param datacenters the hour's datacenters (ids, organisations; load from their totals)
     * @param certificates the hour's certificates in this boundary
     * @return one match per datacenter, in the same order
     */
    public static Match[] match(DatacenterHour[] datacenters, CertificateRecord[] certificates) {
        int n = datacenters.length;
        double[] load = new double[n];
        double[] certKwh = new double[n];
        double[] certG = new double[n];
        int[] count = new int[n];
        double[] matched = new double[n];
        double[] surplus = new double[n];
        double[] left = new double[n];
        for (int i = 0; i < n; i++)
            load[i] = datacenters[i].totals == null ? 0.0 : datacenters[i].totals.facilityKwh;

        // Certificates retired for a datacenter: kWh and grams they convey (kWh x their factor).
        double[] dedicatedKwh = new double[n];
        double[] dedicatedG = new double[n];
        TreeMap<String, double[]> orgPools = new TreeMap<>(); // organisation -> {kWh, grams, count}
        for (CertificateRecord c : certificates) {
            if (c.forDatacenter()) {
                int i = indexOf(datacenters, c.datacenterId);
                if (i < 0)
                    continue; // the caller adds a datacenter for each certificate retired for one
                dedicatedKwh[i] += c.kwh;
                dedicatedG[i] += c.kwh * c.factorGPerKwh;
                count[i]++;
            } else {
                double[] pool = orgPools.computeIfAbsent(c.organisation, o -> new double[3]);
                pool[0] += c.kwh;
                pool[1] += c.kwh * c.factorGPerKwh;
                pool[2]++;
            }
        }
        for (int i = 0; i < n; i++) {
            matched[i] = Math.min(load[i], dedicatedKwh[i]);
            surplus[i] = dedicatedKwh[i] - matched[i];
            certKwh[i] = dedicatedKwh[i];
            certG[i] = dedicatedKwh[i] > 0 ? dedicatedG[i] * (matched[i] / dedicatedKwh[i]) : 0.0;
            left[i] = load[i] - matched[i];
        }
        for (var e : orgPools.entrySet()) {
            String org = e.getKey();
            double poolKwh = e.getValue()[0], poolG = e.getValue()[1];
            int poolCount = (int) e.getValue()[2];
            double leftTotal = 0, loadTotal = 0;
            int members = 0;
            for (int i = 0; i < n; i++) {
                if (org.equals(datacenters[i].organisation)) {
                    leftTotal += left[i];
                    loadTotal += load[i];
                    members++;
                }
            }
            if (members == 0)
                continue; // the caller adds the organisation's datacenters of the boundary
            double allocated = Math.min(poolKwh, leftTotal);
            double orgSurplus = poolKwh - allocated;
            for (int i = 0; i < n; i++) {
                if (!org.equals(datacenters[i].organisation)) continue;
                double share = leftTotal > 0 ? allocated * (left[i] / leftTotal) : 0.0;
                double surplusShare =
                        loadTotal > 0 ? orgSurplus * (load[i] / loadTotal) : orgSurplus / members;
                matched[i] += share;
                left[i] -= share;
                surplus[i] += surplusShare;
                certKwh[i] += share + surplusShare;
                certG[i] += poolKwh > 0 ? poolG * (share / poolKwh) : 0.0;
                count[i] += poolCount;
            }
        }
        Match[] out = new Match[n];
        for (int i = 0; i < n; i++)
            out[i] = new Match(certKwh[i], count[i], matched[i], surplus[i], certG[i]);
        return out;
    }

    private static int indexOf(DatacenterHour[] dcs, String id) {
        for (int i = 0; i < dcs.length; i++) if (dcs[i].datacenterId.equals(id)) return i;
        return -1;
    }
}
