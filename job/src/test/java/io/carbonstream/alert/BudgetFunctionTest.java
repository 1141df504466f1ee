package io.carbonstream.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.aggregate.Totals;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class BudgetFunctionTest {

    static final long MIN = 60_000;
    static final long T0 = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, 3_600_000L);

    static PaneDelta pane(long minute, double g, Double budget) {
        Totals t = new Totals();
        t.locationG = g;
        t.facilityKwh = g / 500;
        PaneDelta d = new PaneDelta(Dimension.DATACENTER_MODEL, "dc-1", "m", T0 + minute * MIN, t);
        d.budgetGPerHour = budget;
        return d;
    }

    /** Per datacenter: a 10-minute window, a 15-minute dwell, clears below 90% of the budget. */
    static KeyedOneInputStreamOperatorTestHarness<String, PaneDelta, AlertRecord> harness()
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new BudgetFunction(null, 0.9, 15 * MIN, 10 * MIN),
                new Pipeline.PaneDatacenter(),
                Types.STRING);
    }

    @Test
    void raisesOnceOverBudgetClearsAfterDwellAndLeavesNoState() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PaneDelta, AlertRecord> h = harness();
        // 200 g per minute, two models: the 10-minute window reaches 1000 g = 6000 g/h at minute 5.
        for (int m = 0; m < 5; m++) {
            h.processElement(pane(m, 120, 6000.0), T0 + m * MIN);
            h.processElement(pane(m, 80, 6000.0), T0 + m * MIN);
        }
        h.processWatermark(T0 + 60 * MIN);
        List<AlertRecord> a = h.extractOutputValues();
        assertThat(a).extracting(x -> x.raised).containsExactly(true, false);
        assertThat(a.get(0).eventTime).isEqualTo(T0 + 5 * MIN);
        assertThat(a.get(0).value).isCloseTo(6000.0, within(1e-9));
        assertThat(a.get(0).threshold).isEqualTo(6000.0);
        assertThat(a.get(0).kwhPerMinute[0]).isCloseTo(1000.0 / 500 / 10, within(1e-12));
        // The rate falls under 5400 g/h at minute 11, but the alert holds until its 15-minute dwell
        // ends.
        assertThat(a.get(1).eventTime).isEqualTo(T0 + 20 * MIN);
        assertThat(a.get(1).alertId)
                .isEqualTo(a.get(0).alertId)
                .isEqualTo(AlertRecord.id(AlertKind.EMISSION_BUDGET, "dc-1", T0 + 5 * MIN));
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isZero();
        h.close();
    }

    @Test
    void withoutABudgetNothingIsWatched() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, PaneDelta, AlertRecord> h = harness();
        h.processElement(pane(0, 1e9, null), T0);
        h.processWatermark(T0 + 60 * MIN);
        assertThat(h.extractOutputValues()).isEmpty();
        assertThat(h.numKeyedStateEntries()).isZero();
        h.close();
    }
}
