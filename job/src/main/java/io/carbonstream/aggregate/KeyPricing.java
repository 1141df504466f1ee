package io.carbonstream.aggregate;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.ingest.Reason;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import io.carbonstream.schema.InferenceEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the pricing stage decides for a (datacenter, model) key, free of Flink: whether a request is
 * admitted, waits for the registry, is late or unknown; what is priced and emitted when the
 * watermark reaches a time; what is kept for restatements and when it expires; what an intensity or
 * registry correction re-prices. {@link PricingCore} says how a request is priced; this says when.
 *
 * <p>Why it waits: the intensity valid at t is only known for sure once no update with "valid from"
 * <= t can still arrive, i.e. once the watermark (the minimum over requests and intensity) has
 * passed t. So requests are held, summed per event-time millisecond, and priced as soon as the
 * watermark has passed them (checked on each request of the key, and by one timer per key and
 * minute); a pane is emitted when the watermark passes its minute. Requests that arrive behind the
 * watermark are priced at once and, within the allowed lateness, sent as a correction of their
 * pane; beyond it they go to the late-events output, never nowhere.
 *
 * <p>Restatements: an emitted pane keeps its slices (GPU energy and how it was priced, per registry
 * version, intensity version and quality) for the restatement horizon. An intensity value or a
 * registry version that arrives behind the watermark re-prices the slices it covers on every key
 * and emits the difference as a pane delta (the windows re-emit it as a new revision) and as
 * restatement records.
 *
 * <p>The key's hot state is the {@link PendingBuffer} passed in and returned; everything else goes
 * through a {@link Port}: the operator ({@link PaneFunction}) maps it onto Flink's state, timers
 * and outputs, a test onto plain collections. One instance per operator instance; it keeps two
 * caches that are not checkpointed (live models per datacenter, registry histories).
 */
public final class KeyPricing {

    public static final long MINUTE = PricingCore.MINUTE;
    private static final long HOUR = 60 * MINUTE;

    /** What the stage counts (the operator's metrics, by name). */
    public enum Count {
        AGGREGATED("requestsAggregated"),
        LATE("requestsLate"),
        UNKNOWN_DATACENTER("requestsUnknownDatacenter"),
        LATE_INTENSITY_UPDATES("intensityUpdatesLate"),
        TOO_MANY_MODELS("requestsTooManyModels"),
        WAITED_FOR_REGISTRY("requestsWaitedForRegistry"),
        RESTATED_PANES("panesRestated"),
        CORRECTIONS_NOT_APPLIED("correctionsNotApplied"),
        SUPERSEDED_INTENSITY_UPDATES("intensityUpdatesSuperseded");

        public final String metric;

        Count(String metric) {
            this.metric = metric;
        }
    }

    /**
     * Where decisions take effect. Outputs, timers and broadcast data are the operator's; the key's
     * colder state (requests waiting for the registry, emitted slices kept for restatements and
     * their range) is the current key's.
     */
    public interface Port {
        /** A pane delta for the windows. */
        void emit(PaneDelta d);

        /** A request that cannot be priced (unknown datacenter, too many models). */
        void deadLetter(DeadLetterRecord d);

        /** A request beyond the allowed lateness. */
        void late(DeadLetterRecord d);

        void restatement(RestatementRecord r);

        void count(Count c, long n);

        /** An event-time timer of the current key: {@link #onTimer} is called when it fires. */
        void timer(long t);

        /** The registry history of a datacenter as broadcast (null: none). */
        DatacenterHistory registered(String datacenterId) throws Exception;

        void register(String datacenterId, DatacenterHistory h) throws Exception;

        /** A zone's timeline of the accounting type, or of the other one (null: none). */
        IntensityTimeline timeline(boolean alternative, String zone) throws Exception;

        void putTimeline(boolean alternative, String zone, IntensityTimeline tl) throws Exception;

        Iterable<MeteredRequest> waiting() throws Exception;

        void addWaiting(MeteredRequest m) throws Exception;

        /** Replaces the waiting requests (an empty list: none). */
        void setWaiting(List<MeteredRequest> still) throws Exception;

        SliceList history(long minute) throws Exception;

        void putHistory(long minute, SliceList slices) throws Exception;

        void removeHistory(long minute) throws Exception;

        /** The range of minutes with kept slices, {oldest, newest}; null: none. */
        void kept(long[] range) throws Exception;
    }

    private final PricingCore core;
    private final PricingSettings settings;
    private final RegistryStart registryStart;

    /**
     * The accounting emission-factor type: updates of any other (average) type go to the
     * alternative timelines.
     */
    private final String factorType;

    /** Whether this instance writes the one summary record of each correction (subtask 0). */
    private final boolean summaries;

    /**
     * Live keys per datacenter. Not checkpointed: after a restore it restarts from zero, so the
     * bound is at most twice the cap for one state lifetime.
     */
    private final Map<String, Integer> liveModels = new HashMap<>();

    /** Registry histories by datacenter, looked up once per registry change (cleared on each). */
    private final Map<String, DatacenterHistory> registryCache = new HashMap<>();

    private final AvroCodec<InferenceEvent> codec = new AvroCodec<>(InferenceEvent.class);

    /**
     * @param factorType the accounting emission-factor type (--intensity.emission-factor-type)
     * @param summaries whether to write each correction's summary record: true on exactly one
     *     instance, as every instance sees every correction
     */
    public KeyPricing(
            PricingCore core, RegistryStart registryStart, String factorType, boolean summaries) {
        this.core = core;
        this.settings = core.settings();
        this.registryStart = registryStart;
        this.factorType = factorType;
        this.summaries = summaries;
    }

    /** (datacenter, model) of a key made by {@link MeteredRequest#key}. */
    public static String[] ids(String key) {
        return key.split("\u001f", 2);
    }

    // ---- requests ----

    /**
     * A request of the current key, whose buffer is buf (null: none yet), at watermark wm.
     *
     * @return the buffer to keep; null when there is none to keep
     */
    public PendingBuffer onRequest(MeteredRequest m, PendingBuffer buf, long wm, Port port)
            throws Exception {
        DatacenterHistory h = registry(m.request.datacenterId, port);
        if (!knownAt(h, m.request.eventTime)) return waitForRegistry(m, buf, wm, port);
        if (buf != null && buf.waiting > 0) buf = retryWaiting(buf, h, wm, port);
        return accept(m, h, buf, wm, port);
    }

    /**
     * A request of a datacenter the registry does not know at its event time waits for it, within
     * the grace.
     */
    private PendingBuffer waitForRegistry(MeteredRequest m, PendingBuffer buf, long wm, Port port)
            throws Exception {
        long t = m.request.eventTime;
        if (settings.registryGraceMs() == 0 || t + settings.registryGraceMs() <= wm) {
            rejectUnknown(m.request, port);
            return buf;
        }
        if (buf == null) {
            buf = admit(m.request, port);
            if (buf == null) return null;
        }
        port.addWaiting(m);
        buf.waiting++;
        port.count(Count.WAITED_FOR_REGISTRY, 1);
        port.timer(t + settings.registryGraceMs());
        return buf;
    }

    private void rejectUnknown(InferenceRequest r, Port port) {
        port.count(Count.UNKNOWN_DATACENTER, 1);
        port.deadLetter(
                reject(
                        r,
                        Reason.UNKNOWN_DATACENTER,
                        "datacenter "
                                + r.datacenterId
                                + " has no registry version"
                                + " in force at event time "
                                + r.eventTime
                                + " in the registry file or topic (waited "
                                + settings.registryGraceMs()
                                + " ms of event time, --registry.grace)",
                        null));
    }

    /**
     * Requests that waited for the registry: accepted once it knows them, dead-lettered once their
     * grace is over.
     */
    private PendingBuffer retryWaiting(PendingBuffer buf, DatacenterHistory h, long wm, Port port)
            throws Exception {
        List<MeteredRequest> still = new ArrayList<>();
        List<MeteredRequest> ready = new ArrayList<>();
        for (MeteredRequest w : port.waiting()) {
            if (knownAt(h, w.request.eventTime)) ready.add(w);
            else if (w.request.eventTime + settings.registryGraceMs() <= wm)
                rejectUnknown(w.request, port);
            else still.add(w);
        }
        buf.waiting = still.size();
        port.setWaiting(still);
        for (MeteredRequest w : ready) buf = accept(w, h, buf, wm, port);
        return buf;
    }

    /**
     * Creates the state of a new (datacenter, model) key if the datacenter's cap allows; else
     * dead-letters the request.
     */
    private PendingBuffer admit(InferenceRequest r, Port port) {
        int live = liveModels.getOrDefault(r.datacenterId, 0);
        if (live >= settings.maxModelsPerDatacenter()) {
            port.count(Count.TOO_MANY_MODELS, 1);
            port.deadLetter(
                    reject(
                            r,
                            Reason.TOO_MANY_MODELS,
                            "datacenter "
                                    + r.datacenterId
                                    + " already has "
                                    + live
                                    + " live models on this subtask (--models.max-per-datacenter "
                                    + settings.maxModelsPerDatacenter()
                                    + ")",
                            null));
            return null;
        }
        liveModels.put(r.datacenterId, live + 1);
        return new PendingBuffer();
    }

    private PendingBuffer accept(
            MeteredRequest m, DatacenterHistory h, PendingBuffer buf, long wm, Port port)
            throws Exception {
        InferenceRequest r = m.request;
        long t = r.eventTime;
        long minute = PricingCore.minuteOf(t);
        boolean onTime = t > wm;
        if (!onTime && minute + MINUTE - 1 + settings.allowedLatenessMs() < wm) {
            port.count(Count.LATE, 1);
            port.late(
                    reject(
                            r,
                            Reason.LATE,
                            "event time "
                                    + t
                                    + " is more than the allowed lateness "
                                    + settings.allowedLatenessMs()
                                    + " ms behind its window end "
                                    + (minute + MINUTE)
                                    + " (watermark "
                                    + wm
                                    + ")",
                            wm));
            return buf;
        }
        if (buf == null) {
            // First request of this (datacenter, model) since its state was last cleared: admit it
            // if the cap allows.
            buf = admit(r, port);
            if (buf == null) return null;
        }
        Totals one = core.unpriced(m);
        if (onTime) {
            buf.pending.merge(t, one);
            // One timer per key and minute: it emits the pane (and prices what is left of it).
            // (An out-of-order request of an earlier minute registers its own: Flink keeps one per
            // time.)
            long paneEnd = minute + MINUTE - 1;
            if (paneEnd != buf.maxTimer) {
                port.timer(paneEnd);
                buf.maxTimer = Math.max(buf.maxTimer, paneEnd);
            }
        } else {
            // Behind the watermark but within the lateness: the intensity at t is settled, price
            // now.
            DatacenterProfile dc = h.asOf(t);
            Slice s =
                    core.price(
                            one,
                            t,
                            dc,
                            port.timeline(false, dc.zone),
                            port.timeline(true, dc.zone));
            buf.panes.merge(minute, one);
            buf.paneSlices.of(minute).add(s);
            port.timer(Math.max(minute + MINUTE - 1, wm + 1));
        }
        // Whatever the watermark has passed can be priced now: this keeps the buffer short without
        // a timer per second.
        if (buf.pending.size > 0 && buf.pending.keys[0] <= wm) priceUpTo(buf, h, wm, port);
        return buf;
    }

    /** Prices the buffered requests at or before t into their panes. */
    private void priceUpTo(PendingBuffer buf, DatacenterHistory h, long t, Port port)
            throws Exception {
        SortedTotals p = buf.pending;
        int due = p.countUpTo(t);
        String zone = null;
        IntensityTimeline tl = null;
        IntensityTimeline alt = null;
        for (int i = 0; i < due; i++) {
            long at = p.keys[i];
            DatacenterProfile dc = h.asOf(at);
            if (!dc.zone.equals(zone)) {
                zone = dc.zone;
                tl = port.timeline(false, zone);
                alt = port.timeline(true, zone);
            }
            long minute = PricingCore.minuteOf(at);
            core.priceInto(p.values[i], at, dc, tl, alt, buf.paneSlices.of(minute));
            buf.panes.merge(minute, p.values[i]);
        }
        p.dropFirst(due);
    }

    // ---- the watermark ----

    /**
     * A timer of the key (datacenter, model) at timestamp, the watermark at wm: retries the
     * requests waiting for the registry, prices what the watermark passed, emits the panes it
     * closed, keeps them for restatements and drops what no correction can reach any more.
     *
     * @return the buffer to keep; null when the key's state is empty and is to be cleared
     */
    public PendingBuffer onTimer(
            String datacenterId,
            String modelId,
            long timestamp,
            PendingBuffer buf,
            long wm,
            Port port)
            throws Exception {
        DatacenterHistory h = registry(datacenterId, port);
        if (buf.waiting > 0) buf = retryWaiting(buf, h, Math.max(wm, timestamp), port);
        if (buf.pending.size > 0) priceUpTo(buf, h, timestamp, port);
        emitDuePanes(buf, h, datacenterId, modelId, timestamp, port);
        dropExpiredHistory(buf, Math.max(wm, timestamp), port);
        if (!buf.isEmpty()) return buf;
        liveModels.computeIfPresent(datacenterId, (id, n) -> n > 1 ? n - 1 : null);
        return null;
    }

    private void emitDuePanes(
            PendingBuffer buf,
            DatacenterHistory h,
            String datacenterId,
            String modelId,
            long timestamp,
            Port port)
            throws Exception {
        int done = 0;
        SortedTotals panes = buf.panes;
        while (done < panes.size && panes.keys[done] + MINUTE - 1 <= timestamp) {
            long minute = panes.keys[done];
            Totals t = panes.values[done];
            SliceList slices = buf.paneSlices.remove(minute);
            slices.mixInto(t);
            port.count(Count.AGGREGATED, t.requests);
            DatacenterProfile dc =
                    h.asOf(minute) != null ? h.asOf(minute) : h.asOf(slices.slices[0].minT);
            PaneDelta d =
                    new PaneDelta(Dimension.DATACENTER_MODEL, datacenterId, modelId, minute, t);
            d.zone = dc.zone;
            d.budgetGPerHour = dc.emissionBudgetGPerHour;
            d.organisation = dc.organisation;
            // Used only if the windows of this minute were emitted before.
            d.reason = RevisionReason.LATE_REQUEST;
            port.emit(d);
            keepForRestatements(buf, minute, slices, port);
            done++;
        }
        panes.dropFirst(done);
    }

    /** Emitted slices stay within reach of corrections for the horizon (none when it is 0). */
    private void keepForRestatements(PendingBuffer buf, long minute, SliceList slices, Port port)
            throws Exception {
        if (settings.horizonMs() == 0) return;
        SliceList earlier = port.history(minute);
        if (earlier != null) earlier.addAll(slices);
        port.putHistory(minute, earlier != null ? earlier : slices);
        buf.historyFrom = Math.min(buf.historyFrom, minute);
        buf.historyTo = Math.max(buf.historyTo, minute);
        port.kept(new long[] {buf.historyFrom, buf.historyTo});
        // One clean-up timer per key and hour, on the hour (pane timers end in 59,999 ms: never the
        // same).
        long cleanup =
                Math.floorDiv(minute + MINUTE + settings.horizonMs() + HOUR - 1, HOUR) * HOUR;
        if (cleanup > buf.cleanupTimer) {
            port.timer(cleanup);
            buf.cleanupTimer = cleanup;
        }
    }

    /**
     * Drops the emitted slices no correction can reach any more: minutes ending more than the
     * horizon behind wm.
     */
    private void dropExpiredHistory(PendingBuffer buf, long wm, Port port) throws Exception {
        if (!buf.hasHistory()) return;
        long m = buf.historyFrom;
        while (m <= buf.historyTo && m + MINUTE - 1 + settings.horizonMs() < wm) {
            port.removeHistory(m);
            m += MINUTE;
        }
        if (m == buf.historyFrom) return;
        buf.historyFrom = m;
        if (m > buf.historyTo) {
            buf.historyFrom = Long.MAX_VALUE;
            buf.historyTo = Long.MIN_VALUE;
            port.kept(null);
        } else {
            port.kept(new long[] {buf.historyFrom, buf.historyTo});
        }
    }

    // ---- intensity and registry ----

    /**
     * What a correction re-prices on every key it concerns: minutes [firstMinute, lastMinute] of
     * the keys of datacenter dcId, or of a datacenter in zone.
     */
    public static final class Correction {
        final RestatementRecord summary;
        final int reason;
        final long firstMinute;
        final long lastMinute;
        final String dcId;
        final String zone;
        final Function<String, IntensityTimeline> timelines;
        final Function<String, IntensityTimeline> alternatives;

        /** Priced panes not emitted yet can only be this recent (the watermark emits the rest). */
        public final boolean reachesPending;

        Correction(
                RestatementRecord summary,
                int reason,
                long firstMinute,
                long lastMinute,
                String dcId,
                String zone,
                boolean reachesPending,
                Port port) {
            this.summary = summary;
            this.reason = reason;
            this.firstMinute = firstMinute;
            this.lastMinute = lastMinute;
            this.dcId = dcId;
            this.zone = zone;
            this.reachesPending = reachesPending;
            this.timelines = lookup(port, false);
            this.alternatives = lookup(port, true);
        }

        private static Function<String, IntensityTimeline> lookup(Port port, boolean alternative) {
            return z -> {
                try {
                    return port.timeline(alternative, z);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            };
        }
    }

    /**
     * An intensity value or a registry record, at watermark wm: applied to the broadcast data
     * (through the port); when it corrects what was already priced, its summary record is written
     * and the correction returned, for the operator to pass every key's state to {@link
     * #restateEmitted} and, if it {@link Correction#reachesPending}, to {@link #restatePending}.
     *
     * @return null when there is nothing to re-price
     */
    public Correction onControl(ControlEvent e, long wm, Port port) throws Exception {
        if (e.intensity != null) return onIntensity(e.intensity, wm, port);
        if (e.datacenter == null && e.deletedDatacenter == null) return null;
        if (e.sourcePartition >= 0 && registryStart.includes(e.sourcePartition, e.sourceOffset))
            return null; // in the start snapshot
        registryCache.clear();
        String id = e.datacenter != null ? e.datacenter.datacenterId : e.deletedDatacenter;
        DatacenterHistory h = port.registered(id);
        if (h == null)
            h =
                    registryStart.get(id) != null
                            ? registryStart.get(id).copy()
                            : new DatacenterHistory();
        if (e.datacenter == null) {
            // A tombstone: new requests of it are unknown from now on; accepted ones keep their
            // versions.
            h.deleted = true;
            port.register(id, h);
            return null;
        }
        DatacenterProfile p = e.datacenter;
        DatacenterProfile old = h.upsert(p);
        port.register(id, h);
        // Nothing is priced before the first watermark; a record republished unchanged changes
        // nothing.
        if (wm == Long.MIN_VALUE || p.effectiveFrom > wm || p.samePricing(old)) return null;
        RestatementRecord c =
                correction(
                        RestatementRecord.Kind.REGISTRY,
                        id + "|" + p.effectiveFrom + "|" + p.pue,
                        p.effectiveFrom,
                        wm);
        c.datacenterId = id;
        c.oldValue = old == null ? null : old.pue;
        c.newValue = p.pue;
        c.note = "PUE shown as old/new value; every field of the version applies";
        return restate(
                c,
                RevisionReason.REGISTRY_CHANGE,
                p.effectiveFrom,
                h.nextChangeAfter(p.effectiveFrom),
                id,
                null,
                port);
    }

    private Correction onIntensity(IntensityReading r, long wm, Port port) throws Exception {
        // Upstream keeps the average signal of the two factor types only; the other one than the
        // accounting type goes to its own timelines.
        boolean alternative =
                r.emissionFactorType != null && !factorType.equalsIgnoreCase(r.emissionFactorType);
        IntensityTimeline tl = port.timeline(alternative, r.zone);
        if (tl == null) tl = new IntensityTimeline();
        IntensityTimeline.Previous old =
                tl.upsert(
                        r.validFrom,
                        r.gPerKwh,
                        r.source,
                        r.updatedAt == null ? Long.MIN_VALUE : r.updatedAt);
        if (old == null) {
            // An older update of a value the feed has since corrected.
            port.count(Count.SUPERSEDED_INTENSITY_UPDATES, 1);
            return null;
        }
        // Keep what a late request or a correction within the horizon could still need, and always
        // the latest version.
        long keep = settings.retentionMs() + 2 * MINUTE;
        if (wm > Long.MIN_VALUE + keep) tl.pruneBefore(wm - keep);
        port.putTimeline(alternative, r.zone, tl);
        if (wm == Long.MIN_VALUE || r.validFrom > wm)
            return null; // nothing it covers has been priced yet
        port.count(Count.LATE_INTENSITY_UPDATES, 1);
        if (old.value() != null && old.value() == r.gPerKwh)
            return null; // same value again: nothing to restate
        // The alternative type's corrections get the type in their id: the same zone, instant and
        // value of the two types are two corrections.
        String type = alternative ? r.emissionFactorType.toLowerCase(Locale.ROOT) : null;
        RestatementRecord c =
                correction(
                        RestatementRecord.Kind.INTENSITY,
                        r.zone
                                + "|"
                                + r.validFrom
                                + "|"
                                + r.gPerKwh
                                + (alternative ? "|" + type : ""),
                        r.validFrom,
                        wm);
        c.zone = r.zone;
        if (alternative) {
            c.note =
                    "emission-factor type "
                            + type
                            + ": restates location_gco2e_alternative only (the accounting figures"
                            + " are unchanged)";
        }
        c.oldValue = old.value();
        c.oldSource = old.source();
        c.newValue = r.gPerKwh;
        c.newSource = r.source;
        return restate(
                c,
                RevisionReason.INTENSITY_RESTATEMENT,
                r.validFrom,
                tl.nextChangeAfter(r.validFrom),
                null,
                r.zone,
                port);
    }

    /**
     * A correction's summary record. Its id is made of its content: the same on every subtask, in
     * every run.
     */
    private static RestatementRecord correction(
            RestatementRecord.Kind kind, String key, long validFrom, long wm) {
        RestatementRecord c = new RestatementRecord();
        c.correctionId = kind + "|" + key;
        c.type = RestatementRecord.Type.SUMMARY;
        c.kind = kind;
        c.validFrom = validFrom;
        c.watermark = wm;
        return c;
    }

    /**
     * Decides what a correction of [from, to) in event time re-prices on the keys of datacenter
     * dcId, or of a datacenter in zone: the minutes within the horizon. Writes its summary.
     */
    private Correction restate(
            RestatementRecord c,
            int reason,
            long from,
            long to,
            String dcId,
            String zone,
            Port port) {
        long wm = c.watermark;
        // Minutes m within the horizon: m + 1 min - 1 + horizon >= wm. (from may be Long.MIN_VALUE:
        // a registry version in force since always; never floor it.)
        long horizonMinute =
                settings.horizonMs() == 0
                        ? Long.MAX_VALUE
                        : PricingCore.minuteOf(wm - settings.horizonMs());
        long firstMinute = from <= horizonMinute ? horizonMinute : PricingCore.minuteOf(from);
        long lastMinute = PricingCore.minuteOf(Math.min(to - 1, wm));
        c.status =
                lastMinute < horizonMinute
                        ? RestatementRecord.Status.NOT_APPLIED
                        : from < horizonMinute
                                ? RestatementRecord.Status.PARTIALLY_APPLIED
                                : RestatementRecord.Status.APPLIED;
        if (c.status != RestatementRecord.Status.APPLIED) {
            c.note =
                    (c.note == null ? "" : c.note + "; ")
                            + "restatement horizon "
                            + settings.horizonMs()
                            + " ms reaches back to "
                            + (horizonMinute == Long.MAX_VALUE
                                    ? "nothing (restatements disabled)"
                                    : String.valueOf(horizonMinute));
        }
        // One summary per correction, whatever the parallelism: every subtask sees the same
        // broadcast.
        if (summaries) {
            port.restatement(c);
            if (c.status == RestatementRecord.Status.NOT_APPLIED)
                port.count(Count.CORRECTIONS_NOT_APPLIED, 1);
        }
        if (firstMinute > lastMinute) return null;
        boolean reachesPending = lastMinute >= wm - settings.allowedLatenessMs() - 2 * MINUTE;
        return new Correction(c, reason, firstMinute, lastMinute, dcId, zone, reachesPending, port);
    }

    /**
     * The registry history of a key of datacenter keyDc if the correction concerns it; else null.
     */
    public DatacenterHistory concerned(Correction c, String keyDc, Port port) throws Exception {
        DatacenterHistory h = registry(keyDc, port);
        if (h == null) return null;
        if (c.dcId != null) return c.dcId.equals(keyDc) ? h : null;
        for (DatacenterProfile p : h.versions) if (c.zone.equals(p.zone)) return h;
        return null;
    }

    /**
     * Re-prices the current key's emitted panes a correction covers, among the kept minutes range
     * ({oldest, newest}; null: none): emits the changes as pane deltas and restatement records.
     * Reads the slices of the minutes in range only: a correction costs what it touches.
     */
    public void restateEmitted(
            Correction c, String[] ids, DatacenterHistory h, long[] range, Port port)
            throws Exception {
        if (range == null) return;
        for (long m = Math.max(c.firstMinute, range[0]);
                m <= Math.min(c.lastMinute, range[1]);
                m += MINUTE) {
            SliceList l = port.history(m);
            if (l == null) continue;
            PricingCore.Repricing r = core.reprice(l, h, c.timelines, c.alternatives);
            if (r.requests == 0 && r.straddled == 0) continue;
            port.putHistory(m, l);
            if (r.requests > 0) {
                PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, ids[0], ids[1], m, r.delta);
                d.reason = c.reason;
                port.emit(d);
                port.count(Count.RESTATED_PANES, 1);
            }
            port.restatement(c.summary.pane(ids[0], ids[1], m, r));
        }
    }

    /**
     * Re-prices, in place, the current key's priced panes not emitted yet that a correction covers:
     * their first emission carries the new figure.
     *
     * @return whether buf changed (to be stored)
     */
    public boolean restatePending(Correction c, DatacenterHistory h, PendingBuffer buf) {
        if (buf == null || buf.paneSlices.isEmpty()) return false;
        boolean changed = false;
        for (int i = 0; i < buf.paneSlices.size; i++) {
            long m = buf.paneSlices.minutes[i];
            if (m < c.firstMinute || m > c.lastMinute) continue;
            PricingCore.Repricing r =
                    core.reprice(buf.paneSlices.lists[i], h, c.timelines, c.alternatives);
            if (r.requests == 0) continue;
            // The pane's mix is built from its slices when it is emitted.
            r.delta.mixSize = 0;
            buf.panes.get(m).add(r.delta);
            changed = true;
        }
        return changed;
    }

    // ---- helpers ----

    /**
     * A datacenter's registry history: as broadcast, else as in the start snapshot; cached until
     * the next registry change.
     */
    private DatacenterHistory registry(String id, Port port) throws Exception {
        DatacenterHistory h = registryCache.get(id);
        if (h != null) return h;
        h = port.registered(id);
        if (h == null) h = registryStart.get(id);
        if (h != null) registryCache.put(id, h);
        return h;
    }

    /**
     * A new request of this datacenter at t can be priced: the registry has a version in force
     * then.
     */
    private static boolean knownAt(DatacenterHistory h, long t) {
        return h != null && !h.deleted && h.asOf(t) != null;
    }

    private DeadLetterRecord reject(InferenceRequest r, Reason reason, String message, Long wm) {
        // Avro binary is canonical: re-encoding the decoded request restores the bytes a producer
        // with the same schema wrote, so the record can be replayed as is.
        DeadLetterRecord d =
                DeadLetterRecord.of(
                        reason,
                        message,
                        r.sourceTopic != null ? r.sourceTopic : settings.eventsTopic(),
                        r.sourcePartition,
                        r.sourceOffset,
                        r.sourceTimestamp,
                        r.sourceKey,
                        codec.encode(Decoders.toAvro(r)));
        d.watermark = wm;
        return d;
    }
}
