package io.carbonstream.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.ingest.AccountingSignal;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.IntensityReading;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.StreamFilter;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GridSpikeFunctionTest {

    static final long MIN = 60_000;
    static final long T0 = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 3_600_000L);

    KeyedTwoInputStreamOperatorTestHarness<String, IntensityReading, PaneDelta, AlertRecord> h;

    static KeyedTwoInputStreamOperatorTestHarness<String, IntensityReading, PaneDelta, AlertRecord>
            harness(OperatorSubtaskState restore) throws Exception {
        // Absolute 1000 (never reached here), +30% over the median baseline, exit 25 g lower, 15
        // min dwell.
        return harness(
                new GridSpikeFunction(
                        new SpikeRule(1000, Map.of(), 0.3, 25, 3),
                        15 * MIN,
                        24 * 60 * MIN,
                        5 * MIN),
                restore);
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, IntensityReading, PaneDelta, AlertRecord>
            harness(GridSpikeFunction fn, OperatorSubtaskState restore) throws Exception {
        var harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(fn),
                        new Pipeline.ByZone(),
                        new Pipeline.PaneZone(),
                        Types.STRING);
        harness.setup();
        if (restore != null) harness.initializeState(restore);
        harness.open();
        return harness;
    }

    @BeforeEach
    void setUp() throws Exception {
        h = harness(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    static IntensityReading at(long minute, double g) {
        return new IntensityReading("Z", T0 + minute * MIN, g);
    }

    static PaneDelta energy(String dc, long minute, double kwh) {
        Totals t = new Totals();
        t.facilityKwh = kwh;
        PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, dc, "m", T0 + minute * MIN, t);
        d.zone = "Z";
        return d;
    }

    /** One hour at 200 g: the baseline. */
    static List<IntensityReading> baselineHour() {
        List<IntensityReading> out = new ArrayList<>();
        for (int m = 0; m < 60; m += 5) out.add(at(m, 200));
        return out;
    }

    List<AlertRecord> alerts() {
        return h.extractOutputValues();
    }

    @Test
    void flappingRaisesOnceDwellHoldsAndHysteresisClears() throws Exception {
        List<IntensityReading> in = baselineHour();
        in.add(at(60, 270)); // above 260 = 200 x 1.3: RAISE
        in.add(at(65, 250)); // above the exit threshold 235: still raised
        in.add(at(70, 220)); // below exit, but only 10 min into the alert: held
        in.add(at(72, 265)); // back up: no second RAISE
        in.add(at(80, 200)); // below exit after 20 min: CLEAR
        in.add(at(85, 270)); // a new episode
        // Out of order arrival must not matter: evaluation happens in event time.
        Collections.shuffle(in, new Random(4));
        for (int m = 55; m < 60; m++) h.processElement2(energy("dc-1", m, 2.0), T0 + m * MIN);
        h.processElement2(energy("dc-2", 57, 5.0), T0 + 57 * MIN);
        for (IntensityReading r : in) h.processElement1(r, r.validFrom);
        h.processBothWatermarks(new Watermark(T0 + 120 * MIN));

        List<AlertRecord> a = alerts();
        assertThat(a).extracting(x -> x.raised).containsExactly(true, false, true);
        assertThat(a)
                .extracting(x -> x.eventTime)
                .containsExactly(T0 + 60 * MIN, T0 + 80 * MIN, T0 + 85 * MIN);
        AlertRecord raised = a.get(0);
        assertThat(raised.alertId)
                .isEqualTo(AlertRecord.id(AlertKind.GRID_SPIKE, "Z", T0 + 60 * MIN));
        assertThat(a.get(1).alertId).isEqualTo(raised.alertId);
        assertThat(a.get(2).alertId).isNotEqualTo(raised.alertId);
        assertThat(raised.baseline).isEqualTo(200.0);
        assertThat(raised.threshold).isCloseTo(260.0, within(1e-9));
        assertThat(raised.value).isEqualTo(270.0);
        // Energy over the 5 minutes before the alert: dc-1 10 kWh, dc-2 5 kWh -> 2 and 1 kWh/min.
        assertThat(raised.datacenters).containsExactly("dc-1", "dc-2");
        assertThat(raised.kwhPerMinute).containsExactly(2.0, 1.0);
        // Severity: 3 kWh/min x 60 min x (270 - 200) g/kWh.
        assertThat(raised.extraGPerHour).isCloseTo(3 * 60 * 70.0, within(1e-9));
    }

    @Test
    void anOpenAlertSurvivesARestoreWithoutASecondRaise() throws Exception {
        for (IntensityReading r : baselineHour()) h.processElement1(r, r.validFrom);
        h.processElement1(at(60, 300), T0 + 60 * MIN);
        h.processBothWatermarks(new Watermark(T0 + 61 * MIN));
        assertThat(alerts()).hasSize(1);
        String id = alerts().get(0).alertId;
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        h = harness(snapshot);
        h.processElement1(at(65, 290), T0 + 65 * MIN);
        h.processElement1(at(90, 190), T0 + 90 * MIN);
        h.processBothWatermarks(new Watermark(T0 + 120 * MIN));
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).raised).isFalse();
        assertThat(alerts().get(0).alertId).isEqualTo(id);
    }

    @Test
    void theBaselineOnlyLooksBackItsWindow() throws Exception {
        // A dirty day, then a clean one: after it, 270 is a spike against the clean baseline (200).
        for (int m = 0; m < 24 * 60; m += 30) h.processElement1(at(m, 400), T0 + m * MIN);
        for (int m = 24 * 60; m < 48 * 60; m += 30) h.processElement1(at(m, 200), T0 + m * MIN);
        h.processElement1(at(48 * 60, 270), T0 + 48 * 60 * MIN);
        h.processBothWatermarks(new Watermark(T0 + 48 * 60 * MIN + 1));
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).baseline).isEqualTo(200.0);
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void withoutABaselineOnlyTheAbsoluteThresholdApplies() throws Exception {
        h.processElement1(at(0, 900), T0);
        h.processElement1(at(5, 1_050), T0 + 5 * MIN);
        h.processBothWatermarks(new Watermark(T0 + 10 * MIN));
        assertThat(alerts()).hasSize(1);
        assertThat(alerts().get(0).eventTime).isEqualTo(T0 + 5 * MIN);
        assertThat(alerts().get(0).baseline).isNull();
        assertThat(alerts().get(0).threshold).isEqualTo(1000.0);
    }

    // ---- MARGINAL_SPIKE: the same machinery on the marginal signal, its own thresholds, and the
    // busy condition ----

    static IntensityReading marginal(long minute, double g) {
        IntensityReading r = at(minute, g);
        r.signal = "marginal";
        r.marginalGPerKwh = g;
        r.emissionFactorType = "direct";
        return r;
    }

    @Test
    void aMarginalSpikeRaisesOnlyWhileTheZoneIsBusyAndClearsWithItsOwnHysteresis()
            throws Exception {
        // Marginal defaults: absolute 1000, +50% over the median, exit 50 g lower; 15 min dwell,
        // busy from 1 kWh/min.
        try (var m =
                harness(
                        new GridSpikeFunction(
                                GridSpikeFunction.Signal.marginal(1.0),
                                new SpikeRule(1000, Map.of(), 0.5, 50, 6),
                                15 * MIN,
                                24 * 60 * MIN,
                                5 * MIN),
                        null)) {
            for (int t = 0; t < 60; t += 5) m.processElement1(marginal(t, 450), T0 + t * MIN);
            m.processElement1(
                    marginal(60, 950),
                    T0 + 60 * MIN); // enter at min(1000, 450 x 1.5 = 675): a spike, but no load
            m.processElement1(marginal(65, 450), T0 + 65 * MIN);
            m.processElement1(marginal(80, 700), T0 + 80 * MIN); // a spike with load: RAISE
            m.processElement1(marginal(85, 640), T0 + 85 * MIN); // above exit 625: stays
            m.processElement1(marginal(100, 600), T0 + 100 * MIN); // below exit, 20 min on: CLEAR
            for (int t = 70; t < 100; t++) m.processElement2(energy("dc-1", t, 1.5), T0 + t * MIN);
            m.processBothWatermarks(new Watermark(T0 + 120 * MIN));

            List<AlertRecord> a = m.extractOutputValues();
            assertThat(a).extracting(x -> x.raised).containsExactly(true, false);
            AlertRecord raised = a.get(0);
            assertThat(raised.kind).isEqualTo(AlertKind.MARGINAL_SPIKE);
            assertThat(raised.alertId)
                    .isEqualTo("MARGINAL_SPIKE:Z:" + java.time.Instant.ofEpochMilli(T0 + 80 * MIN));
            assertThat(raised.eventTime).isEqualTo(T0 + 80 * MIN);
            assertThat(raised.baseline).isEqualTo(450.0);
            assertThat(raised.threshold).isCloseTo(675.0, within(1e-9));
            assertThat(raised.datacenters).containsExactly("dc-1");
            assertThat(raised.kwhPerMinute[0]).isCloseTo(1.5, within(1e-12));
            assertThat(raised.extraGPerHour).isCloseTo(1.5 * 60 * (700 - 450), within(1e-6));
            assertThat(raised.message).startsWith("RAISED marginal-intensity spike in Z");
            assertThat(a.get(1).eventTime).isEqualTo(T0 + 100 * MIN);
            assertThat(a.get(1).alertId).isEqualTo(raised.alertId);
            // Every evaluation is published as the zone's status, for the forecast early warning.
            assertThat(m.getSideOutput(GridSpikeFunction.STATUS))
                    .extracting(r -> r.getValue().zoneStatus.at())
                    .contains(T0, T0 + 60 * MIN, T0 + 100 * MIN);
        }
    }

    @Test
    void theMarginalValueIsTheMarginalFieldElseTheValueOfAMarginalUpdateAndNeverAnAccountingValue()
            throws Exception {
        IntensityReading average = new IntensityReading("DE", T0, 330);
        IntensityReading averageWithMarginal = new IntensityReading("DE", T0 + MIN, 340);
        averageWithMarginal.marginalGPerKwh = 520.0;
        IntensityReading watttime = new IntensityReading("CAISO", T0, 430);
        watttime.signal = "marginal";
        watttime.emissionFactorType = "direct";
        List<IntensityReading> out = new ArrayList<>();
        for (IntensityReading r : List.of(average, averageWithMarginal, watttime)) {
            new Pipeline.MarginalReadings()
                    .flatMap(
                            ControlEvent.of(r),
                            new org.apache.flink.api.common.functions.util.ListCollector<>(out));
        }
        assertThat(out)
                .extracting(r -> r.zone + "@" + (r.validFrom - T0) + "=" + r.gPerKwh)
                .containsExactly("DE@60000=520.0", "CAISO@0=430.0");

        // The accounting side drops the marginal update and keeps the average ones (their marginal
        // field is never priced).
        try (var accounting =
                new OneInputStreamOperatorTestHarness<>(
                        new StreamFilter<>(new AccountingSignal("lifecycle")))) {
            accounting.open();
            accounting.processElement(ControlEvent.of(watttime), 0);
            accounting.processElement(ControlEvent.of(averageWithMarginal), 0);
            assertThat(accounting.extractOutputValues())
                    .extracting(e -> e.intensity.gPerKwh)
                    .containsExactly(340.0);
        }
    }
}
