package io.carbonstream.aggregate;

import io.carbonstream.energy.FacilityFactors;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Provenance;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.ingest.Reason;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.schema.InferenceEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
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
 * Prices each request with the intensity valid at its event time and folds it into one-minute
 * panes, per (datacenter, model).
 *
 * <p>Why it waits: the intensity valid at t is only known for sure once no update with "valid
 * from" <= t can still arrive, i.e. once the watermark (the minimum over requests and intensity)
 * has passed t. So requests are held, summed per event-time millisecond, and priced as soon as the
 * watermark has passed them (checked on each request of the key, and by one timer per key and
 * minute); a pane is emitted when the watermark passes its minute. Requests that
 * arrive behind the watermark are priced at once and, within the allowed lateness, sent as a
 * correction of their pane; beyond it they go to the late-events output, never nowhere.
 *
 * <p>Keyed by (datacenter, model), not by zone: a zone carrying most of the traffic still spreads
 * over all subtasks. The intensity history and the registry are small and broadcast to every
 * subtask.
 */
public class PaneFunction extends KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>
        implements CheckpointedFunction {

    public static final long MINUTE = 60_000L;

    public static final MapStateDescriptor<String, IntensityTimeline> INTENSITY =
            new MapStateDescriptor<>("intensity-by-zone", Types.STRING, TypeInformation.of(IntensityTimeline.class));
    public static final MapStateDescriptor<String, DatacenterProfile> REGISTRY =
            new MapStateDescriptor<>("registry", Types.STRING, TypeInformation.of(DatacenterProfile.class));

    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetterRecord.class));
    public static final OutputTag<DeadLetterRecord> LATE = new OutputTag<>("late-events", TypeInformation.of(DeadLetterRecord.class));

    private final Map<String, DatacenterProfile> initialRegistry;
    private final IntensityPricer pricer;
    private final long allowedLatenessMs;
    private final double defaultItOverhead;
    private final double offSiteWaterLPerKwh;
    private final String eventsTopic;
    private final int maxModelsPerDatacenter;

    /** Unpriced requests and unemitted panes; present while the key is live. */
    private transient ValueState<PendingBuffer> pending;

    private transient Counter aggregated;
    private transient Counter late;
    private transient Counter unknownDatacenter;
    private transient Counter lateIntensityUpdates;
    private transient Counter tooManyModels;
    /**
     * Live (datacenter, model) keys of this subtask per datacenter. Not checkpointed: after a restore
     * it restarts from zero, so the bound is at most twice the cap for one state lifetime.
     */
    private transient Map<String, Integer> liveModels;
    /**
     * Changes with every registry update this subtask sees; a key's cached registry entry is valid
     * while its version matches. Starts from a fresh value in every run, so that entries cached
     * before a restore are looked up again.
     */
    private transient long registryVersion;
    private transient AvroCodec<InferenceEvent> codec;
    /** Lateness and pricing decisions after a restore use the watermark of the checkpoint until the live one passes it. */
    private transient CheckpointedWatermark checkpointedWatermark;

    public PaneFunction(
            Map<String, DatacenterProfile> initialRegistry,
            IntensityPricer pricer,
            long allowedLatenessMs,
            double defaultItOverhead,
            double offSiteWaterLPerKwh,
            String eventsTopic,
            int maxModelsPerDatacenter) {
        this.maxModelsPerDatacenter = maxModelsPerDatacenter;
        this.initialRegistry = Map.copyOf(initialRegistry);
        this.pricer = pricer;
        this.allowedLatenessMs = allowedLatenessMs;
        this.defaultItOverhead = defaultItOverhead;
        this.offSiteWaterLPerKwh = offSiteWaterLPerKwh;
        this.eventsTopic = eventsTopic;
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
        pending = getRuntimeContext().getState(new ValueStateDescriptor<>("pending", TypeInformation.of(PendingBuffer.class)));
        var metrics = getRuntimeContext().getMetricGroup().addGroup("carbonstream");
        aggregated = metrics.counter("requestsAggregated");
        late = metrics.counter("requestsLate");
        unknownDatacenter = metrics.counter("requestsUnknownDatacenter");
        lateIntensityUpdates = metrics.counter("intensityUpdatesLate");
        tooManyModels = metrics.counter("requestsTooManyModels");
        liveModels = new HashMap<>();
        registryVersion = System.nanoTime();
        codec = new AvroCodec<>(InferenceEvent.class);
    }

    @Override
    public void processElement(MeteredRequest m, ReadOnlyContext ctx, Collector<PaneDelta> out) throws Exception {
        InferenceRequest r = m.request;
        PendingBuffer buf = pending.value();
        DatacenterProfile dc = buf != null && buf.profileVersion == registryVersion
                ? buf.profile
                : lookup(ctx.getBroadcastState(REGISTRY), r.datacenterId);
        if (dc == null) {
            unknownDatacenter.inc();
            ctx.output(DEAD_LETTERS, reject(r, Reason.UNKNOWN_DATACENTER,
                    "datacenter " + r.datacenterId + " is in neither the registry file nor the registry topic", null));
            return;
        }
        long t = r.eventTime;
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        long minute = floor(t, MINUTE);
        boolean onTime = t > wm;
        if (!onTime && minute + MINUTE - 1 + allowedLatenessMs < wm) {
            late.inc();
            ctx.output(LATE, reject(r, Reason.LATE, "event time " + t + " is more than the allowed lateness "
                    + allowedLatenessMs + " ms behind its window end " + (minute + MINUTE) + " (watermark " + wm + ")", wm));
            return;
        }
        if (buf == null) {
            // First request of this (datacenter, model) since its state was last cleared: admit it if the cap allows.
            int live = liveModels.getOrDefault(r.datacenterId, 0);
            if (live >= maxModelsPerDatacenter) {
                tooManyModels.inc();
                ctx.output(DEAD_LETTERS, reject(r, Reason.TOO_MANY_MODELS, "datacenter " + r.datacenterId + " already has "
                        + live + " live models on this subtask (--models.max-per-datacenter " + maxModelsPerDatacenter + ")", null));
                return;
            }
            liveModels.put(r.datacenterId, live + 1);
            buf = new PendingBuffer();
        }
        buf.profile = dc;
        buf.profileVersion = registryVersion;
        Totals one = energy(m, dc);
        if (onTime) {
            buf.pending.merge(t, one);
            // One timer per key and minute: it emits the pane (and prices what is left of it).
            // (An out-of-order request of an earlier minute registers its own: Flink keeps one per time.)
            long paneEnd = minute + MINUTE - 1;
            if (paneEnd != buf.maxTimer) {
                ctx.timerService().registerEventTimeTimer(paneEnd);
                buf.maxTimer = Math.max(buf.maxTimer, paneEnd);
            }
        } else {
            // Behind the watermark but within the lateness: the intensity at t is settled, price now.
            one.price(pricer.price(dc.zone, ctx.getBroadcastState(INTENSITY).get(dc.zone), t));
            buf.panes.merge(minute, one);
            ctx.timerService().registerEventTimeTimer(Math.max(minute + MINUTE - 1, wm + 1));
        }
        // Whatever the watermark has passed can be priced now: this keeps the buffer short without
        // a timer per second.
        if (buf.pending.size > 0 && buf.pending.keys[0] <= wm) priceUpTo(buf, wm, ctx.getBroadcastState(INTENSITY).get(buf.profile.zone));
        pending.update(buf);
    }

    /** Prices the buffered requests at or before t into their panes. */
    private void priceUpTo(PendingBuffer buf, long t, IntensityTimeline timeline) {
        SortedTotals pending = buf.pending;
        int due = pending.countUpTo(t);
        for (int i = 0; i < due; i++) {
            Totals p = pending.values[i];
            p.price(pricer.price(buf.profile.zone, timeline, pending.keys[i]));
            buf.panes.merge(floor(pending.keys[i], MINUTE), p);
        }
        pending.dropFirst(due);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaneDelta> out) throws Exception {
        checkpointedWatermark.observe(ctx.currentWatermark());
        PendingBuffer buf = pending.value();
        if (buf == null) return;
        if (buf.pending.size > 0) priceUpTo(buf, timestamp, ctx.getBroadcastState(INTENSITY).get(buf.profile.zone));
        String[] ids = ctx.getCurrentKey().split("\u001f", 2);
        int done = 0;
        SortedTotals panes = buf.panes;
        while (done < panes.size && panes.keys[done] + MINUTE - 1 <= timestamp) {
            Totals t = panes.values[done];
            aggregated.inc(t.requests);
            PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, ids[0], ids[1], panes.keys[done], t);
            d.zone = buf.profile.zone;
            d.budgetGPerHour = buf.profile.emissionBudgetGPerHour;
            out.collect(d);
            done++;
        }
        panes.dropFirst(done);
        if (buf.isEmpty()) {
            pending.clear();
            liveModels.computeIfPresent(ids[0], (id, n) -> n > 1 ? n - 1 : null);
        } else {
            pending.update(buf);
        }
    }

    @Override
    public void processBroadcastElement(ControlEvent e, Context ctx, Collector<PaneDelta> out) throws Exception {
        if (e.intensity != null) {
            IntensityReading r = e.intensity;
            BroadcastState<String, IntensityTimeline> state = ctx.getBroadcastState(INTENSITY);
            IntensityTimeline tl = state.get(r.zone);
            if (tl == null) tl = new IntensityTimeline();
            long wm = checkpointedWatermark.effective(ctx.currentWatermark());
            if (r.validFrom <= wm) lateIntensityUpdates.inc();
            tl.upsert(r.validFrom, r.gPerKwh);
            // Keep what a late request within the lateness could still need, and always the latest version.
            if (wm > Long.MIN_VALUE + allowedLatenessMs + 2 * MINUTE) tl.pruneBefore(wm - allowedLatenessMs - 2 * MINUTE);
            state.put(r.zone, tl);
        } else if (e.datacenter != null) {
            ctx.getBroadcastState(REGISTRY).put(e.datacenter.datacenterId, e.datacenter);
            registryVersion++;
        } else if (e.deletedDatacenter != null) {
            registryVersion++;
            // A tombstone overrides the registry file too.
            ctx.getBroadcastState(REGISTRY).put(e.deletedDatacenter, new DatacenterProfile(e.deletedDatacenter, null, 1, 0));
        }
    }

    private DatacenterProfile lookup(ReadOnlyBroadcastState<String, DatacenterProfile> registry, String id) throws Exception {
        DatacenterProfile p = registry.get(id);
        if (p == null) p = initialRegistry.get(id);
        return p == null || p.zone == null ? null : p;
    }

    /** Everything about one request that does not depend on intensity. */
    private Totals energy(MeteredRequest m, DatacenterProfile dc) {
        InferenceRequest r = m.request;
        Totals t = new Totals();
        t.requests = 1;
        t.inputTokens = r.inputTokens;
        t.outputTokens = r.outputTokens;
        t.images = r.images;
        t.mediaSeconds = r.mediaSeconds;
        t.gpuJoules = m.gpuJoules;
        t.measuredGpuJoules = m.provenance == Provenance.MEASURED ? m.gpuJoules : 0.0;
        t.facilityKwh = FacilityFactors.facilityKwh(m.gpuJoules, dc.itOverheadOr(defaultItOverhead), dc.pue);
        t.waterL = FacilityFactors.waterLitres(t.facilityKwh, dc.pue, dc.wueLPerKwh, offSiteWaterLPerKwh);
        if (dc.marketFactorGPerKwh != null) {
            t.marketG = t.facilityKwh * dc.marketFactorGPerKwh;
            t.marketRequests = 1;
        }
        return t;
    }

    private DeadLetterRecord reject(InferenceRequest r, Reason reason, String message, Long wm) {
        // Avro binary is canonical: re-encoding the decoded request restores the bytes a producer
        // with the same schema wrote, so the record can be replayed as is.
        DeadLetterRecord d = DeadLetterRecord.of(reason, message, eventsTopic, r.sourcePartition, r.sourceOffset,
                r.sourceTimestamp, r.sourceKey, codec.encode(Decoders.toAvro(r)));
        d.watermark = wm;
        return d;
    }

    static long floor(long t, long unit) {
        return Math.floorDiv(t, unit) * unit;
    }
}
