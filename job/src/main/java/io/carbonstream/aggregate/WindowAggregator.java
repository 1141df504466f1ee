package io.carbonstream.aggregate;

import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns one-minute panes of one dimension key into the reported windows: the minute itself, the
 * hour ending at every minute boundary, and the clock hour.
 *
 * <p>Why not Flink's sliding windows: a 1 h window sliding by 1 min copies every element into 60
 * windows. Here each pane is stored once and a rolling hour is the sum of the 60 panes it covers.
 *
 * <p>A window is emitted (revision 1) when the watermark passes its end. A pane corrected by late
 * requests re-emits, at the next watermark step, every already emitted window that covers it, with
 * the next revision. Panes and revision counters are dropped once no late data can reach them.
 */
public class WindowAggregator extends KeyedProcessFunction<String, PaneDelta, AggregateRecord>
        implements CheckpointedFunction {

    public static final long MINUTE = PaneFunction.MINUTE;
    public static final long HOUR = 60 * MINUTE;

    private final long allowedLatenessMs;

    /** How long panes stay: as long as a late request or a restatement can still change them. */
    private final long retentionMs;

    private final String methodology;
    private final String emissionFactorType;

    private transient ValueState<WindowState> state;
    private transient org.apache.flink.metrics.Counter restatementsOutOfReach;

    /**
     * After a restore, a correction replayed before the first watermark must still re-emit its
     * windows.
     */
    private transient CheckpointedWatermark checkpointedWatermark;

    public WindowAggregator(long allowedLatenessMs, long restatementHorizonMs, String methodology) {
        this(allowedLatenessMs, restatementHorizonMs, methodology, "lifecycle");
    }

    /**
     * @param emissionFactorType the factor type of the intensity that priced the location-based
     *     figures
     */
    public WindowAggregator(
            long allowedLatenessMs,
            long restatementHorizonMs,
            String methodology,
            String emissionFactorType) {
        this.emissionFactorType = emissionFactorType;
        this.allowedLatenessMs = allowedLatenessMs;
        this.retentionMs = Math.max(allowedLatenessMs, restatementHorizonMs);
        this.methodology = methodology;
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
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "windows", TypeInformation.of(WindowState.class)));
        restatementsOutOfReach =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("carbonstream")
                        .counter("restatementsOutOfReach");
    }

    @Override
    public void processElement(PaneDelta d, Context ctx, Collector<AggregateRecord> out)
            throws Exception {
        long wm = checkpointedWatermark.effective(ctx.timerService().currentWatermark());
        long m = d.minuteStart;
        WindowState s = state.value();
        if (s == null) {
            s = new WindowState();
            s.dimension = d.dimension;
            s.datacenterId = d.dimension == Dimension.MODEL ? null : d.datacenterId;
            s.modelId = d.dimension == Dimension.DATACENTER ? null : d.modelId;
        }
        if (d.zone != null) {
            s.zone = d.zone;
            s.organisation = d.organisation;
        }
        Totals pane = s.pane(m);
        if (pane == null && d.isRestatement()) {
            // The pricing stage restates only within the horizon and panes stay longer than that
            // (an hour more), so this cannot happen; were it to, a window of re-priced figures
            // alone
            // would be wrong: count it and keep the windows as they are.
            restatementsOutOfReach.inc();
            return;
        }
        if (pane == null) {
            s.addPane(m, d.totals.copy());
            // The pane's own minute end; from there each minute-end timer chains the next one while
            // some pane is still inside the rolling hour (one registration per key and minute, not
            // 60 per pane).
            if (m + MINUTE - 1 > wm) ctx.timerService().registerEventTimeTimer(m + MINUTE - 1);
            ctx.timerService().registerEventTimeTimer(tickAtOrAfter(m + HOUR + retentionMs));
        } else {
            pane.add(d.totals);
        }
        if (m + MINUTE - 1 <= wm) {
            s.markDirty(m, d.reason);
            ctx.timerService().registerEventTimeTimer(wm + 1);
        }
        state.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AggregateRecord> out)
            throws Exception {
        checkpointedWatermark.observe(ctx.timerService().currentWatermark());
        WindowState s = state.value();
        if (s == null) return;
        if ((timestamp + 1) % MINUTE == 0) {
            long end = timestamp + 1;
            emit(s, WindowKind.MINUTE, end, RevisionReason.LATE_REQUEST, out);
            emit(s, WindowKind.ROLLING_HOUR, end, RevisionReason.LATE_REQUEST, out);
            if (end % HOUR == 0) emit(s, WindowKind.HOUR, end, RevisionReason.LATE_REQUEST, out);
            // The next rolling hour, [end + 1 min - 1 h, end + 1 min), still has data: keep the
            // chain going.
            if (s.newestPane() >= end + MINUTE - HOUR)
                ctx.timerService().registerEventTimeTimer(end + MINUTE - 1);
        }
        if (s.dirtyCount > 0) {
            // Window end -> the reasons of the changes it includes.
            TreeMap<Long, Integer> minuteEnds = new TreeMap<>();
            TreeMap<Long, Integer> rollingEnds = new TreeMap<>();
            TreeMap<Long, Integer> hourEnds = new TreeMap<>();
            for (int i = 0; i < s.dirtyCount; i++) {
                long m = s.dirty[i];
                int why = s.dirtyReasons[i];
                // Windows ending at timestamp + 1 were just emitted with the late data included.
                if (m + MINUTE <= timestamp) minuteEnds.merge(m + MINUTE, why, (a, b) -> a | b);
                for (long end = m + MINUTE; end <= m + HOUR && end <= timestamp; end += MINUTE)
                    rollingEnds.merge(end, why, (a, b) -> a | b);
                long hourEnd = Math.floorDiv(m, HOUR) * HOUR + HOUR;
                if (hourEnd <= timestamp) hourEnds.merge(hourEnd, why, (a, b) -> a | b);
            }
            s.dirtyCount = 0;
            minuteEnds.forEach((end, why) -> emit(s, WindowKind.MINUTE, end, why, out));
            rollingEnds.forEach((end, why) -> emit(s, WindowKind.ROLLING_HOUR, end, why, out));
            hourEnds.forEach((end, why) -> emit(s, WindowKind.HOUR, end, why, out));
        }
        // Drop panes and revision counters no late request or restatement can change any more.
        s.dropBefore(timestamp - HOUR - retentionMs + 1, timestamp - retentionMs + 1);
        if (s.isEmpty()) state.clear();
        else state.update(s);
    }

    /** Emits a window; {@code why} names the change if this is not its first revision. */
    private void emit(
            WindowState s, WindowKind kind, long end, int why, Collector<AggregateRecord> out) {
        long start = kind == WindowKind.MINUTE ? end - MINUTE : end - HOUR;
        Totals sum = s.sum(start, end);
        if (sum == null) return;
        AggregateRecord a = new AggregateRecord();
        a.window = kind;
        a.windowStart = start;
        a.windowEnd = end;
        a.dimension = s.dimension;
        a.datacenterId = s.datacenterId;
        a.modelId = s.modelId;
        a.zone = s.zone;
        a.organisation = s.organisation;
        a.totals = sum;
        a.revision = s.nextRevision(end * 4 + kind.ordinal());
        a.revisionReason = RevisionReason.text(a.revision, why);
        a.methodology = methodology;
        a.emissionFactorType = emissionFactorType;
        a.alternativeFactorType =
                io.carbonstream.ingest.AccountingSignal.otherFactorType(emissionFactorType);
        out.collect(a);
    }

    /** The first minute-boundary timer (end - 1) at or after t. */
    static long tickAtOrAfter(long t) {
        return Math.floorDiv(t + MINUTE, MINUTE) * MINUTE - 1;
    }
}
