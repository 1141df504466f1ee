package io.carbonstream.demo.view;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.AlertState;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.Dimension;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.WindowKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the live view knows, folded from the topics it reads: the newest intensity per zone, the
 * registry, the newest window of every aggregate series (at its highest revision: what a compacted
 * topic keeps), the latest state of every alert, and counts of late and dead-lettered records.
 * Memory stays bounded however long the demo runs: one aggregate per series, not per window.
 */
public final class ViewState {

    /**
     * The newest update of a zone, how many updates it had, and the change against the value valid
     * an hour earlier (NaN if unknown): a grid spike shows as +100 g or more.
     */
    public record ZoneReading(
            String zone,
            long validFrom,
            double gPerKwh,
            boolean estimated,
            Double marginal,
            long updates,
            double changeOverHour,
            String source) {}

    /**
     * Restatement SUMMARY records kept for the view: the newest of each source, for this many
     * sources.
     */
    static final int RESTATEMENT_SOURCES = 4;

    static final long HOUR = 3_600_000L;

    /** One aggregate series: a window kind over one dimension value. */
    record Series(WindowKind window, Dimension dimension, String datacenterId, String modelId) {}

    private final Map<String, ZoneReading> zones = new TreeMap<>();

    /** Recent values by valid_from per zone (two hours), for the hourly change. */
    private final Map<String, TreeMap<Long, Double>> history = new HashMap<>();

    private final Map<String, Datacenter> registry = new TreeMap<>();
    private final Map<Series, Aggregate> latest = new HashMap<>();
    private final Map<String, Alert> alerts = new TreeMap<>();
    private final Map<String, Long> deadLetterReasons = new TreeMap<>();
    private long aggregateRecords;
    private long lateEvents;
    private long undecodable;
    private long maxValidFrom = Long.MIN_VALUE;
    private final Map<io.carbonstream.schema.RestatementStatus, Long> restatements =
            new java.util.EnumMap<>(io.carbonstream.schema.RestatementStatus.class);

    /**
     * Newest restatement summary per source of the correction (a replayed feed's are not drowned by
     * the simulated ones), newest last.
     */
    private final Map<String, io.carbonstream.schema.Restatement> newestRestatements =
            new java.util.LinkedHashMap<>();

    public synchronized void onIntensity(IntensityUpdate u) {
        long vf = u.getValidFrom().toEpochMilli();
        maxValidFrom = Math.max(maxValidFrom, vf);
        ZoneReading old = zones.get(u.getZone());
        long n = old == null ? 1 : old.updates() + 1;
        TreeMap<Long, Double> h = history.computeIfAbsent(u.getZone(), z -> new TreeMap<>());
        h.put(vf, u.getCarbonIntensity()); // a correction replaces its estimate
        h.headMap(h.lastKey() - 2 * HOUR).clear();
        // An older valid_from never replaces the newest one.
        ZoneReading base =
                old == null || vf >= old.validFrom()
                        ? new ZoneReading(
                                u.getZone(),
                                vf,
                                u.getCarbonIntensity(),
                                u.getEstimated(),
                                u.getMarginalIntensity(),
                                n,
                                Double.NaN,
                                u.getSource())
                        : old;
        Map.Entry<Long, Double> hourAgo = h.floorEntry(base.validFrom() - HOUR);
        double change =
                hourAgo == null || hourAgo.getKey() < base.validFrom() - HOUR - 20 * 60_000L
                        ? Double.NaN
                        : base.gPerKwh() - hourAgo.getValue();
        zones.put(
                u.getZone(),
                new ZoneReading(
                        base.zone(),
                        base.validFrom(),
                        base.gPerKwh(),
                        base.estimated(),
                        base.marginal(),
                        n,
                        change,
                        base.source()));
    }

    /**
     * The zone's publication interval as its last two valid_from show it (0 if unknown): 5 or 15
     * min simulated, 1 h replayed.
     */
    public synchronized long updateInterval(String zone) {
        TreeMap<Long, Double> h = history.get(zone);
        if (h == null || h.size() < 2) return 0;
        return h.lastKey() - h.lowerKey(h.lastKey());
    }

    public synchronized void onRegistry(String id, Datacenter d) {
        if (d == null) registry.remove(id);
        else registry.put(id, d);
    }

    public synchronized void onAggregate(Aggregate a) {
        aggregateRecords++;
        Series s = new Series(a.getWindow(), a.getDimension(), a.getDatacenterId(), a.getModelId());
        Aggregate cur = latest.get(s);
        if (cur == null
                || a.getWindowEnd().isAfter(cur.getWindowEnd())
                || (a.getWindowEnd().equals(cur.getWindowEnd())
                        && a.getRevision() > cur.getRevision())) {
            latest.put(s, a);
        }
    }

    public synchronized void onAlert(String key, Alert a) {
        alerts.put(key, a);
    }

    /**
     * A restatement record: SUMMARY records are counted by status and the newest few kept (PANE
     * records are their detail).
     */
    public synchronized void onRestatement(io.carbonstream.schema.Restatement r) {
        if (r.getRecordType() != io.carbonstream.schema.RestatementRecordType.SUMMARY) return;
        restatements.merge(r.getStatus(), 1L, Long::sum);
        String source = r.getNewSource() != null ? r.getNewSource() : r.getKind().name();
        newestRestatements.remove(source);
        newestRestatements.put(source, r);
        while (newestRestatements.size() > RESTATEMENT_SOURCES)
            newestRestatements.remove(newestRestatements.keySet().iterator().next());
    }

    /** Corrections the job applied after the fact (or recorded as too old), by status. */
    public synchronized Map<io.carbonstream.schema.RestatementStatus, Long> restatements() {
        return new java.util.EnumMap<>(restatements);
    }

    /** The newest restatement summary of each source of corrections, newest first. */
    public synchronized List<io.carbonstream.schema.Restatement> recentRestatements() {
        List<io.carbonstream.schema.Restatement> out = new ArrayList<>(newestRestatements.values());
        java.util.Collections.reverse(out);
        return out;
    }

    public synchronized void onLateEvent() {
        lateEvents++;
    }

    public synchronized void onDeadLetter(String reason) {
        deadLetterReasons.merge(reason, 1L, Long::sum);
    }

    public synchronized void onUndecodable() {
        undecodable++;
    }

    public synchronized List<ZoneReading> zones() {
        return new ArrayList<>(zones.values());
    }

    /** Newest valid_from over all zones: a zone far behind it has gone silent. */
    public synchronized long newestValidFrom() {
        return maxValidFrom;
    }

    public synchronized String zoneOf(String datacenterId) {
        Datacenter d = registry.get(datacenterId);
        return d == null ? "?" : d.getZone();
    }

    public synchronized int datacenters() {
        return registry.size();
    }

    /** End of the newest emitted window of a kind, or Long.MIN_VALUE. */
    public synchronized long newestEnd(WindowKind kind) {
        long end = Long.MIN_VALUE;
        for (Map.Entry<Series, Aggregate> e : latest.entrySet()) {
            if (e.getKey().window() == kind)
                end = Math.max(end, e.getValue().getWindowEnd().toEpochMilli());
        }
        return end;
    }

    /** Aggregates of the newest window of {@code kind} for one dimension, most emissions first. */
    public synchronized List<Aggregate> newest(WindowKind kind, Dimension dim) {
        long end = newestEnd(kind);
        List<Aggregate> out = new ArrayList<>();
        for (Map.Entry<Series, Aggregate> e : latest.entrySet()) {
            if (e.getKey().window() == kind
                    && e.getKey().dimension() == dim
                    && e.getValue().getWindowEnd().toEpochMilli() == end) {
                out.add(e.getValue());
            }
        }
        out.sort(Comparator.comparingDouble(Aggregate::getLocationGco2e).reversed());
        return out;
    }

    /** Alerts whose latest state is RAISED, most severe first. */
    public synchronized List<Alert> activeAlerts() {
        return alerts.values().stream()
                .filter(a -> a.getState() == AlertState.RAISED)
                .sorted(Comparator.comparingDouble(Alert::getExtraGPerHour).reversed())
                .toList();
    }

    public synchronized long aggregateRecords() {
        return aggregateRecords;
    }

    public synchronized long lateEvents() {
        return lateEvents;
    }

    public synchronized long deadLetters() {
        return deadLetterReasons.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized Map<String, Long> deadLetterReasons() {
        return new TreeMap<>(deadLetterReasons);
    }

    public synchronized long undecodable() {
        return undecodable;
    }

    /**
     * Fleet figures over one window's aggregates (the DATACENTER dimension counts each request
     * once).
     */
    public record Totals(
            long requests,
            long tokens,
            long images,
            double mediaSeconds,
            double gpuJoules,
            double kwh,
            double grams,
            double waterL,
            double measuredJoules,
            double fallbackKwh,
            double staleKwh) {

        static Totals of(List<Aggregate> as) {
            long req = 0, tok = 0, img = 0;
            double media = 0, j = 0, kwh = 0, g = 0, w = 0, mj = 0, fb = 0, st = 0;
            for (Aggregate a : as) {
                req += a.getRequests();
                tok += a.getInputTokens() + a.getOutputTokens();
                img += a.getImages();
                media += a.getMediaSeconds();
                j += a.getGpuJoules();
                kwh += a.getFacilityKwh();
                g += a.getLocationGco2e();
                w += a.getWaterL();
                mj +=
                        a.getGpuJoules()
                                * (a.getMeasuredEnergyShare()
                                        + a.getMeteredAttributedShare()); // own or counter-metered
                fb += a.getFacilityKwh() * a.getFallbackShare();
                st += a.getFacilityKwh() * a.getStaleShare();
            }
            return new Totals(req, tok, img, media, j, kwh, g, w, mj, fb, st);
        }

        public double estimatedShare() {
            return gpuJoules > 0 ? 1 - measuredJoules / gpuJoules : 0;
        }
    }

    /** gCO2e per unit of work over the newest rolling hour, by what each model produces. */
    public record PerUnit(double gPer1kTokens, double gPerImage, double gPerMediaSecond) {}

    public synchronized PerUnit perUnit() {
        double tokG = 0, imgG = 0, medG = 0, media = 0;
        long tokens = 0, images = 0;
        for (Aggregate a : newest(WindowKind.ROLLING_HOUR, Dimension.MODEL)) {
            // A model's aggregate says what it produces: images, generated seconds, or tokens.
            if (a.getImages() > 0) {
                imgG += a.getLocationGco2e();
                images += a.getImages();
            } else if (a.getMediaSeconds() > 0) {
                medG += a.getLocationGco2e();
                media += a.getMediaSeconds();
            } else if (a.getInputTokens() + a.getOutputTokens() > 0) {
                tokG += a.getLocationGco2e();
                tokens += a.getInputTokens() + a.getOutputTokens();
            }
        }
        return new PerUnit(
                tokens > 0 ? tokG / tokens * 1000 : Double.NaN,
                images > 0 ? imgG / images : Double.NaN,
                media > 0 ? medG / media : Double.NaN);
    }

    /** Hours of ledger rows and GPU attribution kept for the view, behind the newest one. */
    static final int KEPT_HOURS = 6;

    private final Map<String, io.carbonstream.schema.LedgerEntry> ledger = new HashMap<>();
    private long newestLedgerHour = Long.MIN_VALUE;
    private final Map<String, io.carbonstream.schema.GpuAttribution> gpu = new HashMap<>();
    private long newestGpuHour = Long.MIN_VALUE;

    /** Counter resets of DATACENTER_HOUR records no longer kept. */
    private long prunedResets;

    /**
     * A ledger row: the highest revision per datacenter and hour is the row (what the compacted
     * topic keeps).
     */
    public synchronized void onLedger(io.carbonstream.schema.LedgerEntry e) {
        if (e == null) return;
        long hour = e.getHourStart().toEpochMilli();
        String key = e.getDatacenterId() + "|" + hour;
        io.carbonstream.schema.LedgerEntry cur = ledger.get(key);
        if (cur == null || e.getRevision() > cur.getRevision()) ledger.put(key, e);
        if (hour > newestLedgerHour) {
            newestLedgerHour = hour;
            ledger.values()
                    .removeIf(
                            x ->
                                    x.getHourStart().toEpochMilli()
                                            < newestLedgerHour - KEPT_HOURS * HOUR);
        }
    }

    /**
     * The newest {@code n} hours whose load is in the ledger (a row with its hour aggregate, not
     * certificates only: the hour's windows have closed), newest first.
     */
    public synchronized List<Long> ledgerHours(int n) {
        java.util.TreeSet<Long> hours =
                new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (io.carbonstream.schema.LedgerEntry e : ledger.values())
            if (e.getAggregateRevision() > 0) hours.add(e.getHourStart().toEpochMilli());
        return hours.stream().limit(n).toList();
    }

    /** The ledger rows of an hour, by datacenter. */
    public synchronized List<io.carbonstream.schema.LedgerEntry> ledgerRows(long hour) {
        return ledger.values().stream()
                .filter(e -> e.getHourStart().toEpochMilli() == hour)
                .sorted(Comparator.comparing(e -> e.getDatacenterId().toString()))
                .toList();
    }

    /** A GPU attribution record: the highest revision per key counts. */
    public synchronized void onGpuAttribution(io.carbonstream.schema.GpuAttribution a) {
        if (a == null) return;
        long hour = a.getHourStart().toEpochMilli();
        String key =
                a.getRecordType()
                        + "|"
                        + a.getDatacenterId()
                        + "|"
                        + a.getGpuId()
                        + "|"
                        + a.getModelId()
                        + "|"
                        + hour;
        io.carbonstream.schema.GpuAttribution cur = gpu.get(key);
        if (cur == null || a.getRevision() > cur.getRevision()) gpu.put(key, a);
        if (hour > newestGpuHour) {
            newestGpuHour = hour;
            for (var it = gpu.values().iterator(); it.hasNext(); ) {
                io.carbonstream.schema.GpuAttribution x = it.next();
                if (x.getHourStart().toEpochMilli() >= newestGpuHour - KEPT_HOURS * HOUR) continue;
                if (x.getRecordType() == io.carbonstream.schema.GpuAttributionType.DATACENTER_HOUR)
                    prunedResets += x.getResets();
                it.remove();
            }
        }
    }

    /** The newest {@code n} hours with metered GPU energy, newest first. */
    public synchronized List<Long> gpuHours(int n) {
        java.util.TreeSet<Long> hours =
                new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (io.carbonstream.schema.GpuAttribution a : gpu.values()) {
            if (a.getRecordType() == io.carbonstream.schema.GpuAttributionType.DATACENTER_HOUR)
                hours.add(a.getHourStart().toEpochMilli());
        }
        return hours.stream().limit(n).toList();
    }

    /**
     * The records of a type in an hour: DATACENTER_HOUR by datacenter, MODEL_HOUR by attributed
     * energy, largest first.
     */
    public synchronized List<io.carbonstream.schema.GpuAttribution> gpuRecords(
            io.carbonstream.schema.GpuAttributionType type, long hour) {
        Comparator<io.carbonstream.schema.GpuAttribution> order =
                type == io.carbonstream.schema.GpuAttributionType.MODEL_HOUR
                        ? Comparator.comparingDouble(
                                        io.carbonstream.schema.GpuAttribution::getAttributedJ)
                                .reversed()
                        : Comparator.comparing(a -> a.getDatacenterId().toString());
        return gpu.values().stream()
                .filter(a -> a.getRecordType() == type && a.getHourStart().toEpochMilli() == hour)
                .sorted(order)
                .toList();
    }

    /** Counter resets (reboots, driver restarts) the job reported, over every hour seen. */
    public synchronized long gpuResets() {
        long n = prunedResets;
        for (io.carbonstream.schema.GpuAttribution a : gpu.values()) {
            if (a.getRecordType() == io.carbonstream.schema.GpuAttributionType.DATACENTER_HOUR)
                n += a.getResets();
        }
        return n;
    }
}
