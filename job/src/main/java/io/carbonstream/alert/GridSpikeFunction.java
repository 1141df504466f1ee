package io.carbonstream.alert;

import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.intensity.ZoneStatus;
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
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Spike alerts of one intensity signal, per zone, in event time: each reading is evaluated when the
 * watermark passes its "valid from", against the zone's trailing median baseline, with hysteresis
 * and a minimum dwell. The alert carries what the spike costs: the zone's datacenters, their energy
 * rate over the last minutes, and the extra emissions per hour versus the baseline.
 *
 * <p>One class, two signals ({@link Signal}): {@code GRID_SPIKE} watches the accounting (average)
 * intensity; {@code MARGINAL_SPIKE} the marginal intensity, with its own thresholds, and raises
 * only while the zone's datacenters are busy (what one more kWh emits matters where load could
 * move). Every evaluation is also published as a {@link ZoneStatus} ({@link #STATUS}).
 */
public class GridSpikeFunction
        extends KeyedCoProcessFunction<String, IntensityReading, PaneDelta, AlertRecord> {

    static final long MINUTE = 60_000L;

    /**
     * Each evaluation: the zone's value and baseline at that instant (for the forecast early
     * warning).
     */
    public static final OutputTag<ControlEvent> STATUS =
            new OutputTag<>("zone-status", TypeInformation.of(ControlEvent.class));

    /**
     * What one instance watches. {@code busyKwhPerMinute}: the zone's datacenters must draw more
     * than 0 and at least this for a RAISE; negative: no such condition.
     */
    public record Signal(AlertKind kind, String label, String gauge, double busyKwhPerMinute)
            implements java.io.Serializable {
        /** The accounting intensity: any spike is raised, with or without load. */
        public static final Signal GRID =
                new Signal(AlertKind.GRID_SPIKE, "grid spike", "intensityGPerKwh", -1);

        public static Signal marginal(double busyKwhPerMinute) {
            return new Signal(
                    AlertKind.MARGINAL_SPIKE,
                    "marginal-intensity spike",
                    "marginalIntensityGPerKwh",
                    busyKwhPerMinute);
        }

        boolean busy(double kwhPerMinute) {
            return busyKwhPerMinute < 0 || (kwhPerMinute > 0 && kwhPerMinute >= busyKwhPerMinute);
        }
    }

    private final Signal signal;
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

    /** Grid spikes of the accounting intensity. */
    public GridSpikeFunction(
            SpikeRule rule, long minDwellMs, long baselineWindowMs, long rateWindowMs) {
        this(Signal.GRID, rule, minDwellMs, baselineWindowMs, rateWindowMs);
    }

    public GridSpikeFunction(
            Signal signal,
            SpikeRule rule,
            long minDwellMs,
            long baselineWindowMs,
            long rateWindowMs) {
        this.signal = signal;
        this.rule = rule;
        this.hysteresis = new Hysteresis(minDwellMs);
        this.baselineWindowMs = baselineWindowMs;
        this.rateWindowMs = rateWindowMs;
    }

    @Override
    public void open(OpenContext ctx) {
        history =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "intensity-history", Types.LONG, Types.DOUBLE));
        energy =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "dc-minute-kwh", Types.STRING, Types.DOUBLE));
        raisedAt =
                getRuntimeContext().getState(new ValueStateDescriptor<>("raised-at", Types.LONG));
        currentIntensity = new java.util.HashMap<>();
    }

    @Override
    public void processElement1(IntensityReading r, Context ctx, Collector<AlertRecord> out)
            throws Exception {
        history.put(r.validFrom, r.gPerKwh);
        ctx.timerService()
                .registerEventTimeTimer(
                        Math.max(r.validFrom, ctx.timerService().currentWatermark() + 1));
    }

    @Override
    public void processElement2(PaneDelta d, Context ctx, Collector<AlertRecord> out)
            throws Exception {
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
            getRuntimeContext()
                    .getMetricGroup()
                    .addGroup("carbonstream")
                    .addGroup("zone", zone)
                    .gauge(signal.gauge(), () -> currentIntensity.get(zone));
        }
        double baseline =
                rule.baseline(
                        h.subMap(now - baselineWindowMs, true, now, false).values().stream()
                                .mapToDouble(Double::doubleValue)
                                .toArray());
        ctx.output(STATUS, ControlEvent.of(new ZoneStatus(zone, now, value, baseline)));
        double enter = rule.enterThreshold(zone, baseline);
        Long since = raisedAt.value();
        switch (hysteresis.evaluate(since, now, value, enter, rule.exitThreshold(enter))) {
            case RAISE -> {
                TreeMap<String, Double> exposed = exposure(now);
                if (signal.busy(total(exposed))) {
                    raisedAt.update(now);
                    out.collect(alert(zone, true, now, now, value, baseline, enter, exposed));
                }
            }
            case CLEAR -> {
                raisedAt.clear();
                out.collect(alert(zone, false, now, since, value, baseline, enter, exposure(now)));
            }
            case HOLD -> ctx.timerService().registerEventTimeTimer(hysteresis.dwellEnds(since));
            case NONE -> {}
        }
        prune(h, now);
    }

    /**
     * kWh per minute of each datacenter of the zone over the complete minutes of the rate window
     * before now.
     */
    private TreeMap<String, Double> exposure(long now) throws Exception {
        long to = Math.floorDiv(now, MINUTE) * MINUTE;
        long from = to - rateWindowMs;
        TreeMap<String, Double> kwh = new TreeMap<>();
        for (Map.Entry<String, Double> e : energy.entries()) {
            int sep = e.getKey().indexOf('\u001f');
            long minute = Long.parseLong(e.getKey().substring(sep + 1));
            if (minute >= from && minute < to)
                kwh.merge(e.getKey().substring(0, sep), e.getValue(), Double::sum);
        }
        kwh.replaceAll((dc, sum) -> sum / (rateWindowMs / (double) MINUTE));
        return kwh;
    }

    private static double total(Map<String, Double> kwhPerMinute) {
        double sum = 0;
        for (double r : kwhPerMinute.values()) sum += r;
        return sum;
    }

    private AlertRecord alert(
            String zone,
            boolean raised,
            long now,
            long startedAt,
            double value,
            double baseline,
            double threshold,
            TreeMap<String, Double> exposed) {
        AlertRecord a = new AlertRecord(signal.kind(), zone, raised, now, startedAt);
        a.value = value;
        a.baseline = Double.isNaN(baseline) ? null : baseline;
        a.threshold = threshold;
        a.datacenters = exposed.keySet().toArray(new String[0]);
        a.kwhPerMinute = exposed.values().stream().mapToDouble(Double::doubleValue).toArray();
        double totalKwhPerMinute = total(exposed);
        double reference = Double.isNaN(baseline) ? threshold : baseline;
        a.extraGPerHour = totalKwhPerMinute * 60 * Math.max(0, value - reference);
        a.message =
                String.format(
                        java.util.Locale.ROOT,
                        "%s %s in %s: %.0f gCO2e/kWh (baseline %s, threshold %.0f); %d"
                                + " datacenter(s) drawing %.2f kWh/min: +%.1f kgCO2e/h",
                        raised ? "RAISED" : "CLEARED",
                        signal.label(),
                        zone,
                        value,
                        a.baseline == null
                                ? "n/a"
                                : String.format(java.util.Locale.ROOT, "%.0f", baseline),
                        threshold,
                        a.datacenters.length,
                        totalKwhPerMinute,
                        a.extraGPerHour / 1000);
        return a;
    }

    /** Keeps the baseline window (and the version valid at its start) and the rate window. */
    private void prune(TreeMap<Long, Double> h, long now) throws Exception {
        Long keepFrom = h.floorKey(now - baselineWindowMs);
        if (keepFrom != null) {
            for (Long from : new ArrayList<>(h.headMap(keepFrom, false).keySet()))
                history.remove(from);
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
