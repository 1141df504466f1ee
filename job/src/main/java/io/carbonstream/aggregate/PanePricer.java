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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Prices each request with the intensity valid at its event time and folds it into one-minute
 * panes per (datacenter, model), on the subtask that read the request: what crosses the network
 * afterwards is one partial pane per (datacenter, model, minute) and subtask, not one record per
 * request. The window stage adds the partial panes up (they are deltas).
 *
 * <p>Why it waits: the intensity valid at t is only known for sure once no update with "valid
 * from" <= t can still arrive, i.e. once this subtask's watermark (the minimum of its requests and
 * of the intensity input) has passed t. So requests are held, summed per event-time millisecond,
 * and priced at each watermark step; a pane is emitted once the watermark has passed its minute.
 * Requests that arrive behind the watermark are priced at once and, within the allowed lateness,
 * sent as a correction of their pane at the next watermark step; beyond it they go to the
 * late-events output, never nowhere.
 *
 * <p>Why deciding lateness here is consistent with the windows downstream: a pane leaves this
 * subtask before the watermark that follows it, and the window stage's watermark is the minimum
 * over all pricing subtasks, so a pane this subtask still accepts always finds its window open.
 *
 * <p>Why not keyed: pricing needs no data from other subtasks (the intensity history and the
 * registry are small and broadcast to all), so it runs where the request was read. A zone or a
 * datacenter carrying most of the traffic spreads over every subtask, and no per-request keyed
 * state access, key hashing or timer is paid. State is the pending buffers of this subtask,
 * checkpointed as operator list state; on rescaling, buffers of one (datacenter, model) that meet
 * on one subtask are merged.
 */
public class PanePricer extends AbstractStreamOperator<PaneDelta> implements TwoInputStreamOperator<MeteredRequest, ControlEvent, PaneDelta> {

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

    /** Live buffers of this subtask: datacenter id -> model id -> unpriced requests and unemitted panes. */
    private transient Map<String, Map<String, PendingBuffer>> live;
    private transient ListState<PendingBuffer> checkpointed;
    private transient BroadcastState<String, IntensityTimeline> intensity;
    private transient BroadcastState<String, DatacenterProfile> registry;
    /** This subtask's combined watermark (requests and intensity). */
    private transient long watermark;
    /**
     * Changes with every registry update this subtask sees; a buffer's cached registry entry is
     * valid while its version matches. Starts from a fresh value in every run, so that entries
     * cached before a restore are looked up again.
     */
    private transient long registryVersion;

    private transient Counter aggregated;
    private transient Counter late;
    private transient Counter unknownDatacenter;
    private transient Counter lateIntensityUpdates;
    private transient Counter tooManyModels;
    private transient AvroCodec<InferenceEvent> codec;

    public PanePricer(
            Map<String, DatacenterProfile> initialRegistry,
            IntensityPricer pricer,
            long allowedLatenessMs,
            double defaultItOverhead,
            double offSiteWaterLPerKwh,
            String eventsTopic,
            int maxModelsPerDatacenter) {
        this.initialRegistry = Map.copyOf(initialRegistry);
        this.pricer = pricer;
        this.allowedLatenessMs = allowedLatenessMs;
        this.defaultItOverhead = defaultItOverhead;
        this.offSiteWaterLPerKwh = offSiteWaterLPerKwh;
        this.eventsTopic = eventsTopic;
        this.maxModelsPerDatacenter = maxModelsPerDatacenter;
    }

    @Override
    public void initializeState(StateInitializationContext ctx) throws Exception {
        super.initializeState(ctx);
        OperatorStateStore store = ctx.getOperatorStateStore();
        checkpointed = store.getListState(new ListStateDescriptor<>("pending", TypeInformation.of(PendingBuffer.class)));
        intensity = store.getBroadcastState(INTENSITY);
        registry = store.getBroadcastState(REGISTRY);
        live = new HashMap<>();
        watermark = Long.MIN_VALUE;
        registryVersion = System.nanoTime();
        for (PendingBuffer b : checkpointed.get()) {
            PendingBuffer mine = live.computeIfAbsent(b.datacenterId, k -> new HashMap<>()).putIfAbsent(b.modelId, b);
            if (mine != null) mine.merge(b);
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        var metrics = getMetricGroup().addGroup("carbonstream");
        aggregated = metrics.counter("requestsAggregated");
        late = metrics.counter("requestsLate");
        unknownDatacenter = metrics.counter("requestsUnknownDatacenter");
        lateIntensityUpdates = metrics.counter("intensityUpdatesLate");
        tooManyModels = metrics.counter("requestsTooManyModels");
        codec = new AvroCodec<>(InferenceEvent.class);
    }

    @Override
    public void snapshotState(StateSnapshotContext ctx) throws Exception {
        super.snapshotState(ctx);
        List<PendingBuffer> all = new ArrayList<>();
        for (Map<String, PendingBuffer> models : live.values()) all.addAll(models.values());
        checkpointed.update(all);
    }

    @Override
    public void processElement1(StreamRecord<MeteredRequest> record) throws Exception {
        MeteredRequest m = record.getValue();
        InferenceRequest r = m.request;
        Map<String, PendingBuffer> models = live.get(r.datacenterId);
        PendingBuffer buf = models == null ? null : models.get(r.modelId);
        DatacenterProfile dc = buf != null && buf.profileVersion == registryVersion ? buf.profile : lookup(r.datacenterId);
        if (dc == null) {
            unknownDatacenter.inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(reject(r, Reason.UNKNOWN_DATACENTER,
                    "datacenter " + r.datacenterId + " is in neither the registry file nor the registry topic", null)));
            return;
        }
        long t = r.eventTime;
        long wm = watermark;
        long minute = floor(t, MINUTE);
        boolean onTime = t > wm;
        if (!onTime && minute + MINUTE - 1 + allowedLatenessMs < wm) {
            late.inc();
            output.collect(LATE, new StreamRecord<>(reject(r, Reason.LATE, "event time " + t + " is more than the allowed lateness "
                    + allowedLatenessMs + " ms behind its window end " + (minute + MINUTE) + " (watermark " + wm + ")", wm)));
            return;
        }
        if (buf == null) {
            // First request of this (datacenter, model) since its buffer was last emptied: admit it if the cap allows.
            int liveModels = models == null ? 0 : models.size();
            if (liveModels >= maxModelsPerDatacenter) {
                tooManyModels.inc();
                output.collect(DEAD_LETTERS, new StreamRecord<>(reject(r, Reason.TOO_MANY_MODELS, "datacenter " + r.datacenterId
                        + " already has " + liveModels + " live models on this subtask (--models.max-per-datacenter "
                        + maxModelsPerDatacenter + ")", null)));
                return;
            }
            if (models == null) live.put(r.datacenterId, models = new HashMap<>());
            buf = new PendingBuffer(r.datacenterId, r.modelId);
            models.put(r.modelId, buf);
        }
        buf.profile = dc;
        buf.profileVersion = registryVersion;
        Totals one = energy(m, dc);
        if (onTime) {
            buf.add(t, one);
        } else {
            // Behind the watermark but within the lateness: the intensity at t is settled, price now;
            // the pane goes out as a correction at the next watermark step.
            one.price(pricer.price(dc.zone, intensity.get(dc.zone), t));
            buf.addToPane(minute, one);
        }
    }

    @Override
    public void processElement2(StreamRecord<ControlEvent> record) throws Exception {
        ControlEvent e = record.getValue();
        if (e.intensity != null) {
            IntensityReading r = e.intensity;
            IntensityTimeline tl = intensity.get(r.zone);
            if (tl == null) tl = new IntensityTimeline();
            if (r.validFrom <= watermark) lateIntensityUpdates.inc();
            tl.upsert(r.validFrom, r.gPerKwh);
            // Keep what a late request within the lateness could still need, and always the latest version.
            if (watermark > Long.MIN_VALUE + allowedLatenessMs + 2 * MINUTE) tl.pruneBefore(watermark - allowedLatenessMs - 2 * MINUTE);
            intensity.put(r.zone, tl);
        } else if (e.datacenter != null) {
            registry.put(e.datacenter.datacenterId, e.datacenter);
            registryVersion++;
        } else if (e.deletedDatacenter != null) {
            registryVersion++;
            // A tombstone overrides the registry file too.
            registry.put(e.deletedDatacenter, new DatacenterProfile(e.deletedDatacenter, null, 1, 0));
        }
    }

    /** Prices what the watermark has passed, emits the panes it closed, then forwards it. */
    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long wm = mark.getTimestamp();
        watermark = wm;
        for (Iterator<Map<String, PendingBuffer>> dcs = live.values().iterator(); dcs.hasNext(); ) {
            Map<String, PendingBuffer> models = dcs.next();
            for (Iterator<PendingBuffer> it = models.values().iterator(); it.hasNext(); ) {
                PendingBuffer buf = it.next();
                if (buf.size > 0 && buf.times[0] <= wm) priceUpTo(buf, wm, intensity.get(buf.profile.zone));
                emitClosedPanes(buf, wm);
                if (buf.isEmpty()) it.remove();
            }
            if (models.isEmpty()) dcs.remove();
        }
        super.processWatermark(mark);
    }

    /** Prices the buffered requests at or before t into their panes. */
    private void priceUpTo(PendingBuffer buf, long t, IntensityTimeline timeline) {
        int due = buf.countUpTo(t);
        for (int i = 0; i < due; i++) {
            Totals p = buf.totals[i];
            p.price(pricer.price(buf.profile.zone, timeline, buf.times[i]));
            buf.addToPane(floor(buf.times[i], MINUTE), p);
        }
        buf.dropFirst(due);
    }

    private void emitClosedPanes(PendingBuffer buf, long wm) {
        int done = 0;
        while (done < buf.paneCount && buf.paneMinutes[done] + MINUTE - 1 <= wm) {
            Totals t = buf.panes[done];
            aggregated.inc(t.requests);
            PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, buf.datacenterId, buf.modelId, buf.paneMinutes[done], t);
            d.zone = buf.profile.zone;
            d.budgetGPerHour = buf.profile.emissionBudgetGPerHour;
            output.collect(new StreamRecord<>(d, buf.paneMinutes[done] + MINUTE - 1));
            done++;
        }
        buf.dropFirstPanes(done);
    }

    /** Live (datacenter, model) buffers on this subtask (for tests). */
    int liveBuffers() {
        return live.values().stream().mapToInt(Map::size).sum();
    }

    private DatacenterProfile lookup(String id) throws Exception {
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
