package io.carbonstream.alert;

import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.ingest.IntensityReading;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Grid carbon-spike alerts, per zone, in event time: each intensity update is evaluated when the
 * watermark passes its "valid from", against the zone's trailing median baseline, with
 * hysteresis and a minimum dwell. The alert carries what the spike costs: the zone's
 * datacenters, their energy rate over the last minutes, and the extra emissions per hour versus
 * the baseline.
 */
public class GridSpikeFunction extends KeyedCoProcessFunction<String, IntensityReading, PaneDelta, AlertRecord> {

    static final long MINUTE = 60_000L;

    private final SpikeRule rule;
    private final Hysteresis hysteresis;
    private final long baselineWindowMs;
    private final long rateWindowMs;

    /** Intensity by "valid from"; a correction replaces its estimate. */
    private transient MapState<Long, Double> history;
    /** Facility kWh per (datacenter, minute start), for the energy rate. */
    private transient MapState<String, Double> energy;
    private transient ValueState<Long> raisedAt;
    /** Latest evaluated intensity per zone of this subtask, exposed as a gauge. */
    private transient Map<String, Double> currentIntensity;

    public GridSpikeFunction(SpikeRule rule, long minDwellMs, long baselineWindowMs, long rateWindowMs) {
        this.rule = rule;
        this.hysteresis = new Hysteresis(minDwellMs);
        this.baselineWindowMs = baselineWindowMs;
        this.rateWindowMs = rateWindowMs;
    }

    @Override
    public void open(OpenContext ctx) {
        history = getRuntimeContext().getMapState(new MapStateDescriptor<>("intensity-history", Types.LONG, Types.DOUBLE));
        energy = getRuntimeContext().getMapState(new MapStateDescriptor<>("dc-minute-kwh", Types.STRING, Types.DOUBLE));
        raisedAt = getRuntimeContext().getState(new ValueStateDescriptor<>("raised-at", Types.LONG));
        currentIntensity = new java.util.HashMap<>();
    }

    @Override
    public void processElement1(IntensityReading r, Context ctx, Collector<AlertRecord> out) throws Exception {
        history.put(r.validFrom, r.gPerKwh);
        ctx.timerService().registerEventTimeTimer(Math.max(r.validFrom, ctx.timerService().currentWatermark() + 1));
    }

    @Override
    public void processElement2(PaneDelta d, Context ctx, Collector<AlertRecord> out) throws Exception {
        String k = d.datacenterId + '\u001f' + d.minuteStart;
        Double kwh = energy.get(k);
        energy.put(k, (kwh == null ? 0.0 : kwh) + d.totals.facilityKwh);
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<AlertRecord> out) throws Exception {
        TreeMap<Long, Double> h = new TreeMap<>();
        for (Map.Entry<Long, Double> e : history.entries()) h.put(e.getKey(), e.getValue());
        Map.Entry<Long, Double> current = h.floorEntry(now);
        if (current == null) return;
        double value = current.getValue();
        String zone = ctx.getCurrentKey();
        if (currentIntensity.put(zone, value) == null) {
            getRuntimeContext().getMetricGroup().addGroup("carbonstream").addGroup("zone", zone)
                    .gauge("intensityGPerKwh", () -> currentIntensity.get(zone));
        }
        double baseline = rule.baseline(h.subMap(now - baselineWindowMs, true, now, false).values().stream().mapToDouble(Double::doubleValue).toArray());
        double enter = rule.enterThreshold(ctx.getCurrentKey(), baseline);
        Long since = raisedAt.value();
        switch (hysteresis.evaluate(since, now, value, enter, rule.exitThreshold(enter))) {
            case RAISE -> {
                raisedAt.update(now);
                out.collect(alert(ctx.getCurrentKey(), true, now, now, value, baseline, enter));
            }
            case CLEAR -> {
                raisedAt.clear();
                out.collect(alert(ctx.getCurrentKey(), false, now, since, value, baseline, enter));
            }
            case HOLD -> ctx.timerService().registerEventTimeTimer(hysteresis.dwellEnds(since));
            case NONE -> { }
        }
        prune(h, now);
    }

    private AlertRecord alert(String zone, boolean raised, long now, long startedAt, double value, double baseline, double threshold)
            throws Exception {
        // Energy rate of each datacenter of the zone over the complete minutes before now.
        long to = Math.floorDiv(now, MINUTE) * MINUTE;
        long from = to - rateWindowMs;
        TreeMap<String, Double> kwh = new TreeMap<>();
        for (Map.Entry<String, Double> e : energy.entries()) {
            int sep = e.getKey().indexOf('\u001f');
            long minute = Long.parseLong(e.getKey().substring(sep + 1));
            if (minute >= from && minute < to) kwh.merge(e.getKey().substring(0, sep), e.getValue(), Double::sum);
        }
        AlertRecord a = new AlertRecord();
        a.kind = AlertKind.GRID_SPIKE;
        a.subject = zone;
        a.raised = raised;
        a.eventTime = now;
        a.startedAt = startedAt;
        a.alertId = AlertRecord.id(a.kind, zone, startedAt);
        a.value = value;
        a.baseline = Double.isNaN(baseline) ? null : baseline;
        a.threshold = threshold;
        a.datacenters = kwh.keySet().toArray(new String[0]);
        a.kwhPerMinute = kwh.values().stream().mapToDouble(v -> v / (rateWindowMs / (double) MINUTE)).toArray();
        double totalKwhPerMinute = 0;
        for (double r : a.kwhPerMinute) totalKwhPerMinute += r;
        double reference = Double.isNaN(baseline) ? threshold : baseline;
        a.extraGPerHour = totalKwhPerMinute * 60 * Math.max(0, value - reference);
        a.message = String.format(java.util.Locale.ROOT, "%s grid spike in %s: %.0f gCO2e/kWh (baseline %s, threshold %.0f); %d datacenter(s) "
                        + "drawing %.2f kWh/min: +%.1f kgCO2e/h", raised ? "RAISED" : "CLEARED", zone, value,
                a.baseline == null ? "n/a" : String.format(java.util.Locale.ROOT, "%.0f", baseline), threshold, a.datacenters.length,
                totalKwhPerMinute, a.extraGPerHour / 1000);
        return a;
    }

    /** Keeps the baseline window (and the version valid at its start) and the rate window. */
    private void prune(TreeMap<Long, Double> h, long now) throws Exception {
        Long keepFrom = h.floorKey(now - baselineWindowMs);
        if (keepFrom != null) {
            for (Long from : new ArrayList<>(h.headMap(keepFrom, false).keySet())) history.remove(from);
        }
        long oldest = Math.floorDiv(now, MINUTE) * MINUTE - 2 * rateWindowMs;
        List<String> old = new ArrayList<>();
        Iterator<String> it = energy.keys().iterator();
        while (it.hasNext()) {
            String k = it.next();
            if (Long.parseLong(k.substring(k.indexOf('\u001f') + 1)) < oldest) old.add(k);
        }
        for (String k : old) energy.remove(k);
    }
}
