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
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Prices each request with the registry version and the intensity valid at its event time, folds it
 * into one-minute panes per (datacenter, model), and re-prices emitted panes when either input is
 * corrected after the fact. The pricing rules live in {@link PricingCore}; this class decides when,
 * with Flink's state, timers and watermarks.
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
 * <p>Keyed by (datacenter, model), not by zone: a zone carrying most of the traffic still spreads
 * over all subtasks. The intensity history and the registry are small and broadcast to every
 * subtask.
 */
public class PaneFunction
        extends KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>
        implements CheckpointedFunction {

    public static final long MINUTE = PricingCore.MINUTE;
    private static final long HOUR = 60 * MINUTE;

    public static final MapStateDescriptor<String, IntensityTimeline> INTENSITY =
            new MapStateDescriptor<>(
                    "intensity-by-zone", Types.STRING, TypeInformation.of(IntensityTimeline.class));

    /**
     * The average signal of the other emission-factor type, per zone: its own timelines, never
     * mixed with the accounting ones, pricing only the alternative figure of each aggregate.
     */
    public static final MapStateDescriptor<String, IntensityTimeline> ALTERNATIVE =
            new MapStateDescriptor<>(
                    "alternative-intensity-by-zone",
                    Types.STRING,
                    TypeInformation.of(IntensityTimeline.class));

    public static final MapStateDescriptor<String, DatacenterHistory> REGISTRY =
            new MapStateDescriptor<>(
                    "registry-history", Types.STRING, TypeInformation.of(DatacenterHistory.class));

    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetterRecord.class));
    public static final OutputTag<DeadLetterRecord> LATE =
            new OutputTag<>("late-events", TypeInformation.of(DeadLetterRecord.class));
    public static final OutputTag<RestatementRecord> RESTATEMENTS =
            new OutputTag<>("restatements", TypeInformation.of(RestatementRecord.class));

    static final ValueStateDescriptor<PendingBuffer> PENDING =
            new ValueStateDescriptor<>("pending", TypeInformation.of(PendingBuffer.class));
    static final MapStateDescriptor<Long, SliceList> HISTORY =
            new MapStateDescriptor<>(
                    "emitted-slices", Types.LONG, TypeInformation.of(SliceList.class));

    /**
     * The range of emitted minutes a key keeps, apart from its hot state: a correction scans this
     * small value on every key, and reads the slices (or the hot state) only of the keys it
     * concerns.
     */
    static final ValueStateDescriptor<long[]> KEPT =
            new ValueStateDescriptor<>(
                    "kept-minutes",
                    org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo
                            .LONG_PRIMITIVE_ARRAY_TYPE_INFO);

    static final ListStateDescriptor<MeteredRequest> WAITING =
            new ListStateDescriptor<>(
                    "waiting-for-registry", TypeInformation.of(MeteredRequest.class));

    private final RegistryStart registryStart;
    private final PricingCore core;
    private final PricingSettings settings;

    /**
     * The accounting emission-factor type: updates of any other (average) type go to {@link
     * #ALTERNATIVE}.
     */
    private final String factorType;

    private transient ValueState<PendingBuffer> pending;
    private transient MapState<Long, SliceList> history;
    private transient ListState<MeteredRequest> waiting;
    private transient ValueState<long[]> kept;

    private transient Counter aggregated;
    private transient Counter late;
    private transient Counter unknownDatacenter;
    private transient Counter lateIntensityUpdates;
    private transient Counter tooManyModels;
    private transient Counter waitedForRegistry;
    private transient Counter restatedPanes;
    private transient Counter correctionsNotApplied;
    private transient Counter supersededIntensityUpdates;

    /**
     * Live (datacenter, model) keys of this subtask per datacenter. Not checkpointed: after a
     * restore it restarts from zero, so the bound is at most twice the cap for one state lifetime.
     */
    private transient Map<String, Integer> liveModels;

    /** Registry histories by datacenter, looked up once per registry change (cleared on each). */
    private transient Map<String, DatacenterHistory> registryCache;

    private transient AvroCodec<InferenceEvent> codec;

    /**
     * Lateness and pricing decisions after a restore use the watermark of the checkpoint until the
     * live one passes it.
     */
    private transient CheckpointedWatermark checkpointedWatermark;

    public PaneFunction(RegistryStart registryStart, PricingSettings settings) {
        this(registryStart, settings, "lifecycle");
    }

    /**
     * @param factorType the accounting emission-factor type (--intensity.emission-factor-type)
     */
    public PaneFunction(RegistryStart registryStart, PricingSettings settings, String factorType) {
        this.registryStart = registryStart;
        this.settings = settings;
        this.core = new PricingCore(settings);
        this.factorType = factorType;
    }

    @Override
    public void initializeState(FunctionInitializationContext ctx) throws Exception {
        checkpointedWatermark = CheckpointedWatermark.restore(ctx);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext ctx) throws Exception {
        checkpointedWatermark.snapshot();
    }

    @Override
    public void open(OpenContext ctx) {
        pending = getRuntimeContext().getState(PENDING);
        history = getRuntimeContext().getMapState(HISTORY);
        waiting = getRuntimeContext().getListState(WAITING);
        kept = getRuntimeContext().getState(KEPT);
        var metrics = getRuntimeContext().getMetricGroup().addGroup("carbonstream");
        aggregated = metrics.counter("requestsAggregated");
        late = metrics.counter("requestsLate");
        unknownDatacenter = metrics.counter("requestsUnknownDatacenter");
        lateIntensityUpdates = metrics.counter("intensityUpdatesLate");
        tooManyModels = metrics.counter("requestsTooManyModels");
        waitedForRegistry = metrics.counter("requestsWaitedForRegistry");
        restatedPanes = metrics.counter("panesRestated");
        correctionsNotApplied = metrics.counter("correctionsNotApplied");
        supersededIntensityUpdates = metrics.counter("intensityUpdatesSuperseded");
        liveModels = new HashMap<>();
        registryCache = new HashMap<>();
        codec = new AvroCodec<>(InferenceEvent.class);
    }

    // ---- requests ----

    @Override
    public void processElement(MeteredRequest m, ReadOnlyContext ctx, Collector<PaneDelta> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        PendingBuffer buf = pending.value();
        ReadOnlyBroadcastState<String, DatacenterHistory> registry =
                ctx.getBroadcastState(REGISTRY);
        DatacenterHistory h = registry(registry, m.request.datacenterId);
        if (!knownAt(h, m.request.eventTime)) {
            buf = waitForRegistry(m, buf, wm, ctx);
        } else {
            if (buf != null && buf.waiting > 0) buf = retryWaiting(buf, h, wm, ctx);
            buf = accept(m, h, buf, wm, ctx);
        }
        if (buf != null) pending.update(buf);
    }

    /**
     * A request of a datacenter the registry does not know at its event time waits for it, within
     * the grace.
     */
    private PendingBuffer waitForRegistry(
            MeteredRequest m, PendingBuffer buf, long wm, ReadOnlyContext ctx) throws Exception {
        long t = m.request.eventTime;
        if (settings.registryGraceMs() == 0 || t + settings.registryGraceMs() <= wm) {
            rejectUnknown(m.request, ctx);
            return buf;
        }
        if (buf == null) {
            buf = admit(m.request, ctx);
            if (buf == null) return null;
        }
        waiting.add(m);
        buf.waiting++;
        waitedForRegistry.inc();
        ctx.timerService().registerEventTimeTimer(t + settings.registryGraceMs());
        return buf;
    }

    private void rejectUnknown(InferenceRequest r, ReadOnlyContext ctx) {
        unknownDatacenter.inc();
        ctx.output(
                DEAD_LETTERS,
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
    private PendingBuffer retryWaiting(
            PendingBuffer buf, DatacenterHistory h, long wm, ReadOnlyContext ctx) throws Exception {
        List<MeteredRequest> still = new ArrayList<>();
        List<MeteredRequest> ready = new ArrayList<>();
        for (MeteredRequest w : waiting.get()) {
            if (knownAt(h, w.request.eventTime)) ready.add(w);
            else if (w.request.eventTime + settings.registryGraceMs() <= wm)
                rejectUnknown(w.request, ctx);
            else still.add(w);
        }
        buf.waiting = still.size();
        if (still.isEmpty()) waiting.clear();
        else waiting.update(still);
        for (MeteredRequest w : ready) buf = accept(w, h, buf, wm, ctx);
        return buf;
    }

    /**
     * Creates the state of a new (datacenter, model) key if the datacenter's cap allows; else
     * dead-letters the request.
     */
    private PendingBuffer admit(InferenceRequest r, ReadOnlyContext ctx) {
        int live = liveModels.getOrDefault(r.datacenterId, 0);
        if (live >= settings.maxModelsPerDatacenter()) {
            tooManyModels.inc();
            ctx.output(
                    DEAD_LETTERS,
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
            MeteredRequest m, DatacenterHistory h, PendingBuffer buf, long wm, ReadOnlyContext ctx)
            throws Exception {
        InferenceRequest r = m.request;
        long t = r.eventTime;
        long minute = PricingCore.minuteOf(t);
        boolean onTime = t > wm;
        if (!onTime && minute + MINUTE - 1 + settings.allowedLatenessMs() < wm) {
            late.inc();
            ctx.output(
                    LATE,
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
            buf = admit(r, ctx);
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
                ctx.timerService().registerEventTimeTimer(paneEnd);
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
                            ctx.getBroadcastState(INTENSITY).get(dc.zone),
                            ctx.getBroadcastState(ALTERNATIVE).get(dc.zone));
            buf.panes.merge(minute, one);
            buf.paneSlices.of(minute).add(s);
            ctx.timerService().registerEventTimeTimer(Math.max(minute + MINUTE - 1, wm + 1));
        }
        // Whatever the watermark has passed can be priced now: this keeps the buffer short without
        // a timer per second.
        if (buf.pending.size > 0 && buf.pending.keys[0] <= wm) {
            priceUpTo(
                    buf,
                    h,
                    wm,
                    ctx.getBroadcastState(INTENSITY),
                    ctx.getBroadcastState(ALTERNATIVE));
        }
        return buf;
    }

    /** Prices the buffered requests at or before t into their panes. */
    private void priceUpTo(
            PendingBuffer buf,
            DatacenterHistory h,
            long t,
            ReadOnlyBroadcastState<String, IntensityTimeline> intensity,
            ReadOnlyBroadcastState<String, IntensityTimeline> alternative)
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
                tl = intensity.get(zone);
                alt = alternative.get(zone);
            }
            long minute = PricingCore.minuteOf(at);
            core.priceInto(p.values[i], at, dc, tl, alt, buf.paneSlices.of(minute));
            buf.panes.merge(minute, p.values[i]);
        }
        p.dropFirst(due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaneDelta> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        PendingBuffer buf = pending.value();
        if (buf == null) return;
        String[] ids = ctx.getCurrentKey().split("\u001f", 2);
        DatacenterHistory h = registry(ctx.getBroadcastState(REGISTRY), ids[0]);
        if (buf.waiting > 0) buf = retryWaiting(buf, h, Math.max(wm, timestamp), ctx);
        if (buf.pending.size > 0)
            priceUpTo(
                    buf,
                    h,
                    timestamp,
                    ctx.getBroadcastState(INTENSITY),
                    ctx.getBroadcastState(ALTERNATIVE));
        emitDuePanes(buf, h, ids, timestamp, ctx, out);
        dropExpiredHistory(buf, Math.max(wm, timestamp));
        if (buf.isEmpty()) {
            pending.clear();
            liveModels.computeIfPresent(ids[0], (id, n) -> n > 1 ? n - 1 : null);
        } else {
            pending.update(buf);
        }
    }

    private void emitDuePanes(
            PendingBuffer buf,
            DatacenterHistory h,
            String[] ids,
            long timestamp,
            OnTimerContext ctx,
            Collector<PaneDelta> out)
            throws Exception {
        int done = 0;
        SortedTotals panes = buf.panes;
        while (done < panes.size && panes.keys[done] + MINUTE - 1 <= timestamp) {
            long minute = panes.keys[done];
            Totals t = panes.values[done];
            SliceList slices = buf.paneSlices.remove(minute);
            slices.mixInto(t);
            aggregated.inc(t.requests);
            DatacenterProfile dc =
                    h.asOf(minute) != null ? h.asOf(minute) : h.asOf(slices.slices[0].minT);
            PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, ids[0], ids[1], minute, t);
            d.zone = dc.zone;
            d.budgetGPerHour = dc.emissionBudgetGPerHour;
            d.organisation = dc.organisation;
            d.reason =
                    RevisionReason
                            .LATE_REQUEST; // used only if the windows of this minute were emitted
            // before
            out.collect(d);
            keepForRestatements(buf, minute, slices, ctx);
            done++;
        }
        panes.dropFirst(done);
    }

    /** Emitted slices stay within reach of corrections for the horizon (none when it is 0). */
    private void keepForRestatements(
            PendingBuffer buf, long minute, SliceList slices, OnTimerContext ctx) throws Exception {
        if (settings.horizonMs() == 0) return;
        SliceList earlier = history.get(minute);
        if (earlier != null) earlier.addAll(slices);
        history.put(minute, earlier != null ? earlier : slices);
        buf.historyFrom = Math.min(buf.historyFrom, minute);
        buf.historyTo = Math.max(buf.historyTo, minute);
        kept.update(new long[] {buf.historyFrom, buf.historyTo});
        // One clean-up timer per key and hour, on the hour (pane timers end in 59,999 ms: never the
        // same).
        long cleanup =
                Math.floorDiv(minute + MINUTE + settings.horizonMs() + HOUR - 1, HOUR) * HOUR;
        if (cleanup > buf.cleanupTimer) {
            ctx.timerService().registerEventTimeTimer(cleanup);
            buf.cleanupTimer = cleanup;
        }
    }

    /**
     * Drops the emitted slices no correction can reach any more: minutes ending more than the
     * horizon behind wm.
     */
    private void dropExpiredHistory(PendingBuffer buf, long wm) throws Exception {
        if (!buf.hasHistory()) return;
        long m = buf.historyFrom;
        while (m <= buf.historyTo && m + MINUTE - 1 + settings.horizonMs() < wm) {
            history.remove(m);
            m += MINUTE;
        }
        if (m == buf.historyFrom) return;
        buf.historyFrom = m;
        if (m > buf.historyTo) {
            buf.historyFrom = Long.MAX_VALUE;
            buf.historyTo = Long.MIN_VALUE;
            kept.clear();
        } else {
            kept.update(new long[] {buf.historyFrom, buf.historyTo});
        }
    }

    // ---- intensity and registry ----

    @Override
    public void processBroadcastElement(ControlEvent e, Context ctx, Collector<PaneDelta> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        if (e.intensity != null) {
            onIntensity(e.intensity, wm, ctx, out);
        } else if (e.datacenter != null || e.deletedDatacenter != null) {
            if (e.sourcePartition >= 0 && registryStart.includes(e.sourcePartition, e.sourceOffset))
                return; // in the start snapshot
            registryCache.clear();
            BroadcastState<String, DatacenterHistory> state = ctx.getBroadcastState(REGISTRY);
            String id = e.datacenter != null ? e.datacenter.datacenterId : e.deletedDatacenter;
            DatacenterHistory h = state.get(id);
            if (h == null)
                h =
                        registryStart.get(id) != null
                                ? registryStart.get(id).copy()
                                : new DatacenterHistory();
            if (e.datacenter != null) {
                DatacenterProfile p = e.datacenter;
                DatacenterProfile old = h.upsert(p);
                state.put(id, h);
                // Nothing is priced before the first watermark; a record republished unchanged
                // changes nothing.
                if (wm != Long.MIN_VALUE && p.effectiveFrom <= wm && !p.samePricing(old)) {
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
                    restate(
                            c,
                            RevisionReason.REGISTRY_CHANGE,
                            p.effectiveFrom,
                            h.nextChangeAfter(p.effectiveFrom),
                            id,
                            null,
                            ctx,
                            out);
                }
            } else {
                // A tombstone: new requests of it are unknown from now on; accepted ones keep their
                // versions.
                h.deleted = true;
                state.put(id, h);
            }
        }
    }

    private void onIntensity(IntensityReading r, long wm, Context ctx, Collector<PaneDelta> out)
            throws Exception {
        // Upstream keeps the average signal of the two factor types only; the other one than the
        // accounting type goes to its own timelines.
        boolean alternative =
                r.emissionFactorType != null && !factorType.equalsIgnoreCase(r.emissionFactorType);
        BroadcastState<String, IntensityTimeline> state =
                ctx.getBroadcastState(alternative ? ALTERNATIVE : INTENSITY);
        IntensityTimeline tl = state.get(r.zone);
        if (tl == null) tl = new IntensityTimeline();
        IntensityTimeline.Previous old =
                tl.upsert(
                        r.validFrom,
                        r.gPerKwh,
                        r.source,
                        r.updatedAt == null ? Long.MIN_VALUE : r.updatedAt);
        if (old == null) {
            supersededIntensityUpdates
                    .inc(); // an older update of a value the feed has since corrected
            return;
        }
        // Keep what a late request or a correction within the horizon could still need, and always
        // the latest version.
        long keep = settings.retentionMs() + 2 * MINUTE;
        if (wm > Long.MIN_VALUE + keep) tl.pruneBefore(wm - keep);
        state.put(r.zone, tl);
        if (wm == Long.MIN_VALUE || r.validFrom > wm)
            return; // nothing it covers has been priced yet
        lateIntensityUpdates.inc();
        if (old.value() != null && old.value() == r.gPerKwh)
            return; // same value again: nothing to restate
        // The alternative type's corrections get the type in their id: the same zone, instant and
        // value
        // of the two types are two corrections.
        RestatementRecord c =
                correction(
                        RestatementRecord.Kind.INTENSITY,
                        r.zone
                                + "|"
                                + r.validFrom
                                + "|"
                                + r.gPerKwh
                                + (alternative
                                        ? "|"
                                                + r.emissionFactorType.toLowerCase(
                                                        java.util.Locale.ROOT)
                                        : ""),
                        r.validFrom,
                        wm);
        c.zone = r.zone;
        if (alternative) {
            c.note =
                    "emission-factor type "
                            + r.emissionFactorType.toLowerCase(java.util.Locale.ROOT)
                            + ": restates location_gco2e_alternative only (the accounting figures"
                            + " are unchanged)";
        }
        c.oldValue = old.value();
        c.oldSource = old.source();
        c.newValue = r.gPerKwh;
        c.newSource = r.source;
        restate(
                c,
                RevisionReason.INTENSITY_RESTATEMENT,
                r.validFrom,
                tl.nextChangeAfter(r.validFrom),
                null,
                r.zone,
                ctx,
                out);
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
     * Re-prices what a correction covers, [from, to) in event time, on every key of this subtask
     * (of datacenter dcId, or of a datacenter in zone), within the horizon.
     */
    private void restate(
            RestatementRecord c,
            int reason,
            long from,
            long to,
            String dcId,
            String zone,
            Context ctx,
            Collector<PaneDelta> out)
            throws Exception {
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
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            ctx.output(RESTATEMENTS, c);
            if (c.status == RestatementRecord.Status.NOT_APPLIED) correctionsNotApplied.inc();
        }
        if (firstMinute > lastMinute) return;
        ReadOnlyBroadcastState<String, DatacenterHistory> registry =
                ctx.getBroadcastState(REGISTRY);
        java.util.function.Function<String, IntensityTimeline> timelines =
                timelines(ctx.getBroadcastState(INTENSITY));
        java.util.function.Function<String, IntensityTimeline> alternatives =
                timelines(ctx.getBroadcastState(ALTERNATIVE));
        // Emitted panes: one pass over the keys' kept ranges (small values), then point lookups of
        // the
        // minutes in range of the keys concerned only: a correction costs what it touches.
        // (applyToKeyedState sets the current key, so the key's other states are at hand.)
        ctx.applyToKeyedState(
                KEPT,
                (key, range) -> {
                    String[] ids = key.split("\u001f", 2);
                    DatacenterHistory h = registry(registry, ids[0]);
                    if (!covers(h, ids[0], dcId, zone)) return;
                    long[] r0 = range.value();
                    if (r0 == null) return;
                    for (long m = Math.max(firstMinute, r0[0]);
                            m <= Math.min(lastMinute, r0[1]);
                            m += MINUTE) {
                        SliceList l = history.get(m);
                        if (l == null) continue;
                        PricingCore.Repricing r = core.reprice(l, h, timelines, alternatives);
                        if (r.requests == 0 && r.straddled == 0) continue;
                        history.put(m, l);
                        if (r.requests > 0) {
                            PaneDelta d =
                                    new PaneDelta(
                                            Dimension.DATACENTER_MODEL, ids[0], ids[1], m, r.delta);
                            d.reason = reason;
                            out.collect(d);
                            restatedPanes.inc();
                        }
                        ctx.output(RESTATEMENTS, c.pane(ids[0], ids[1], m, r));
                    }
                });
        // Priced panes not emitted yet can only be this recent (the watermark emits the rest).
        if (lastMinute < wm - settings.allowedLatenessMs() - 2 * MINUTE) return;
        ctx.applyToKeyedState(
                PENDING,
                (key, state) -> {
                    String[] ids = key.split("\u001f", 2);
                    DatacenterHistory h = registry(registry, ids[0]);
                    if (!covers(h, ids[0], dcId, zone)) return;
                    PendingBuffer buf = state.value();
                    if (buf == null || buf.paneSlices.isEmpty()) return;
                    // Corrected in place: their first emission carries the new figure.
                    boolean changed = false;
                    for (int i = 0; i < buf.paneSlices.size; i++) {
                        long m = buf.paneSlices.minutes[i];
                        if (m < firstMinute || m > lastMinute) continue;
                        PricingCore.Repricing r =
                                core.reprice(buf.paneSlices.lists[i], h, timelines, alternatives);
                        if (r.requests == 0) continue;
                        r.delta.mixSize =
                                0; // the pane's mix is built from its slices when it is emitted
                        buf.panes.get(m).add(r.delta);
                        changed = true;
                    }
                    if (changed) state.update(buf);
                });
    }

    /**
     * Whether a key of datacenter keyDc is concerned by a correction of datacenter dcId, or of
     * zone.
     */
    private static boolean covers(DatacenterHistory h, String keyDc, String dcId, String zone) {
        if (h == null) return false;
        if (dcId != null) return dcId.equals(keyDc);
        for (DatacenterProfile p : h.versions) if (zone.equals(p.zone)) return true;
        return false;
    }

    // ---- helpers ----

    private static java.util.function.Function<String, IntensityTimeline> timelines(
            ReadOnlyBroadcastState<String, IntensityTimeline> state) {
        return z -> {
            try {
                return state.get(z);
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        };
    }

    private DatacenterHistory registry(
            ReadOnlyBroadcastState<String, DatacenterHistory> state, String id) throws Exception {
        DatacenterHistory h = registryCache.get(id);
        if (h != null) return h;
        h = state.get(id);
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
