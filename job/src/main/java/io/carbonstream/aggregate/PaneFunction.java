package io.carbonstream.aggregate;

import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.RegistryStart;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The pricing stage on Flink: prices each request with the registry version and the intensity valid
 * at its event time, folds it into one-minute panes per (datacenter, model) and re-prices emitted
 * panes when either input is corrected after the fact. A thin adapter: {@link KeyPricing} decides
 * (admission, lateness, emission, restatements, expiry; why it waits for the watermark is said
 * there), {@link PricingCore} prices; this class holds the state descriptors, passes each call's
 * key state, watermark and context to them through {@link PricingPort}, and stores what they
 * return.
 *
 * <p>Keyed by (datacenter, model), not by zone: a zone carrying most of the traffic still spreads
 * over all subtasks. The intensity history and the registry are small and broadcast to every
 * subtask.
 */
public class PaneFunction
        extends KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>
        implements CheckpointedFunction {

    public static final long MINUTE = PricingCore.MINUTE;

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

    /** The accounting emission-factor type (the other one prices the alternative figure). */
    private final String factorType;

    private transient ValueState<PendingBuffer> pending;
    private transient KeyPricing keys;
    private transient PricingPort port;

    /**
     * Lateness and pricing decisions after a restore use the watermark of the checkpoint until the
     * live one passes it.
     */
    private transient CheckpointedWatermark checkpointedWatermark;

    public PaneFunction(RegistryStart registryStart, PricingSettings settings) {
        this.registryStart = registryStart;
        this.core = new PricingCore(settings);
        this.factorType = settings.accountingFactorType();
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
        port = new PricingPort(getRuntimeContext());
        // One summary per correction, whatever the parallelism: every subtask sees the same
        // broadcast.
        boolean summaries = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
        keys = new KeyPricing(core, registryStart, factorType, summaries);
    }

    @Override
    public void processElement(MeteredRequest m, ReadOnlyContext ctx, Collector<PaneDelta> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        PendingBuffer buf = keys.onRequest(m, pending.value(), wm, port.on(ctx, out));
        if (buf != null) pending.update(buf);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaneDelta> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        PendingBuffer buf = pending.value();
        if (buf == null) return;
        String[] ids = KeyPricing.ids(ctx.getCurrentKey());
        buf = keys.onTimer(ids[0], ids[1], timestamp, buf, wm, port.on(ctx, out));
        if (buf == null) pending.clear();
        else pending.update(buf);
    }

    @Override
    public void processBroadcastElement(ControlEvent e, Context ctx, Collector<PaneDelta> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.currentWatermark());
        KeyPricing.Correction c = keys.onControl(e, wm, port.on(ctx, out));
        if (c == null) return;
        // Emitted panes: one pass over the keys' kept ranges (small values), then the slices of
        // the keys concerned only. (applyToKeyedState sets the current key, so the port reaches
        // the key's other states.)
        ctx.applyToKeyedState(
                KEPT,
                (key, range) -> {
                    String[] ids = KeyPricing.ids(key);
                    DatacenterHistory h = keys.concerned(c, ids[0], port);
                    if (h != null) keys.restateEmitted(c, ids, h, range.value(), port);
                });
        if (!c.reachesPending) return;
        ctx.applyToKeyedState(
                PENDING,
                (key, state) -> {
                    DatacenterHistory h = keys.concerned(c, KeyPricing.ids(key)[0], port);
                    if (h == null) return;
                    PendingBuffer buf = state.value();
                    if (keys.restatePending(c, h, buf)) state.update(buf);
                });
    }
}
