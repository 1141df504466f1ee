package io.carbonstream.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.ingest.Reason;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The as-of join and pane logic driven element by element. Every request draws 3.6 MJ at PUE 1 and
 * IT overhead 1, i.e. exactly 1 facility kWh, so grams equal the intensity used.
 */
class PaneFunctionTest {

    static final long LATENESS = 120_000;
    static final long MAX_AGE = 60_000;
    static final double GLOBAL_DEFAULT = 500;
    static final int MAX_MODELS = 3;

    KeyedBroadcastOperatorTestHarness<String, MeteredRequest, ControlEvent, PaneDelta> h;

    @BeforeEach
    void setUp() throws Exception {
        h = harness(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    static KeyedBroadcastOperatorTestHarness<String, MeteredRequest, ControlEvent, PaneDelta>
            harness(OperatorSubtaskState restore) throws Exception {
        return harness(restore, 0, 0);
    }

    /** dc-1 in zone Z at PUE 1, IT overhead 1: 1 facility kWh per request. */
    static KeyedBroadcastOperatorTestHarness<String, MeteredRequest, ControlEvent, PaneDelta>
            harness(OperatorSubtaskState restore, long horizonMs, long graceMs) throws Exception {
        DatacenterProfile dc = new DatacenterProfile("dc-1", "Z", 1.0, 2.0);
        dc.itOverhead = 1.0;
        PaneFunction fn =
                new PaneFunction(
                        RegistryStart.ofFile(Map.of("dc-1", DatacenterHistory.of(dc))),
                        TestPricing.with(new IntensityPricer(Map.of(), GLOBAL_DEFAULT, MAX_AGE))
                                .lateness(LATENESS)
                                .horizon(horizonMs)
                                .grace(graceMs)
                                .itOverhead(1.75)
                                .maxModels(MAX_MODELS)
                                .settings());
        var harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                fn,
                                List.of(
                                        PaneFunction.INTENSITY,
                                        PaneFunction.REGISTRY,
                                        PaneFunction.ALTERNATIVE)),
                        new Pipeline.ByDatacenterModel(),
                        Types.STRING,
                        128,
                        1,
                        0);
        harness.setup();
        if (restore != null) harness.initializeState(restore);
        harness.open();
        return harness;
    }

    static MeteredRequest req(String dc, long t) {
        return TestPricing.req(dc, "m", t);
    }

    /** One request of the datacenter at each event time, in this order. */
    static void requests(
            KeyedBroadcastOperatorTestHarness<String, MeteredRequest, ControlEvent, PaneDelta> h,
            String dc,
            long... times)
            throws Exception {
        for (long t : times) h.processElement(req(dc, t), t);
    }

    static ControlEvent update(long validFrom, double g) {
        return ControlEvent.of(new IntensityReading("Z", validFrom, g));
    }

    void watermark(long wm) throws Exception {
        h.processWatermark(wm);
        h.processBroadcastWatermark(wm);
    }

    List<PaneDelta> panes() {
        return h.extractOutputValues();
    }

    int keyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void outOfOrderEventsAndUpdatesPriceAsIfInOrder() throws Exception {
        h.processBroadcastElement(update(30_000, 200), 30_000);
        for (long t : new long[] {40_000, 10_000, 35_000, 5_000})
            h.processElement(req("dc-1", t), t);
        h.processBroadcastElement(update(0, 100), 0);
        watermark(59_999);

        assertThat(panes()).hasSize(1);
        PaneDelta d = panes().get(0);
        assertThat(d.minuteStart).isZero();
        assertThat(d.datacenterId).isEqualTo("dc-1");
        assertThat(d.modelId).isEqualTo("m");
        assertThat(d.totals.requests).isEqualTo(4);
        assertThat(d.totals.facilityKwh).isCloseTo(4.0, within(1e-12));
        assertThat(d.totals.locationG).isCloseTo(100 + 100 + 200 + 200, within(1e-9));
        assertThat(d.totals.minIntensity).isEqualTo(100);
        assertThat(d.totals.maxIntensity).isEqualTo(200);
        assertThat(d.totals.fallbackKwh).isZero();
        assertThat(d.totals.waterL).isCloseTo(4 * 2.0, within(1e-12));
    }

    @Test
    void anUpdateArrivingAfterTheEventsItCoversStillPricesThem() throws Exception {
        h.processBroadcastElement(update(0, 100), 0);
        requests(h, "dc-1", 10_000, 20_000);
        watermark(5_000);
        h.processBroadcastElement(
                update(15_000, 300), 15_000); // valid from 15 s, arrives after the 20 s request
        watermark(59_999);
        assertThat(panes()).hasSize(1);
        assertThat(panes().get(0).totals.locationG).isCloseTo(100 + 300, within(1e-9));
    }

    @Test
    void noIntensityYetUsesTheFallbackAndSaysSo() throws Exception {
        h.processElement(req("dc-1", 1_000), 1_000);
        watermark(59_999);
        Totals t = panes().get(0).totals;
        assertThat(t.locationG).isCloseTo(GLOBAL_DEFAULT, within(1e-9));
        assertThat(t.fallbackKwh).isCloseTo(t.facilityKwh, within(1e-12));
    }

    @Test
    void anOldIntensityIsUsedButFlaggedStale() throws Exception {
        h.processBroadcastElement(update(0, 100), 0);
        requests(h, "dc-1", 30_000, 90_000);
        watermark(119_999);
        assertThat(panes()).hasSize(2);
        Map<Long, Totals> byMinute =
                panes().stream().collect(Collectors.toMap(p -> p.minuteStart, p -> p.totals));
        assertThat(byMinute.get(0L).staleKwh).isZero();
        assertThat(byMinute.get(60_000L).staleKwh).isCloseTo(1.0, within(1e-12));
        assertThat(byMinute.get(60_000L).locationG).isCloseTo(100, within(1e-9));
    }

    @Test
    void lateWithinLatenessCorrectsThePaneBeyondGoesToLateEvents() throws Exception {
        h.processBroadcastElement(update(0, 100), 0);
        h.processElement(req("dc-1", 10_000), 10_000);
        watermark(59_999);
        assertThat(panes()).hasSize(1);

        h.processElement(req("dc-1", 30_000), 30_000); // 30 s behind the window end, within 2 min
        watermark(60_000);
        assertThat(panes()).hasSize(2);
        PaneDelta correction = panes().get(1);
        assertThat(correction.minuteStart).isZero();
        assertThat(correction.totals.requests).isEqualTo(1);
        assertThat(correction.totals.locationG).isCloseTo(100, within(1e-9));

        watermark(59_999 + LATENESS + 1);
        h.processElement(req("dc-1", 40_000), 40_000);
        assertThat(panes()).hasSize(2);
        List<StreamRecord<DeadLetterRecord>> late = List.copyOf(h.getSideOutput(PaneFunction.LATE));
        assertThat(late).hasSize(1);
        assertThat(late.get(0).getValue().reason).isEqualTo(Reason.LATE);
        assertThat(late.get(0).getValue().sourceTopic).isEqualTo("events");
        assertThat(late.get(0).getValue().value).isNotEmpty();
    }

    @Test
    void unknownDatacenterIsDeadLetteredAndRegistryUpdatesApply() throws Exception {
        h.processElement(req("dc-new", 1_000), 1_000);
        assertThat(h.getSideOutput(PaneFunction.DEAD_LETTERS)).hasSize(1);
        assertThat(h.getSideOutput(PaneFunction.DEAD_LETTERS).peek().getValue().reason)
                .isEqualTo(Reason.UNKNOWN_DATACENTER);

        DatacenterProfile added = new DatacenterProfile("dc-new", "Z", 2.0, 0.0);
        added.itOverhead = 1.0;
        h.processBroadcastElement(ControlEvent.of(added), 0);
        h.processElement(req("dc-new", 2_000), 2_000);
        watermark(59_999);
        assertThat(panes()).hasSize(1);
        assertThat(panes().get(0).totals.facilityKwh).isCloseTo(2.0, within(1e-12));

        h.processBroadcastElement(ControlEvent.deleted("dc-1"), 0);
        h.processElement(req("dc-1", 70_000), 70_000);
        assertThat(h.getSideOutput(PaneFunction.DEAD_LETTERS)).hasSize(2);
    }

    @Test
    void garbageModelIdsCannotGrowStateBeyondTheCap() throws Exception {
        for (int i = 0; i < 10; i++)
            h.processElement(TestPricing.req("dc-1", "garbage-" + i, 1_000 + i), 1_000 + i);
        h.processElement(
                TestPricing.req("dc-1", "garbage-0", 2_000),
                2_000); // an admitted model stays admitted
        List<DeadLetterRecord> dead =
                h.getSideOutput(PaneFunction.DEAD_LETTERS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(dead)
                .hasSize(10 - MAX_MODELS)
                .allSatisfy(d -> assertThat(d.reason).isEqualTo(Reason.TOO_MANY_MODELS));
        watermark(59_999);
        assertThat(panes()).hasSize(MAX_MODELS);
        assertThat(panes().stream().mapToLong(p -> p.totals.requests).sum())
                .isEqualTo(MAX_MODELS + 1);
        // Once their state is gone, the slots are free again.
        h.processElement(TestPricing.req("dc-1", "garbage-9", 61_000), 61_000);
        assertThat(h.getSideOutput(PaneFunction.DEAD_LETTERS)).hasSize(10 - MAX_MODELS);
    }

    @Test
    void stateAndTimersAreEmptyOnceTheWatermarkHasPassed() throws Exception {
        h.processBroadcastElement(update(0, 100), 0);
        for (long t = 0; t < 300_000; t += 7_000) h.processElement(req("dc-1", t), t);
        h.processElement(req("dc-1", 7_000), 7_000); // same millisecond as another request: merged
        assertThat(keyedStateEntries()).isPositive();
        assertThat(h.numEventTimeTimers()).isPositive();
        watermark(400_000);
        assertThat(panes().stream().mapToLong(p -> p.totals.requests).sum()).isEqualTo(44);
        assertThat(h.numEventTimeTimers()).isZero();
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void pendingRequestsSurviveASnapshotAndRestore() throws Exception {
        h.processBroadcastElement(update(0, 100), 0);
        requests(h, "dc-1", 10_000, 20_000);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        h = harness(snapshot);
        watermark(59_999);
        assertThat(panes()).hasSize(1);
        assertThat(panes().get(0).totals.requests).isEqualTo(2);
        assertThat(panes().get(0).totals.locationG).isCloseTo(200, within(1e-9));
    }

    @Test
    void afterARestoreARequestBeyondTheLatenessIsStillLateBeforeTheFirstWatermark()
            throws Exception {
        h.processBroadcastElement(update(0, 100), 0);
        h.processElement(req("dc-1", 10_000), 10_000);
        watermark(59_999 + LATENESS + 1); // minute 0 is final
        assertThat(panes()).hasSize(1);
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        h = harness(snapshot); // a new run: Flink's own watermark starts from nothing
        h.processElement(req("dc-1", 40_000), 40_000); // replayed, and as late as in the first run
        assertThat(h.getSideOutput(PaneFunction.LATE)).hasSize(1);
        watermark(400_000);
        assertThat(panes()).isEmpty();
    }
}
