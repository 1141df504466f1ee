package io.carbonstream.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WindowAggregatorTest {

    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;
    static final long LATENESS = 2 * MIN;

    /** A clock hour, so that hourly windows line up with the test's minutes. */
    static final long T0 = 1_000 * HOUR;

    KeyedOneInputStreamOperatorTestHarness<String, PaneDelta, AggregateRecord> h;

    @BeforeEach
    void setUp() throws Exception {
        h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new WindowAggregator(LATENESS, 0, "test-method"),
                        new Pipeline.ByDimensionKey(),
                        Types.STRING);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    static PaneDelta delta(long minuteStart, long requests, double g) {
        Totals t = new Totals();
        t.requests = requests;
        t.facilityKwh = requests;
        t.locationG = g;
        t.minIntensity = g / requests;
        t.maxIntensity = g / requests;
        return new PaneDelta(Dimension.DATACENTER, "dc-1", null, minuteStart, t);
    }

    List<AggregateRecord> out() {
        return h.extractOutputValues();
    }

    List<AggregateRecord> of(WindowKind k) {
        return out().stream().filter(a -> a.window == k).collect(Collectors.toList());
    }

    @Test
    void minuteRollingAndHourWindowsSumTheirPanes() throws Exception {
        // One pane in each of the 60 minutes of an hour: minute i carries i+1 requests.
        for (int i = 0; i < 60; i++)
            h.processElement(delta(T0 + i * MIN, i + 1, 10.0 * (i + 1)), T0 + i * MIN);
        h.processWatermark(T0 + HOUR - 1);

        assertThat(of(WindowKind.MINUTE)).hasSize(60);
        assertThat(of(WindowKind.MINUTE).get(59).totals.requests).isEqualTo(60);
        List<AggregateRecord> rolling = of(WindowKind.ROLLING_HOUR);
        assertThat(rolling).hasSize(60);
        for (int i = 0; i < 60; i++) {
            AggregateRecord r = rolling.get(i);
            assertThat(r.windowEnd).isEqualTo(T0 + (i + 1) * MIN);
            assertThat(r.windowStart).isEqualTo(r.windowEnd - HOUR);
            assertThat(r.totals.requests)
                    .isEqualTo((long) (i + 1) * (i + 2) / 2); // 1 + 2 + ... + (i+1)
        }
        List<AggregateRecord> hours = of(WindowKind.HOUR);
        assertThat(hours).hasSize(1);
        assertThat(hours.get(0).windowStart).isEqualTo(T0);
        assertThat(hours.get(0).totals.requests).isEqualTo(1830);
        assertThat(hours.get(0).totals.locationG).isCloseTo(18300, within(1e-9));
        assertThat(hours.get(0).totals.minIntensity).isEqualTo(10.0);
        assertThat(out())
                .allSatisfy(
                        a -> {
                            assertThat(a.revision).isEqualTo(1);
                            assertThat(a.dimension).isEqualTo(Dimension.DATACENTER);
                            assertThat(a.datacenterId).isEqualTo("dc-1");
                            assertThat(a.modelId).isNull();
                            assertThat(a.methodology).isEqualTo("test-method");
                        });

        // The rolling hour keeps moving after traffic stops, until the last pane leaves it.
        h.processWatermark(T0 + 2 * HOUR - 1);
        List<AggregateRecord> later = of(WindowKind.ROLLING_HOUR);
        assertThat(later).hasSize(119);
        assertThat(later.get(later.size() - 1).totals.requests).isEqualTo(60);
    }

    @Test
    void lateDeltaReemitsEveryCoveringWindowWithTheNextRevision() throws Exception {
        h.processElement(delta(T0, 1, 100), T0);
        h.processElement(delta(T0 + MIN, 1, 100), T0 + MIN);
        h.processWatermark(T0 + 2 * MIN - 1);
        int before = out().size();
        assertThat(before).isEqualTo(4); // 2 minutes + 2 rolling hours

        h.processElement(delta(T0, 2, 300), T0 + 2 * MIN - 1);
        h.processWatermark(T0 + 2 * MIN);
        List<AggregateRecord> again = out().subList(before, out().size());
        Map<String, AggregateRecord> byKey =
                again.stream().collect(Collectors.toMap(AggregateRecord::kafkaKey, a -> a));
        assertThat(byKey).hasSize(3);
        AggregateRecord minute = byKey.get("MINUTE|DATACENTER|dc-1||" + T0);
        assertThat(minute.revision).isEqualTo(2);
        assertThat(minute.totals.requests).isEqualTo(3);
        assertThat(minute.totals.locationG).isCloseTo(400, within(1e-9));
        AggregateRecord rolling2 =
                byKey.get("ROLLING_HOUR|DATACENTER|dc-1||" + (T0 + 2 * MIN - HOUR));
        assertThat(rolling2.revision).isEqualTo(2);
        assertThat(rolling2.totals.requests).isEqualTo(4);
        assertThat(byKey.get("ROLLING_HOUR|DATACENTER|dc-1||" + (T0 + MIN - HOUR)).totals.requests)
                .isEqualTo(3);
    }

    @Test
    void stateAndTimersAreEmptyOnceNoLateDataCanArrive() throws Exception {
        for (int i = 0; i < 10; i++)
            h.processElement(delta(T0 + i * 7 * MIN, 1, 50), T0 + i * 7 * MIN);
        assertThat(h.numKeyedStateEntries()).isPositive();
        h.processWatermark(T0 + 3 * HOUR);
        assertThat(of(WindowKind.MINUTE)).hasSize(10);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(h.numKeyedStateEntries()).isZero();
    }

    @Test
    void afterARestoreACorrectionBeforeTheFirstWatermarkStillReEmitsItsWindow() throws Exception {
        h.processElement(delta(T0, 1, 10), T0);
        h.processWatermark(
                T0 + MIN + 30_000); // minute T0 emitted (revision 1), still within the lateness
        assertThat(of(WindowKind.MINUTE)).hasSize(1);
        var snapshot = h.snapshot(1, 1);
        h.close();

        h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new WindowAggregator(LATENESS, 0, "test-method")),
                        new Pipeline.ByDimensionKey(),
                        Types.STRING);
        h.setup();
        h.initializeState(snapshot);
        h.open();
        h.processElement(
                delta(T0, 1, 20), T0); // a correction replayed before any watermark of the new run
        h.processWatermark(T0 + MIN + 30_001);
        List<AggregateRecord> minute = of(WindowKind.MINUTE);
        assertThat(minute).hasSize(1);
        assertThat(minute.get(0).revision).isEqualTo(2);
        assertThat(minute.get(0).totals.requests).isEqualTo(2);
        assertThat(minute.get(0).totals.locationG).isCloseTo(30, within(1e-9));
    }
}
