package io.carbonstream.alert;

import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The forecast early warning, per datacenter, in event time: at every minute end while the
 * datacenter has load (or an alert is open), {@link ForecastProjection} over the next {@code
 * horizon} from what is known by then; a {@code FORECAST_SPIKE} is raised when the forecast of its
 * zone reaches the grid-spike threshold (the zone's own baseline and {@link SpikeRule}) while the
 * datacenter is busy, and cleared, with hysteresis and the minimum dwell, once the forecast no
 * longer shows it. A thin adapter: the broadcast side brings forecasts, zone statuses (from the
 * grid-spike alert) and the registry; the keyed side the datacenter's live panes.
 */
public class ForecastSpikeFunction
        extends KeyedBroadcastProcessFunction<String, PaneDelta, ControlEvent, AlertRecord> {

    static final long MINUTE = 60_000L;

    /**
     * Broadcast: what is known of each zone (forecasts, statuses). The registry travels in {@link
     * PaneFunction#REGISTRY}.
     */
    public static final MapStateDescriptor<String, ZoneForecasts> ZONES =
            new MapStateDescriptor<>(
                    "zone-forecasts", Types.STRING, TypeInformation.of(ZoneForecasts.class));

    private final RegistryStart registryStart;
    private final SpikeRule rule;
    private final Hysteresis hysteresis;
    private final long horizonMs;
    private final long rateWindowMs;
    private final double busyKwhPerMinute;

    /** Facility kWh per minute start of this datacenter, over the rate window. */
    private transient MapState<Long, Double> kwhByMinute;

    private transient ValueState<String> zone;
    private transient ValueState<Long> raisedAt;

    /**
     * @param busyKwhPerMinute the datacenter is busy above 0 and at or above this
     */
    public ForecastSpikeFunction(
            RegistryStart registryStart,
            SpikeRule rule,
            long minDwellMs,
            long horizonMs,
            long rateWindowMs,
            double busyKwhPerMinute) {
        this.registryStart = registryStart;
        this.rule = rule;
        this.hysteresis = new Hysteresis(minDwellMs);
        this.horizonMs = horizonMs;
        this.rateWindowMs = rateWindowMs;
        this.busyKwhPerMinute = busyKwhPerMinute;
    }

    @Override
    public void open(OpenContext ctx) {
        kwhByMinute =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "forecast-kwh-by-minute", Types.LONG, Types.DOUBLE));
        zone =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("forecast-zone", Types.STRING));
        raisedAt =
                getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("forecast-raised-at", Types.LONG));
    }

    @Override
    public void processElement(PaneDelta d, ReadOnlyContext ctx, Collector<AlertRecord> out)
            throws Exception {
        if (d.zone != null) zone.update(d.zone);
        Double kwh = kwhByMinute.get(d.minuteStart);
        kwhByMinute.put(d.minuteStart, (kwh == null ? 0.0 : kwh) + d.totals.facilityKwh);
        // Evaluate at the pane's minute end, or (a late pane) at the next minute end: the chain of
        // evaluations runs on from there.
        long wm = ctx.timerService().currentWatermark();
        ctx.timerService()
                .registerEventTimeTimer(
                        Math.max(d.minuteStart + MINUTE, (Math.floorDiv(wm, MINUTE) + 1) * MINUTE));
    }

    @Override
    public void processBroadcastElement(ControlEvent e, Context ctx, Collector<AlertRecord> out)
            throws Exception {
        if (e.forecast == null && e.zoneStatus == null) {
            registryStart.apply(
                    ctx.getBroadcastState(PaneFunction.REGISTRY),
                    e.datacenter,
                    e.deletedDatacenter,
                    e.sourcePartition,
                    e.sourceOffset);
            return;
        }
        BroadcastState<String, ZoneForecasts> zones = ctx.getBroadcastState(ZONES);
        String z = e.forecast != null ? e.forecast.zone() : e.zoneStatus.zone();
        ZoneForecasts known = zones.get(z);
        if (known == null) known = new ZoneForecasts();
        if (e.forecast != null) known.put(e.forecast);
        else known.put(e.zoneStatus);
        known.prune(ctx.currentWatermark()); // every later evaluation is after the watermark
        zones.put(z, known);
    }

    @Override
    public void onTimer(long now, OnTimerContext ctx, Collector<AlertRecord> out) throws Exception {
        double kwhPerMinute = trailingKwh(now) / (rateWindowMs / (double) MINUTE);
        String own = zone.value();
        Long since = raisedAt.value();
        if (own != null) {
            ReadOnlyBroadcastState<String, ZoneForecasts> zones = ctx.getBroadcastState(ZONES);
            Map<String, ForecastProjection.Outlook> outlooks = new HashMap<>();
            for (DatacenterProfile p :
                    registryStart
                            .asOf(now, ctx.getBroadcastState(PaneFunction.REGISTRY))
                            .values()) {
                ZoneForecasts known = zones.get(p.zone);
                if (known != null) outlooks.put(p.zone, known.outlookAt(now));
            }
            ZoneForecasts ownKnown = zones.get(own);
            if (ownKnown != null) outlooks.put(own, ownKnown.outlookAt(now));
            double baseline = ownKnown == null ? Double.NaN : ownKnown.baselineAt(now);
            double enter = rule.enterThreshold(own, baseline);
            ForecastProjection.Result r =
                    ForecastProjection.project(
                            now, horizonMs, kwhPerMinute * 60, enter, own, outlooks);
            switch (hysteresis.evaluate(since, now, r.peakG(), enter, rule.exitThreshold(enter))) {
                case RAISE -> {
                    if (kwhPerMinute > 0 && kwhPerMinute >= busyKwhPerMinute) {
                        raisedAt.update(now);
                        out.collect(
                                alert(
                                        ctx.getCurrentKey(),
                                        own,
                                        true,
                                        now,
                                        now,
                                        r,
                                        baseline,
                                        enter,
                                        kwhPerMinute));
                    }
                }
                case CLEAR -> {
                    raisedAt.clear();
                    out.collect(
                            alert(
                                    ctx.getCurrentKey(),
                                    own,
                                    false,
                                    now,
                                    since,
                                    r,
                                    baseline,
                                    enter,
                                    kwhPerMinute));
                }
                case HOLD, NONE -> {}
            }
        }
        // The next minute end while the datacenter has load in the rate window or an alert is open;
        // else no state is left.
        if (!kwhByMinute.isEmpty() || raisedAt.value() != null) {
            ctx.timerService().registerEventTimeTimer(now + MINUTE);
        } else {
            zone.clear();
        }
    }

    /** Facility kWh of the complete minutes in [now - rate window, now); forgets older minutes. */
    private double trailingKwh(long now) throws Exception {
        double kwh = 0;
        for (Iterator<Map.Entry<Long, Double>> it = kwhByMinute.iterator(); it.hasNext(); ) {
            Map.Entry<Long, Double> m = it.next();
            if (m.getKey() < now - rateWindowMs) it.remove();
            else if (m.getKey() < now) kwh += m.getValue();
        }
        return kwh;
    }

    private AlertRecord alert(
            String dc,
            String zone,
            boolean raised,
            long now,
            long startedAt,
            ForecastProjection.Result r,
            double baseline,
            double threshold,
            double kwhPerMinute) {
        AlertRecord a = new AlertRecord(AlertKind.FORECAST_SPIKE, dc, raised, now, startedAt);
        boolean forecast = !Double.isNaN(r.peakG());
        a.value = forecast ? r.peakG() : 0.0;
        a.baseline = Double.isNaN(baseline) ? null : baseline;
        a.threshold = threshold;
        a.datacenters = new String[] {dc};
        a.kwhPerMinute = new double[] {kwhPerMinute};
        a.extraGPerHour =
                forecast
                        ? kwhPerMinute
                                * 60
                                * Math.max(
                                        0, r.peakG() - (a.baseline == null ? threshold : baseline))
                        : 0.0;
        a.leadTimeMs = r.spikeStart() == null ? null : r.spikeStart() - now;
        a.projectedG = r.projectedG();
        a.avoidableG = r.avoidableG();
        a.alternativeZone = r.alternativeZone();
        String outlook =
                String.format(
                        Locale.ROOT,
                        "next %.1f h at %.2f kWh/min: %.1f kgCO2e projected; %s",
                        horizonMs / 3_600_000.0,
                        kwhPerMinute,
                        r.projectedG() / 1000,
                        r.alternativeZone() == null
                                ? "no other zone of the registry to compare"
                                : r.avoidableG() > 0
                                        ? String.format(
                                                Locale.ROOT,
                                                "%.1f kgCO2e avoidable in %s",
                                                r.avoidableG() / 1000,
                                                r.alternativeZone())
                                        : "no cleaner zone in the registry (cleanest other: "
                                                + r.alternativeZone()
                                                + ")");
        String spike =
                a.leadTimeMs == null
                        ? String.format(
                                Locale.ROOT,
                                "forecast peak %s (threshold %.0f gCO2e/kWh)",
                                forecast
                                        ? String.format(Locale.ROOT, "%.0f gCO2e/kWh", r.peakG())
                                        : "none",
                                threshold)
                        : String.format(
                                Locale.ROOT,
                                "%.0f gCO2e/kWh forecast (threshold %.0f) from %s, lead time %d"
                                        + " min",
                                r.peakG(),
                                threshold,
                                Instant.ofEpochMilli(r.spikeStart()),
                                a.leadTimeMs / MINUTE);
        a.message =
                String.format(
                        Locale.ROOT,
                        "%s forecast spike for %s in %s: %s; %s",
                        raised ? "RAISED" : "CLEARED",
                        dc,
                        zone,
                        spike,
                        outlook);
        return a;
    }
}
