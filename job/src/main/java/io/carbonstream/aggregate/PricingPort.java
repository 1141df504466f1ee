package io.carbonstream.aggregate;

import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterHistory;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * {@link KeyPricing}'s port onto Flink for {@link PaneFunction}: the current key's colder state
 * (requests waiting for the registry, emitted slices and their range), the broadcast state, the
 * timers, side outputs and metrics, through the context of the call in progress (keyed or broadcast
 * side). One instance per operator instance, pointed at each call's context by {@link #on}: no
 * allocation per request.
 */
final class PricingPort implements KeyPricing.Port {

    private final MapState<Long, SliceList> history;
    private final ListState<MeteredRequest> waiting;
    private final ValueState<long[]> kept;
    private final Counter[] counters;

    private KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>
                    .ReadOnlyContext
            keyed;
    private KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>.Context
            broadcast;
    private Collector<PaneDelta> out;

    PricingPort(RuntimeContext rc) {
        history = rc.getMapState(PaneFunction.HISTORY);
        waiting = rc.getListState(PaneFunction.WAITING);
        kept = rc.getState(PaneFunction.KEPT);
        var metrics = rc.getMetricGroup().addGroup("carbonstream");
        counters = new Counter[KeyPricing.Count.values().length];
        for (KeyPricing.Count c : KeyPricing.Count.values())
            counters[c.ordinal()] = metrics.counter(c.metric);
    }

    /** For a call on the keyed side (a request or a timer). */
    PricingPort on(
            KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>
                            .ReadOnlyContext
                    ctx,
            Collector<PaneDelta> out) {
        this.keyed = ctx;
        this.broadcast = null;
        this.out = out;
        return this;
    }

    /** For a call on the broadcast side (an intensity or registry record). */
    PricingPort on(
            KeyedBroadcastProcessFunction<String, MeteredRequest, ControlEvent, PaneDelta>.Context
                    ctx,
            Collector<PaneDelta> out) {
        this.keyed = null;
        this.broadcast = ctx;
        this.out = out;
        return this;
    }

    private <X> void output(OutputTag<X> tag, X value) {
        if (keyed != null) keyed.output(tag, value);
        else broadcast.output(tag, value);
    }

    private <V> V read(MapStateDescriptor<String, V> d, String key) throws Exception {
        return keyed != null
                ? keyed.getBroadcastState(d).get(key)
                : broadcast.getBroadcastState(d).get(key);
    }

    @Override
    public void emit(PaneDelta d) {
        out.collect(d);
    }

    @Override
    public void deadLetter(DeadLetterRecord d) {
        output(PaneFunction.DEAD_LETTERS, d);
    }

    @Override
    public void late(DeadLetterRecord d) {
        output(PaneFunction.LATE, d);
    }

    @Override
    public void restatement(RestatementRecord r) {
        output(PaneFunction.RESTATEMENTS, r);
    }

    @Override
    public void count(KeyPricing.Count c, long n) {
        counters[c.ordinal()].inc(n);
    }

    @Override
    public void timer(long t) {
        keyed.timerService().registerEventTimeTimer(t);
    }

    @Override
    public DatacenterHistory registered(String datacenterId) throws Exception {
        return read(PaneFunction.REGISTRY, datacenterId);
    }

    @Override
    public void register(String datacenterId, DatacenterHistory h) throws Exception {
        broadcast.getBroadcastState(PaneFunction.REGISTRY).put(datacenterId, h);
    }

    @Override
    public IntensityTimeline timeline(boolean alternative, String zone) throws Exception {
        return read(alternative ? PaneFunction.ALTERNATIVE : PaneFunction.INTENSITY, zone);
    }

    @Override
    public void putTimeline(boolean alternative, String zone, IntensityTimeline tl)
            throws Exception {
        broadcast
                .getBroadcastState(alternative ? PaneFunction.ALTERNATIVE : PaneFunction.INTENSITY)
                .put(zone, tl);
    }

    @Override
    public Iterable<MeteredRequest> waiting() throws Exception {
        return waiting.get();
    }

    @Override
    public void addWaiting(MeteredRequest m) throws Exception {
        waiting.add(m);
    }

    @Override
    public void setWaiting(List<MeteredRequest> still) throws Exception {
        if (still.isEmpty()) waiting.clear();
        else waiting.update(still);
    }

    @Override
    public SliceList history(long minute) throws Exception {
        return history.get(minute);
    }

    @Override
    public void putHistory(long minute, SliceList slices) throws Exception {
        history.put(minute, slices);
    }

    @Override
    public void removeHistory(long minute) throws Exception {
        history.remove(minute);
    }

    @Override
    public void kept(long[] range) throws Exception {
        if (range == null) kept.clear();
        else kept.update(range);
    }
}
