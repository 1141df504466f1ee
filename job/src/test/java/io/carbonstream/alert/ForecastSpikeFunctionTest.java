package io.carbonstream.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.ForecastReading;
import io.carbonstream.intensity.ZoneStatus;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * The early-warning operator with Flink's harness: raised once per forecast spike while the
 * datacenter is busy, cleared once a newer forecast no longer shows it, in event time, across a
 * restore. Figures are computed here by hand from the inputs.
 */
class ForecastSpikeFunctionTest {

    static final long MIN = 60_000;
    static final long H = 60 * MIN;
    static final long T0 = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, H);

    @AutoClose
    KeyedBroadcastOperatorTestHarness<String, PaneDelta, ControlEvent, AlertRecord> h =
            harness(null);

    /**
     * dc-1 in zone Z, dc-2 in ALT; an open harness of the operator, restored from {@code restore}
     * when given.
     */
    static KeyedBroadcastOperatorTestHarness<String, PaneDelta, ControlEvent, AlertRecord> harness(
            OperatorSubtaskState restore) {
        RegistryStart registry =
                RegistryStart.ofFile(
                        Map.of(
                                "dc-1",
                                        DatacenterHistory.of(
                                                new DatacenterProfile("dc-1", "Z", 1.2, 1.0)),
                                "dc-2",
                                        DatacenterHistory.of(
                                                new DatacenterProfile("dc-2", "ALT", 1.2, 1.0))));
        // Absolute 1000 (never reached), +30% over the baseline, exit 25 g lower; 15 min dwell, 6 h
        // horizon, 5 min rate window,
        // busy from 0.5 kWh/min.
        ForecastSpikeFunction fn =
                new ForecastSpikeFunction(
                        registry,
                        new SpikeRule(1000, Map.of(), 0.3, 25, 1),
                        15 * MIN,
                        6 * H,
                        5 * MIN,
                        0.5);
        try {
            var opened =
                    new KeyedBroadcastOperatorTestHarness<>(
                            new CoBroadcastWithKeyedOperator<>(
                                    fn,
                                    List.of(ForecastSpikeFunction.ZONES, PaneFunction.REGISTRY)),
                            new Pipeline.PaneDatacenter(),
                            Types.STRING,
                            128,
                            1,
                            0);
            opened.setup();
            if (restore != null) opened.initializeState(restore);
            opened.open();
            return opened;
        } catch (Exception e) {
            throw new IllegalStateException("cannot open the harness", e);
        }
    }

    static PaneDelta pane(String dc, String zone, long minute, double kwh) {
        Totals t = new Totals();
        t.facilityKwh = kwh;
        PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, dc, "m", T0 + minute * MIN, t);
        d.zone = zone;
        return d;
    }

    static ControlEvent status(String zone, long minute, double g, double baseline) {
        return ControlEvent.of(new ZoneStatus(zone, T0 + minute * MIN, g, baseline));
    }

    /**
     * Hourly forecast of zone Z over hours [fromHour, toHour), spike value in [spikeFrom, spikeTo),
     * issued at minute madeAt.
     */
    void forecastZ(
            int fromHour, int toHour, int spikeFrom, int spikeTo, double spike, long madeAtMin)
            throws Exception {
        for (int hr = fromHour; hr < toHour; hr++) {
            double g = hr >= spikeFrom && hr < spikeTo ? spike : 210;
            h.processBroadcastElement(
                    ControlEvent.of(
                            new ForecastReading(
                                    "Z", T0 + hr * H, T0 + (hr + 1) * H, g, T0 + madeAtMin * MIN)),
                    0);
        }
    }

    /**
     * dc-1 draws kwh per minute over [from, to) minutes, and the watermark follows to the end of
     * each minute.
     */
    void load(String dc, long from, long to, double kwh) throws Exception {
        for (long m = from; m < to; m++) {
            h.processElement(pane(dc, "Z", m, kwh), T0 + m * MIN);
            h.watermark(T0 + (m + 1) * MIN);
        }
    }

    List<AlertRecord> alerts() {
        return h.extractOutputValues();
    }

    @Test
    void raisesOnceWhenTheForecastShowsASpikeAndClearsWhenItNoLongerDoes() throws Exception {
        h.processBroadcastElement(status("Z", 0, 200, 200), 0);
        h.processBroadcastElement(status("ALT", 0, 50, 50), 0);
        forecastZ(1, 12, 3, 5, 300, 10); // issued at minute 10: 300 g from hour 3 to 5
        forecastZ(1, 12, 3, 5, 320, 25); // reissued at minute 25: still a spike, a higher one
        forecastZ(1, 12, 3, 5, 210, 40); // reissued at minute 40: no spike any more
        load("dc-1", 0, 60, 1.0); // 1 kWh per minute throughout

        List<AlertRecord> a = alerts();
        assertThat(a).extracting(x -> x.raised).containsExactly(true, false);
        AlertRecord raised = a.get(0);
        // The forecast applies from its issue (minute 10, a minute end with 5 busy minutes behind
        // it).
        assertThat(raised.eventTime).isEqualTo(T0 + 10 * MIN);
        assertThat(raised.kind).isEqualTo(AlertKind.FORECAST_SPIKE);
        assertThat(raised.subject).isEqualTo("dc-1");
        assertThat(raised.alertId)
                .isEqualTo(AlertRecord.id(AlertKind.FORECAST_SPIKE, "dc-1", T0 + 10 * MIN));
        assertThat(raised.value).isEqualTo(300.0);
        assertThat(raised.baseline).isEqualTo(200.0);
        assertThat(raised.threshold).isCloseTo(260.0, within(1e-9));
        assertThat(raised.leadTimeMs).isEqualTo(3 * H - 10 * MIN);
        assertThat(raised.kwhPerMinute).containsExactly(1.0);
        // 60 kWh/h. Zone Z over [0:10, 6:10): 50 min at the current 200, then 210, 210, 300, 300,
        // 210 and 10 min of 210.
        double projected = 60 * (200 * 50 / 60.0 + 210 + 210 + 300 + 300 + 210 + 210 * 10 / 60.0);
        assertThat(raised.projectedG).isCloseTo(projected, within(1e-9));
        assertThat(raised.alternativeZone).isEqualTo("ALT");
        assertThat(raised.avoidableG).isCloseTo(projected - 60 * 6 * 50, within(1e-9));
        assertThat(raised.extraGPerHour).isCloseTo(60 * (300 - 200), within(1e-9));
        assertThat(raised.message)
                .contains("RAISED forecast spike for dc-1 in Z")
                .contains("lead time 170 min")
                .contains("avoidable in ALT");

        AlertRecord cleared = a.get(1);
        assertThat(cleared.eventTime)
                .isEqualTo(T0 + 40 * MIN); // the dwell (15 min) is over by then
        assertThat(cleared.alertId).isEqualTo(raised.alertId);
        assertThat(cleared.value).isEqualTo(210.0);
        assertThat(cleared.leadTimeMs).isNull();
    }

    @Test
    void aQuietDatacenterIsNotWarnedAndOneUnderTheBusyFloorNeither() throws Exception {
        h.processBroadcastElement(status("Z", 0, 200, 200), 0);
        forecastZ(0, 12, 0, 2, 400, 0); // the spike is on from the start
        load("dc-1", 0, 30, 0.4); // below 0.5 kWh/min: not busy
        assertThat(alerts()).isEmpty();
        load("dc-1", 30, 40, 0.6); // busy once the trailing 5 minutes average 0.5
        assertThat(alerts()).hasSize(1);
        // At minute 33 the trailing minutes 28..32 hold 2 x 0.4 + 3 x 0.6 = 2.6 kWh: 0.52 kWh/min.
        assertThat(alerts().get(0).eventTime).isEqualTo(T0 + 33 * MIN);
        assertThat(alerts().get(0).kwhPerMinute[0]).isCloseTo(0.52, within(1e-12));
        assertThat(alerts().get(0).leadTimeMs)
                .isZero(); // the spike (hours 0-2) has begun: lead time 0
        assertThat(alerts().get(0).value).isEqualTo(400.0);
    }

    @Test
    void anOpenWarningSurvivesARestoreAndTheRegistryBringsNewAlternatives() throws Exception {
        h.processBroadcastElement(status("Z", 0, 200, 200), 0);
        h.processBroadcastElement(status("ALT", 0, 50, 50), 0);
        h.processBroadcastElement(status("CLEAN", 0, 10, 10), 0);
        forecastZ(1, 12, 3, 5, 300, 0);
        load("dc-1", 0, 8, 1.0);
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).alternativeZone)
                .isEqualTo("ALT"); // CLEAN has no datacenter in the registry yet
        String id = alerts().get(0).alertId;
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        h = harness(snapshot);
        DatacenterProfile clean = new DatacenterProfile("dc-3", "CLEAN", 1.1, 0.2);
        h.processBroadcastElement(ControlEvent.of(clean), 0);
        load("dc-1", 8, 30, 1.0);
        assertThat(alerts()).isEmpty(); // still open: no second RAISE after the restore
        // Issued at minute 30 but broadcast after the watermark passed it (live, forecasts never
        // hold it back):
        // it applies from the next evaluation.
        forecastZ(1, 12, 3, 5, 210, 30);
        load("dc-1", 30, 32, 1.0);
        assertThat(alerts()).hasSize(1);
        AlertRecord cleared = alerts().get(0);
        assertThat(cleared.raised).isFalse();
        assertThat(cleared.alertId).isEqualTo(id);
        assertThat(cleared.eventTime).isEqualTo(T0 + 31 * MIN);
        assertThat(cleared.alternativeZone).isEqualTo("CLEAN");
    }

    @Test
    void withoutLoadNothingIsKeptAndNoTimerRuns() throws Exception {
        h.processBroadcastElement(status("Z", 0, 200, 200), 0);
        load("dc-1", 0, 3, 1.0);
        h.watermark(T0 + 30 * MIN);
        assertThat(alerts()).isEmpty();
        assertThat(h.numEventTimeTimers()).isZero();
    }
}
