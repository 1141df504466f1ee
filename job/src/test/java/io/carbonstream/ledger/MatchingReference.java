package io.carbonstream.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hourly matching rules written out plainly for tests, from flat lists (every certificate of
 * every hour and boundary): same hour, same boundary, datacenter certificates first, organisation
 * certificates in proportion to what is left, surplus reported where it was retired, the rest at
 * the residual mix (or the hour's grid average). Independent of {@link HourlyMatching}: it does its
 * own filtering and never sees the ledger's state.
 */
final class MatchingReference {

    record Dc(String id, String zone, String org) {}

    record Load(String dc, long hour, double kwh, double locationG) {}

    record Cert(
            String id,
            String dc,
            String org,
            long hour,
            String boundary,
            double kwh,
            double factor) {}

    record Row(
            double load,
            double certificateKwh,
            double matched,
            double unmatched,
            double surplus,
            double certificateG,
            double residual,
            double market) {}

    static Map<String, Row> rows(
            List<Dc> dcs, List<Load> loads, List<Cert> certs, Map<String, Double> residualTable) {
        Map<String, Row> out = new TreeMap<>();
        // Every (datacenter, hour) with load or with a certificate that can count for it.
        TreeMap<String, long[]> keys = new TreeMap<>();
        for (Load l : loads) keys.put(l.dc + "|" + l.hour, new long[] {l.hour});
        for (Cert c : certs) {
            for (Dc d : dcs) {
                boolean mine = c.dc != null ? c.dc.equals(d.id) : c.org.equals(d.org);
                if (mine && c.boundary.equals(d.zone))
                    keys.put(d.id + "|" + c.hour, new long[] {c.hour});
            }
        }
        for (var k : keys.entrySet()) {
            String dcId = k.getKey().substring(0, k.getKey().indexOf('|'));
            long hour = k.getValue()[0];
            Dc d = dcs.stream().filter(x -> x.id.equals(dcId)).findFirst().orElseThrow();
            double load = load(loads, dcId, hour);
            double locG =
                    loads.stream()
                            .filter(l -> l.dc.equals(dcId) && l.hour == hour)
                            .mapToDouble(Load::locationG)
                            .sum();
            // 1. Certificates retired for this datacenter, this hour, its boundary.
            double own = 0, ownG = 0;
            for (Cert c : certs) {
                if (dcId.equals(c.dc) && c.hour == hour && c.boundary.equals(d.zone)) {
                    own += c.kwh;
                    ownG += c.kwh * c.factor;
                }
            }
            double matched = Math.min(load, own);
            double surplus = own - matched;
            double certKwh = own;
            double certG = own > 0 ? ownG * matched / own : 0;
            // 2. Its organisation's certificates of this hour and boundary, shared by what each
            // member has left.
            if (d.org != null) {
                double pool = 0, poolG = 0;
                for (Cert c : certs) {
                    if (d.org.equals(c.org) && c.hour == hour && c.boundary.equals(d.zone)) {
                        pool += c.kwh;
                        poolG += c.kwh * c.factor;
                    }
                }
                if (pool > 0) {
                    List<Dc> members = new ArrayList<>();
                    for (Dc m : dcs)
                        if (d.org.equals(m.org) && d.zone.equals(m.zone)) members.add(m);
                    double leftAll = 0, loadAll = 0;
                    for (Dc m : members) {
                        double ml = load(loads, m.id, hour);
                        double mown = 0;
                        for (Cert c : certs)
                            if (m.id.equals(c.dc) && c.hour == hour && c.boundary.equals(m.zone))
                                mown += c.kwh;
                        leftAll += ml - Math.min(ml, mown);
                        loadAll += ml;
                    }
                    double left = load - matched;
                    double given = Math.min(pool, leftAll);
                    double share = leftAll > 0 ? given * left / leftAll : 0;
                    double extra =
                            loadAll > 0
                                    ? (pool - given) * load / loadAll
                                    : (pool - given) / members.size();
                    matched += share;
                    surplus += extra;
                    certKwh += share + extra;
                    certG += poolG * share / pool;
                }
            }
            double unmatched = load - matched;
            Double table = residualTable.get(d.zone);
            double residual = table != null ? table : (load > 0 ? locG / load : 0);
            out.put(
                    k.getKey(),
                    new Row(
                            load,
                            certKwh,
                            matched,
                            unmatched,
                            surplus,
                            certG,
                            residual,
                            certG + unmatched * residual));
        }
        return out;
    }

    private static double load(List<Load> loads, String dc, long hour) {
        return loads.stream()
                .filter(l -> l.dc.equals(dc) && l.hour == hour)
                .mapToDouble(Load::kwh)
                .sum();
    }
}
