package io.carbonstream.alert;

import io.carbonstream.aggregate.PaneDelta;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Emission-budget alerts, per datacenter: at every minute boundary, the location-based emissions of
 * the trailing window, as grams per hour, against the datacenter's budget (registry, else the
 * configured default), with hysteresis and a minimum dwell.
 */
public class BudgetFunction extends KeyedProcessFunction<String, PaneDelta, AlertRecord> {

    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;

    private final Double defaultBudgetGPerHour;
    private final double exitFraction;
    private final Hysteresis hysteresis;
    private final long windowMs;

    private transient MapState<Long, Double> gramsByMinute;
    private transient MapState<Long, Double> kwhByMinute;
    private transient ValueState<Double> budget;
    private transient ValueState<Long> raisedAt;

    /** Latest trailing emission rate per datacenter of this subtask, exposed as a gauge. */
    private transient java.util.Map<String, Double> currentRate;

    /**
     * @param exitFraction the alert clears below budget x exitFraction (e.g. 0.9)
     */
    public BudgetFunction(
            Double defaultBudgetGPerHour, double exitFraction, long minDwellMs, long windowMs) {
        this.defaultBudgetGPerHour = defaultBudgetGPerHour;
        this.exitFraction = exitFraction;
        this.hysteresis = new Hysteresis(minDwellMs);
        this.windowMs = windowMs;
    }

    @Override
    public void open(OpenContext ctx) {
        gramsByMinute =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "grams-by-minute", Types.LONG, Types.DOUBLE));
        kwhByMinute =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "kwh-by-minute", Types.LONG, Types.DOUBLE));
        budget = getRuntimeContext().getState(new ValueStateDescriptor<>("budget", Types.DOUBLE));
        raisedAt =
                getRuntimeContext().getState(new ValueStateDescriptor<>("raised-at", Types.LONG));
        currentRate = new java.util.HashMap<>();
    }

    @Override
    public void processElement(PaneDelta d, Context ctx, Collector<AlertRecord> out)
            throws Exception {
        Double b = d.budgetGPerHour != null ? d.budgetGPerHour : defaultBudgetGPerHour;
        // Without a budget the rate is still tracked, for the emission-rate gauge.
        if (b != null) budget.update(b);
        else budget.clear();
        Double g = gramsByMinute.get(d.minuteStart);
        if (g == null && d.minuteStart + MINUTE - 1 > ctx.timerService().currentWatermark()) {
            // The minute's end; each evaluation then chains the next while the window holds data.
            ctx.timerService().registerEventTimeTimer(d.minuteStart + MINUTE - 1);
        }
        gramsByMinute.put(d.minuteStart, (g == null ? 0.0 : g) + d.totals.locationG);
        Double kwh = kwhByMinute.get(d.minuteStart);
        kwhByMinute.put(d.minuteStart, (kwh == null ? 0.0 : kwh) + d.totals.facilityKwh);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertRecord> out)
            throws Exception {
        long end = timestamp + 1;
        double grams = 0;
        double kwh = 0;
        List<Long> old = new ArrayList<>();
        for (Long m : gramsByMinute.keys()) {
            if (m < end - windowMs) {
                old.add(m);
            } else if (m < end) {
                grams += gramsByMinute.get(m);
                kwh += kwhByMinute.get(m);
            }
        }
        for (Long m : old) {
            gramsByMinute.remove(m);
            kwhByMinute.remove(m);
        }
        double kwhPerMinute = kwh * MINUTE / windowMs;
        double rate = grams * HOUR / windowMs;
        String dc = ctx.getCurrentKey();
        if (currentRate.put(dc, rate) == null) {
            getRuntimeContext()
                    .getMetricGroup()
                    .addGroup("carbonstream")
                    .addGroup("datacenter", dc)
                    .gauge("emissionRateGPerHour", () -> currentRate.get(dc));
        }
        Double b = budget.value();
        Long since = raisedAt.value();
        if (b == null && since == null) { // no budget: the gauge was all
            chain(ctx, timestamp);
            return;
        }
        if (b == null)
            b = Double.POSITIVE_INFINITY; // budget removed while an alert is open: let it clear
        switch (hysteresis.evaluate(since, end, rate, b, b * exitFraction)) {
            case RAISE -> {
                raisedAt.update(end);
                out.collect(alert(ctx.getCurrentKey(), true, end, end, rate, b, kwhPerMinute));
            }
            case CLEAR -> {
                raisedAt.clear();
                out.collect(alert(ctx.getCurrentKey(), false, end, since, rate, b, kwhPerMinute));
            }
            case HOLD, NONE -> {}
        }
        chain(ctx, timestamp);
    }

    /**
     * Evaluates again at the next minute end while the window holds data (so that each minute's
     * departure is seen) or an alert is open (so that it can clear). Otherwise the key leaves no
     * state.
     */
    private void chain(OnTimerContext ctx, long timestamp) throws Exception {
        if (!gramsByMinute.isEmpty() || raisedAt.value() != null)
            ctx.timerService().registerEventTimeTimer(timestamp + MINUTE);
        else budget.clear();
    }

    private static AlertRecord alert(
            String dc,
            boolean raised,
            long now,
            long startedAt,
            double rate,
            double budget,
            double kwhPerMinute) {
        AlertRecord a = new AlertRecord(AlertKind.EMISSION_BUDGET, dc, raised, now, startedAt);
        a.value = rate;
        a.threshold = budget;
        a.extraGPerHour = Math.max(0, rate - budget);
        a.datacenters = new String[] {dc};
        a.kwhPerMinute = new double[] {kwhPerMinute};
        a.message =
                String.format(
                        java.util.Locale.ROOT,
                        "%s emission budget of %s: %.1f kgCO2e/h against a budget of %.1f kgCO2e/h",
                        raised ? "RAISED" : "CLEARED",
                        dc,
                        rate / 1000,
                        budget / 1000);
        return a;
    }
}
