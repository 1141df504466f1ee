package io.carbonstream.aggregate;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
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
public class WindowAggregator extends KeyedProcessFunction<String, PaneDelta, AggregateRecord> {

    public static final long MINUTE = PaneFunction.MINUTE;
    public static final long HOUR = 60 * MINUTE;

    private final long allowedLatenessMs;
    private final String methodology;

    private transient MapState<Long, Totals> panes;
    /** Revision last emitted, by (window end, kind) packed into one long. */
    private transient MapState<Long, Integer> revisions;
    /** Panes changed after their minute was emitted. */
    private transient MapState<Long, Boolean> dirty;
    /** Ids of this key, kept so that timers can label output. */
    private transient MapState<String, String> ids;

    public WindowAggregator(long allowedLatenessMs, String methodology) {
        this.allowedLatenessMs = allowedLatenessMs;
        this.methodology = methodology;
    }

    @Override
    public void open(OpenContext ctx) {
        panes = getRuntimeContext().getMapState(new MapStateDescriptor<>("panes", Types.LONG, TypeInformation.of(Totals.class)));
        revisions = getRuntimeContext().getMapState(new MapStateDescriptor<>("revisions", Types.LONG, Types.INT));
        dirty = getRuntimeContext().getMapState(new MapStateDescriptor<>("dirty", Types.LONG, Types.BOOLEAN));
        ids = getRuntimeContext().getMapState(new MapStateDescriptor<>("ids", Types.STRING, Types.STRING));
    }

    @Override
    public void processElement(PaneDelta d, Context ctx, Collector<AggregateRecord> out) throws Exception {
        long wm = ctx.timerService().currentWatermark();
        long m = d.minuteStart;
        Totals pane = panes.get(m);
        if (pane == null) {
            panes.put(m, d.totals.copy());
            if (ids.isEmpty()) {
                ids.put("dimension", d.dimension.name());
                if (d.datacenterId != null && d.dimension != Dimension.MODEL) ids.put("dc", d.datacenterId);
                if (d.modelId != null && d.dimension != Dimension.DATACENTER) ids.put("model", d.modelId);
            }
            // The pane's own minute end; from there each minute-end timer chains the next one while
            // some pane is still inside the rolling hour (one registration per key and minute, not 60 per pane).
            if (m + MINUTE - 1 > wm) ctx.timerService().registerEventTimeTimer(m + MINUTE - 1);
            ctx.timerService().registerEventTimeTimer(tickAtOrAfter(m + HOUR + allowedLatenessMs));
        } else {
            pane.add(d.totals);
            panes.put(m, pane);
        }
        if (m + MINUTE - 1 <= wm) {
            dirty.put(m, Boolean.TRUE);
            ctx.timerService().registerEventTimeTimer(wm + 1);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AggregateRecord> out) throws Exception {
        if ((timestamp + 1) % MINUTE == 0) {
            long end = timestamp + 1;
            emit(WindowKind.MINUTE, end, out);
            emit(WindowKind.ROLLING_HOUR, end, out);
            if (end % HOUR == 0) emit(WindowKind.HOUR, end, out);
            // The next rolling hour, [end + 1 min - 1 h, end + 1 min), still has data: keep the chain going.
            Long newest = newestPane();
            if (newest != null && newest >= end + MINUTE - HOUR) ctx.timerService().registerEventTimeTimer(end + MINUTE - 1);
        }
        if (!dirty.isEmpty()) {
            TreeSet<Long> minuteEnds = new TreeSet<>();
            TreeSet<Long> rollingEnds = new TreeSet<>();
            TreeSet<Long> hourEnds = new TreeSet<>();
            for (Long m : dirty.keys()) {
                // Windows ending at timestamp + 1 were just emitted with the late data included.
                if (m + MINUTE <= timestamp) minuteEnds.add(m + MINUTE);
                for (long end = m + MINUTE; end <= m + HOUR && end <= timestamp; end += MINUTE) rollingEnds.add(end);
                long hourEnd = Math.floorDiv(m, HOUR) * HOUR + HOUR;
                if (hourEnd <= timestamp) hourEnds.add(hourEnd);
            }
            dirty.clear();
            for (long end : minuteEnds) emit(WindowKind.MINUTE, end, out);
            for (long end : rollingEnds) emit(WindowKind.ROLLING_HOUR, end, out);
            for (long end : hourEnds) emit(WindowKind.HOUR, end, out);
        }
        cleanUp(timestamp);
    }

    private void emit(WindowKind kind, long end, Collector<AggregateRecord> out) throws Exception {
        long start = kind == WindowKind.MINUTE ? end - MINUTE : end - HOUR;
        Totals sum = null;
        for (long m = start; m < end; m += MINUTE) {
            Totals p = panes.get(m);
            if (p == null) continue;
            if (sum == null) sum = new Totals();
            sum.add(p);
        }
        if (sum == null) return;
        long revKey = end * 4 + kind.ordinal();
        Integer last = revisions.get(revKey);
        int revision = last == null ? 1 : last + 1;
        revisions.put(revKey, revision);
        AggregateRecord a = new AggregateRecord();
        a.window = kind;
        a.windowStart = start;
        a.windowEnd = end;
        a.dimension = Dimension.valueOf(ids.get("dimension"));
        a.datacenterId = ids.get("dc");
        a.modelId = ids.get("model");
        a.totals = sum;
        a.revision = revision;
        a.methodology = methodology;
        out.collect(a);
    }

    private Long newestPane() throws Exception {
        Long newest = null;
        for (Long m : panes.keys()) if (newest == null || m > newest) newest = m;
        return newest;
    }

    /** Drops panes and revision counters no late data can change any more. */
    private void cleanUp(long timestamp) throws Exception {
        List<Long> old = new ArrayList<>();
        for (Long m : panes.keys()) if (m + HOUR + allowedLatenessMs <= timestamp) old.add(m);
        for (Long m : old) panes.remove(m);
        Iterator<Map.Entry<Long, Integer>> it = revisions.iterator();
        while (it.hasNext()) {
            long end = Math.floorDiv(it.next().getKey(), 4);
            if (end + allowedLatenessMs <= timestamp) it.remove();
        }
        if (revisions.isEmpty()) revisions.clear(); // an emptied heap map would otherwise stay behind per key
        if (panes.isEmpty() && revisions.isEmpty()) ids.clear();
    }

    /** The first minute-boundary timer (end - 1) at or after t. */
    static long tickAtOrAfter(long t) {
        return Math.floorDiv(t + MINUTE, MINUTE) * MINUTE - 1;
    }
}
