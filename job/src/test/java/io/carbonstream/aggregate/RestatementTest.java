package io.carbonstream.aggregate;

import static io.carbonstream.aggregate.PaneFunctionTest.req;
import static io.carbonstream.aggregate.PaneFunctionTest.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Reason;
import io.carbonstream.registry.DatacenterProfile;
import java.util.List;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Restatements and the registry in event time, driven element by element. As in {@link
 * PaneFunctionTest}, every request is 1 facility kWh (dc-1: PUE 1, IT overhead 1), so grams equal
 * the intensity used; expected figures are worked out by hand in each test.
 */
class RestatementTest {

    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;

    KeyedBroadcastOperatorTestHarness<String, MeteredRequest, ControlEvent, PaneDelta> h;

    @AfterEach
    void tearDown() throws Exception {
        if (h != null) h.close();
    }

    void open(long horizonMs, long graceMs) throws Exception {
        h = PaneFunctionTest.harness(null, horizonMs, graceMs);
    }

    /** Opens the harness with zone Z's intensity at 100 g/kWh from time 0. */
    void openAt100(long horizonMs, long graceMs) throws Exception {
        open(horizonMs, graceMs);
        h.processBroadcastElement(update(0, 100), 0);
    }

    /** One request of dc-1 at each event time, in this order. */
    void requests(long... times) throws Exception {
        PaneFunctionTest.requests(h, "dc-1", times);
    }

    void watermark(long wm) throws Exception {
        h.processWatermark(wm);
        h.processBroadcastWatermark(wm);
    }

    List<PaneDelta> deltas() {
        return h.extractOutputValues();
    }

    List<RestatementRecord> records() {
        var out = h.getSideOutput(PaneFunction.RESTATEMENTS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    List<RestatementRecord> records(RestatementRecord.Type type) {
        return records().stream().filter(r -> r.type == type).toList();
    }

    int keyedStateEntries() {
        return ((HeapKeyedStateBackend<?>) h.getOperator().getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    static DatacenterProfile dc1(double pue, long effectiveFrom) {
        DatacenterProfile p = new DatacenterProfile("dc-1", "Z", pue, 2.0);
        p.itOverhead = 1.0;
        p.effectiveFrom = effectiveFrom;
        return p;
    }

    @Test
    void aCorrectedValueAfterEmissionRepricesThePaneAndSaysWhy() throws Exception {
        openAt100(HOUR, 0);
        requests(10_000, 20_000);
        watermark(59_999);
        assertThat(deltas()).hasSize(1);
        assertThat(deltas().get(0).totals.locationG).isCloseTo(200, within(1e-9));

        h.processBroadcastElement(update(0, 150), 0); // the measured value replaces the estimate
        assertThat(deltas()).hasSize(2);
        PaneDelta d = deltas().get(1);
        assertThat(d.minuteStart).isZero();
        assertThat(d.reason).isEqualTo(RevisionReason.INTENSITY_RESTATEMENT);
        assertThat(d.isRestatement()).isTrue();
        assertThat(d.totals.requests).isZero(); // re-priced, not recounted
        assertThat(d.totals.locationG).isCloseTo(2 * 50, within(1e-9));
        assertThat(d.totals.facilityKwh).isZero();
        // The mix moves both requests from 100 to 150: the window's min and max follow.
        Totals window = deltas().get(0).totals.copy();
        window.add(d.totals);
        assertThat(window.lowestIntensity()).isEqualTo(150);
        assertThat(window.highestIntensity()).isEqualTo(150);

        RestatementRecord summary = records(RestatementRecord.Type.SUMMARY).get(0);
        assertThat(summary.kind).isEqualTo(RestatementRecord.Kind.INTENSITY);
        assertThat(summary.status).isEqualTo(RestatementRecord.Status.APPLIED);
        assertThat(summary.zone).isEqualTo("Z");
        assertThat(summary.oldValue).isEqualTo(100.0);
        assertThat(summary.newValue).isEqualTo(150.0);
        RestatementRecord pane = records(RestatementRecord.Type.PANE).get(0);
        assertThat(pane.correctionId).isEqualTo(summary.correctionId);
        assertThat(pane.requests).isEqualTo(2);
        assertThat(pane.deltaLocationG).isCloseTo(100, within(1e-9));
        assertThat(pane.minuteStart).isZero();
    }

    @Test
    void aNewVersionRestatesOnlyTheMinutesItCovers() throws Exception {
        openAt100(HOUR, 0);
        requests(10_000, 70_000, 130_000);
        watermark(3 * MIN - 1);
        assertThat(deltas()).hasSize(3);

        h.processBroadcastElement(
                update(MIN, 400),
                MIN); // valid from minute 1 on, arriving after minute 2 was emitted
        List<PaneDelta> restated = deltas().subList(3, deltas().size());
        assertThat(restated).extracting(d -> d.minuteStart).containsExactlyInAnyOrder(MIN, 2 * MIN);
        assertThat(restated)
                .allSatisfy(d -> assertThat(d.totals.locationG).isCloseTo(300, within(1e-9)));
        assertThat(records(RestatementRecord.Type.PANE)).hasSize(2);
    }

    @Test
    void aVersionStartingInsideAPricedSpanIsRecordedAsPartial() throws Exception {
        openAt100(HOUR, 0);
        requests(10_000, 50_000);
        watermark(59_999);
        h.processBroadcastElement(update(30_000, 300), 30_000); // cuts the slice [10 s, 50 s]
        assertThat(deltas()).hasSize(1);
        RestatementRecord pane = records(RestatementRecord.Type.PANE).get(0);
        assertThat(pane.status).isEqualTo(RestatementRecord.Status.PARTIALLY_APPLIED);
        assertThat(pane.requests).isZero();
        assertThat(pane.note).contains("2 request(s)");
    }

    @Test
    void aRegistryVersionInThePastRepricesFromItsEffectiveTime() throws Exception {
        openAt100(HOUR, 0);
        requests(10_000, 70_000);
        watermark(2 * MIN - 1);
        assertThat(deltas()).hasSize(2);

        h.processBroadcastElement(ControlEvent.of(dc1(2.0, MIN)), MIN); // PUE 2 from minute 1 on
        assertThat(deltas()).hasSize(3);
        PaneDelta d = deltas().get(2);
        assertThat(d.minuteStart).isEqualTo(MIN);
        assertThat(d.reason).isEqualTo(RevisionReason.REGISTRY_CHANGE);
        assertThat(d.totals.facilityKwh).isCloseTo(1.0, within(1e-12));
        assertThat(d.totals.locationG).isCloseTo(100, within(1e-9));
        RestatementRecord summary = records(RestatementRecord.Type.SUMMARY).get(0);
        assertThat(summary.kind).isEqualTo(RestatementRecord.Kind.REGISTRY);
        assertThat(summary.oldValue).isEqualTo(1.0);
        assertThat(summary.newValue).isEqualTo(2.0);

        // Requests after it are priced with it from the start.
        requests(130_000);
        watermark(3 * MIN - 1);
        assertThat(deltas().get(3).totals.facilityKwh).isCloseTo(2.0, within(1e-12));
    }

    @Test
    void aCorrectionBeyondTheHorizonIsRecordedNotAppliedAndStateIsGoneAfterTheHorizon()
            throws Exception {
        openAt100(10 * MIN, 0);
        requests(10_000);
        watermark(59_999);
        h.processBroadcastElement(update(HOUR, 200), HOUR); // so that the version of 0 ends at 1 h
        assertThat(keyedStateEntries()).isPositive(); // the emitted slices, kept for corrections
        watermark(2 * HOUR);
        assertThat(keyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();

        h.processBroadcastElement(update(0, 150), 0);
        assertThat(deltas()).hasSize(1);
        RestatementRecord summary = records(RestatementRecord.Type.SUMMARY).get(0);
        assertThat(summary.status).isEqualTo(RestatementRecord.Status.NOT_APPLIED);
        assertThat(summary.note).contains("horizon");
        assertThat(records(RestatementRecord.Type.PANE)).isEmpty();
    }

    @Test
    void anUnknownDatacenterWaitsForTheRegistryWithinTheGrace() throws Exception {
        openAt100(HOUR, 2 * MIN);
        h.processElement(req("dc-new", 1_000), 1_000);
        watermark(30_000);
        assertThat(h.getSideOutput(PaneFunction.DEAD_LETTERS)).isNullOrEmpty();
        DatacenterProfile added = new DatacenterProfile("dc-new", "Z", 3.0, 0.0);
        added.itOverhead = 1.0;
        h.processBroadcastElement(ControlEvent.of(added), 0);
        h.processElement(
                req("dc-new", 40_000),
                40_000); // the next request of the key brings the waiting one in
        watermark(59_999);
        assertThat(deltas()).hasSize(1);
        assertThat(deltas().get(0).totals.requests).isEqualTo(2);
        assertThat(deltas().get(0).totals.facilityKwh).isCloseTo(2 * 3.0, within(1e-12));

        // A datacenter that never comes: dead-lettered once the watermark passes t + grace.
        h.processElement(req("dc-never", 70_000), 70_000);
        watermark(70_000 + 2 * MIN - 1);
        assertThat(h.getSideOutput(PaneFunction.DEAD_LETTERS)).isNullOrEmpty();
        watermark(70_000 + 2 * MIN);
        List<DeadLetterRecord> dead =
                h.getSideOutput(PaneFunction.DEAD_LETTERS).stream()
                        .map(StreamRecord::getValue)
                        .toList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).reason).isEqualTo(Reason.UNKNOWN_DATACENTER);
        assertThat(dead.get(0).message).contains("dc-never").contains("--registry.grace");
        assertThat(dead.get(0).value).isNotEmpty();
    }

    @Test
    void aCorrectionOfAPaneNotYetEmittedIsInItsFirstEmission() throws Exception {
        openAt100(HOUR, 0);
        requests(10_000);
        watermark(30_000); // priced, pane not emitted
        h.processBroadcastElement(update(0, 120), 0);
        watermark(59_999);
        assertThat(deltas()).hasSize(1);
        assertThat(deltas().get(0).totals.locationG).isCloseTo(120, within(1e-9));
        assertThat(deltas().get(0).totals.lowestIntensity()).isEqualTo(120);
        assertThat(records(RestatementRecord.Type.PANE)).isEmpty();
    }

    @Test
    void registryRecordsBeforeAnythingIsPricedOrRepublishedUnchangedRestateNothing()
            throws Exception {
        open(HOUR, 0);
        h.processBroadcastElement(
                ControlEvent.of(dc1(1.0, Long.MIN_VALUE)), 0); // before any watermark
        h.processBroadcastElement(update(0, 100), 0);
        requests(10_000);
        watermark(59_999);
        h.processBroadcastElement(
                ControlEvent.of(dc1(1.0, Long.MIN_VALUE)), 0); // the same values again
        assertThat(records()).isEmpty();
        assertThat(deltas()).hasSize(1);
    }

    @Test
    void aChangeWithoutEffectiveFromHoldsSinceAlwaysAndIsRestatedWithinTheHorizonOnly()
            throws Exception {
        openAt100(2 * MIN, 0);
        requests(10_000, 5 * MIN + 10_000);
        watermark(6 * MIN - 1);
        h.processBroadcastElement(ControlEvent.of(dc1(1.5, Long.MIN_VALUE)), 0);
        RestatementRecord summary = records(RestatementRecord.Type.SUMMARY).get(0);
        assertThat(summary.status).isEqualTo(RestatementRecord.Status.PARTIALLY_APPLIED);
        // Minute 5 is within the 2 min horizon and re-priced; minute 0 is not.
        assertThat(deltas().subList(2, deltas().size()))
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.minuteStart).isEqualTo(5 * MIN);
                            assertThat(d.totals.facilityKwh).isCloseTo(0.5, within(1e-12));
                        });
    }

    static ControlEvent direct(long validFrom, double g) {
        io.carbonstream.ingest.IntensityReading r =
                new io.carbonstream.ingest.IntensityReading("Z", validFrom, g);
        r.emissionFactorType = "direct";
        return ControlEvent.of(r);
    }

    @Test
    void bothFactorTypesPriceTheirOwnFigureAndACorrectionOfTheOtherRestatesOnlyIts()
            throws Exception {
        openAt100(HOUR, 0); // lifecycle: the accounting type of the harness
        h.processBroadcastElement(direct(0, 80), 0);
        h.processBroadcastElement(
                direct(MIN + 30_000, 90), 0); // a new direct version in the second minute
        requests(10_000);
        // At 1:00 direct version 0 is exactly as old as the max age (60 s): still in force.
        requests(MIN, MIN + 40_000);
        watermark(2 * MIN - 1);
        assertThat(deltas()).hasSize(2);
        // By hand (1 kWh per request): minute 0 at 100 / 80; minute 1 at 100 + 100 / 80 + 90.
        assertThat(deltas().get(0).totals.locationG).isCloseTo(100, within(1e-9));
        assertThat(deltas().get(0).totals.alternativeFigure()).isCloseTo(80, within(1e-9));
        assertThat(deltas().get(1).totals.locationG).isCloseTo(200, within(1e-9));
        assertThat(deltas().get(1).totals.alternativeFigure()).isCloseTo(170, within(1e-9));
        // The accounting intensity range is the lifecycle one only.
        assertThat(deltas().get(1).totals.highestIntensity()).isEqualTo(100);

        h.processBroadcastElement(direct(0, 85), 0); // the direct value of minute 0 measured
        assertThat(deltas()).hasSize(4);
        PaneDelta d = deltas().get(2);
        assertThat(d.minuteStart).isZero();
        assertThat(d.reason).isEqualTo(RevisionReason.INTENSITY_RESTATEMENT);
        assertThat(d.totals.alternativeG).isCloseTo(5, within(1e-9));
        assertThat(d.totals.locationG).isZero();
        assertThat(d.totals.alternativeMissing).isZero();
        // The correction covers [0, 1:30): the request of 1:00 in minute 1 was priced with version
        // 0
        // too, the one of 1:40 was not (its own slice): restated for the first only.
        RestatementRecord summary = records(RestatementRecord.Type.SUMMARY).get(0);
        assertThat(summary.correctionId).endsWith("|direct");
        assertThat(summary.note).contains("location_gco2e_alternative");
        assertThat(summary.oldValue).isEqualTo(80.0);
        assertThat(summary.newValue).isEqualTo(85.0);
        List<RestatementRecord> panes = records(RestatementRecord.Type.PANE);
        assertThat(panes).extracting(r -> r.minuteStart).containsExactly(0L, MIN);
        assertThat(deltas().get(3).minuteStart).isEqualTo(MIN);
        assertThat(deltas().get(3).totals.alternativeG)
                .isCloseTo(5, within(1e-9)); // the 1:00 request
        assertThat(deltas().get(3).totals.locationG).isZero();

        // A lifecycle correction moves the accounting figure and leaves the direct one alone.
        h.processBroadcastElement(update(0, 110), 0);
        PaneDelta l = deltas().get(4);
        assertThat(l.totals.locationG).isCloseTo(10, within(1e-9));
        assertThat(l.totals.alternativeG).isZero();
    }
}
