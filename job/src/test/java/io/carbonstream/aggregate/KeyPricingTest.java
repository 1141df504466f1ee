package io.carbonstream.aggregate;

import static io.carbonstream.aggregate.TestPricing.req;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.ingest.Reason;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The pricing stage's decisions without Flink: admission, waiting for the registry, lateness,
 * emission when the watermark reaches a pane's end, history kept for restatements and dropped after
 * the horizon, and what a correction re-prices. The port is plain collections. As in {@link
 * PaneFunctionTest}, every request is 1 facility kWh (dc-1 in zone Z: PUE 1, IT overhead 1), so
 * grams equal the intensity used; expected figures are worked out by hand.
 */
class KeyPricingTest {

    static final long MIN = 60_000;
    static final long HOUR = 60 * MIN;
    static final long LATENESS = 2 * MIN;
    static final double FALLBACK = 500;
    static final int MAX_MODELS = 2;

    /** A port onto plain collections: the broadcast data, one key's colder state, the outputs. */
    static final class Recorder implements KeyPricing.Port {
        final List<PaneDelta> emitted = new ArrayList<>();
        final List<DeadLetterRecord> deadLetters = new ArrayList<>();
        final List<DeadLetterRecord> late = new ArrayList<>();
        final List<RestatementRecord> restatements = new ArrayList<>();
        final Map<KeyPricing.Count, Long> counts = new EnumMap<>(KeyPricing.Count.class);
        final List<Long> timers = new ArrayList<>();
        final Map<String, DatacenterHistory> registry = new HashMap<>();
        final Map<String, IntensityTimeline> intensity = new HashMap<>();
        final Map<String, IntensityTimeline> alternative = new HashMap<>();
        final List<MeteredRequest> waiting = new ArrayList<>();
        final TreeMap<Long, SliceList> history = new TreeMap<>();
        long[] kept;

        long count(KeyPricing.Count c) {
            return counts.getOrDefault(c, 0L);
        }

        @Override
        public void emit(PaneDelta d) {
            emitted.add(d);
        }

        @Override
        public void deadLetter(DeadLetterRecord d) {
            deadLetters.add(d);
        }

        @Override
        public void late(DeadLetterRecord d) {
            late.add(d);
        }

        @Override
        public void restatement(RestatementRecord r) {
            restatements.add(r);
        }

        @Override
        public void count(KeyPricing.Count c, long n) {
            counts.merge(c, n, Long::sum);
        }

        @Override
        public void timer(long t) {
            timers.add(t);
        }

        @Override
        public DatacenterHistory registered(String datacenterId) {
            return registry.get(datacenterId);
        }

        @Override
        public void register(String datacenterId, DatacenterHistory h) {
            registry.put(datacenterId, h);
        }

        @Override
        public IntensityTimeline timeline(boolean alt, String zone) {
            return (alt ? alternative : intensity).get(zone);
        }

        @Override
        public void putTimeline(boolean alt, String zone, IntensityTimeline tl) {
            (alt ? alternative : intensity).put(zone, tl);
        }

        @Override
        public Iterable<MeteredRequest> waiting() {
            return List.copyOf(waiting);
        }

        @Override
        public void addWaiting(MeteredRequest m) {
            waiting.add(m);
        }

        @Override
        public void setWaiting(List<MeteredRequest> still) {
            waiting.clear();
            waiting.addAll(still);
        }

        @Override
        public SliceList history(long minute) {
            return history.get(minute);
        }

        @Override
        public void putHistory(long minute, SliceList slices) {
            history.put(minute, slices);
        }

        @Override
        public void removeHistory(long minute) {
            history.remove(minute);
        }

        @Override
        public void kept(long[] range) {
            kept = range;
        }
    }

    final Recorder port = new Recorder();

    static DatacenterProfile dc(String id, String zone, double pue) {
        DatacenterProfile p = new DatacenterProfile(id, zone, pue, 2.0);
        p.itOverhead = 1.0;
        return p;
    }

    static KeyPricing keys(long horizonMs, long graceMs, boolean summaries) {
        PricingSettings settings =
                TestPricing.with(new IntensityPricer(Map.of(), FALLBACK, HOUR))
                        .lateness(LATENESS)
                        .horizon(horizonMs)
                        .grace(graceMs)
                        .itOverhead(1.75)
                        .maxModels(MAX_MODELS)
                        .settings();
        return new KeyPricing(
                new PricingCore(settings),
                RegistryStart.ofFile(Map.of("dc-1", DatacenterHistory.of(dc("dc-1", "Z", 1.0)))),
                "lifecycle",
                summaries);
    }

    void intensity(String zone, long validFrom, double g) {
        port.intensity.computeIfAbsent(zone, z -> new IntensityTimeline()).upsert(validFrom, g);
    }

    @Test
    void requestsWaitForTheWatermarkAndTheirPaneIsEmittedAtItsEnd() throws Exception {
        KeyPricing keys = keys(0, 0, true);
        intensity("Z", 0, 100);
        PendingBuffer buf = keys.onRequest(req("dc-1", "m", 10_000), null, Long.MIN_VALUE, port);
        buf = keys.onRequest(req("dc-1", "m", 20_000), buf, Long.MIN_VALUE, port);
        // Nothing priced yet; one timer for the key's minute, however many requests.
        assertThat(buf.pending.size).isEqualTo(2);
        assertThat(buf.panes.isEmpty()).isTrue();
        assertThat(port.timers).containsExactly(MIN - 1);
        // An update arriving now still prices what it covers: nothing was priced.
        intensity("Z", 15_000, 300);

        assertThat(keys.onTimer("dc-1", "m", MIN - 1, buf, MIN - 1, port))
                .as("no history kept (horizon 0): the key's state is cleared")
                .isNull();
        assertThat(port.emitted).hasSize(1);
        PaneDelta d = port.emitted.get(0);
        assertThat(d.minuteStart).isZero();
        assertThat(d.datacenterId).isEqualTo("dc-1");
        assertThat(d.modelId).isEqualTo("m");
        assertThat(d.zone).isEqualTo("Z");
        assertThat(d.reason).isEqualTo(RevisionReason.LATE_REQUEST);
        assertThat(d.totals.requests).isEqualTo(2);
        assertThat(d.totals.facilityKwh).isCloseTo(2.0, within(1e-12));
        assertThat(d.totals.locationG).isCloseTo(100 + 300, within(1e-9));
        assertThat(port.count(KeyPricing.Count.AGGREGATED)).isEqualTo(2);
    }

    @Test
    void aRequestBehindTheWatermarkIsPricedAtOnceWithinTheLatenessAndLateBeyondIt()
            throws Exception {
        KeyPricing keys = keys(0, 0, true);
        intensity("Z", 0, 100);
        long wm = MIN;
        PendingBuffer buf = keys.onRequest(req("dc-1", "m", 30_000), null, wm, port);
        assertThat(buf.pending.isEmpty()).isTrue();
        assertThat(buf.panes.get(0).requests).isEqualTo(1);
        // Its pane's end has passed: the timer fires at the next watermark.
        assertThat(port.timers).containsExactly(wm + 1);
        assertThat(keys.onTimer("dc-1", "m", wm + 1, buf, wm + 1, port)).isNull();
        assertThat(port.emitted)
                .singleElement()
                .satisfies(d -> assertThat(d.totals.locationG).isCloseTo(100, within(1e-9)));

        // Minute 0's windows accept changes until 59,999 + lateness.
        long beyond = MIN - 1 + LATENESS + 1;
        assertThat(keys.onRequest(req("dc-1", "m", 40_000), null, beyond, port)).isNull();
        assertThat(port.late)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(Reason.LATE);
                            assertThat(d.watermark).isEqualTo(beyond);
                            assertThat(d.sourceTopic).isEqualTo("events");
                            assertThat(d.value).isNotEmpty();
                        });
        assertThat(port.count(KeyPricing.Count.LATE)).isEqualTo(1);
        assertThat(port.emitted).hasSize(1);
    }

    @Test
    void aDatacenterAdmitsAtMostTheCapOfLiveModelsAndFreesASlotWhenAKeyIsCleared()
            throws Exception {
        KeyPricing keys = keys(0, 0, true);
        PendingBuffer a = keys.onRequest(req("dc-1", "a", 1_000), null, Long.MIN_VALUE, port);
        PendingBuffer b = keys.onRequest(req("dc-1", "b", 1_000), null, Long.MIN_VALUE, port);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(keys.onRequest(req("dc-1", "c", 1_000), null, Long.MIN_VALUE, port)).isNull();
        assertThat(port.deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(Reason.TOO_MANY_MODELS);
                            assertThat(d.message)
                                    .contains("--models.max-per-datacenter " + MAX_MODELS);
                        });
        // An admitted model stays admitted.
        assertThat(keys.onRequest(req("dc-1", "a", 2_000), a, Long.MIN_VALUE, port)).isSameAs(a);

        assertThat(keys.onTimer("dc-1", "a", MIN - 1, a, MIN - 1, port)).isNull();
        assertThat(keys.onRequest(req("dc-1", "c", 61_000), null, MIN - 1, port)).isNotNull();
        assertThat(port.deadLetters).hasSize(1);
        assertThat(port.count(KeyPricing.Count.TOO_MANY_MODELS)).isEqualTo(1);
    }

    @Test
    void anUnknownDatacenterWaitsForTheRegistryWithinTheGraceElseIsDeadLettered() throws Exception {
        long grace = 30_000;
        KeyPricing keys = keys(0, grace, true);
        intensity("Y", 0, 100);
        PendingBuffer buf = keys.onRequest(req("dc-2", "m", 1_000), null, Long.MIN_VALUE, port);
        assertThat(buf.waiting).isEqualTo(1);
        assertThat(port.waiting).hasSize(1);
        assertThat(port.timers).containsExactly(1_000 + grace);
        assertThat(port.count(KeyPricing.Count.WAITED_FOR_REGISTRY)).isEqualTo(1);

        // The registry learns it (before the first watermark: nothing to restate).
        assertThat(keys.onControl(ControlEvent.of(dc("dc-2", "Y", 2.0)), Long.MIN_VALUE, port))
                .isNull();
        assertThat(port.registry).containsKey("dc-2");
        // Its timer: accepted, behind the watermark within the lateness, so priced at once.
        buf = keys.onTimer("dc-2", "m", 1_000 + grace, buf, 1_000 + grace, port);
        assertThat(buf.waiting).isZero();
        assertThat(port.waiting).isEmpty();
        assertThat(port.emitted).isEmpty();
        assertThat(keys.onTimer("dc-2", "m", MIN - 1, buf, MIN - 1, port)).isNull();
        assertThat(port.emitted)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.totals.facilityKwh).isCloseTo(2.0, within(1e-12)); // PUE 2
                            assertThat(d.totals.locationG).isCloseTo(200, within(1e-9));
                        });

        // A datacenter still unknown once its grace is over: dead-lettered at once.
        assertThat(keys.onRequest(req("dc-3", "m", 2_000), null, 2_000 + grace, port)).isNull();
        assertThat(port.deadLetters)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(Reason.UNKNOWN_DATACENTER);
                            assertThat(d.message).contains("--registry.grace");
                        });
        assertThat(port.count(KeyPricing.Count.UNKNOWN_DATACENTER)).isEqualTo(1);
    }

    @Test
    void emittedSlicesAreKeptForTheHorizonAndDroppedByTheHourlyCleanUp() throws Exception {
        KeyPricing keys = keys(HOUR, 0, true);
        PendingBuffer buf = keys.onRequest(req("dc-1", "m", 10_000), null, Long.MIN_VALUE, port);
        buf = keys.onTimer("dc-1", "m", MIN - 1, buf, MIN - 1, port);
        assertThat(buf).as("kept for restatements").isNotNull();
        assertThat(port.history).containsOnlyKeys(0L);
        assertThat(port.kept).containsExactly(0L, 0L);
        // Minute 0 ends at 60,000; plus the horizon, rounded up to the hour: 2 h.
        assertThat(port.timers).containsExactly(MIN - 1, 2 * HOUR);

        // Before then, nothing is dropped.
        assertThat(keys.onTimer("dc-1", "m", HOUR, buf, HOUR, port)).isSameAs(buf);
        assertThat(port.history).containsOnlyKeys(0L);
        assertThat(keys.onTimer("dc-1", "m", 2 * HOUR, buf, 2 * HOUR, port)).isNull();
        assertThat(port.history).isEmpty();
        assertThat(port.kept).isNull();
    }

    @Test
    void aLateCorrectionRepricesTheEmittedPaneItCoversAndSaysWhy() throws Exception {
        KeyPricing keys = keys(HOUR, 0, true);
        intensity("Z", 0, 100);
        PendingBuffer buf = keys.onRequest(req("dc-1", "m", 10_000), null, Long.MIN_VALUE, port);
        buf = keys.onTimer("dc-1", "m", MIN - 1, buf, MIN - 1, port);
        port.emitted.clear();

        KeyPricing.Correction c =
                keys.onControl(ControlEvent.of(new IntensityReading("Z", 0, 300)), 90_000, port);
        assertThat(c).isNotNull();
        assertThat(port.count(KeyPricing.Count.LATE_INTENSITY_UPDATES)).isEqualTo(1);
        assertThat(port.restatements)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.type).isEqualTo(RestatementRecord.Type.SUMMARY);
                            assertThat(s.status).isEqualTo(RestatementRecord.Status.APPLIED);
                            assertThat(s.correctionId).isEqualTo("INTENSITY|Z|0|300.0");
                            assertThat(s.oldValue).isEqualTo(100.0);
                            assertThat(s.newValue).isEqualTo(300.0);
                        });
        // Keys of a datacenter in another zone, or unknown, are not concerned.
        assertThat(keys.concerned(c, "dc-9", port)).isNull();
        DatacenterHistory h = keys.concerned(c, "dc-1", port);
        assertThat(h).isNotNull();

        keys.restateEmitted(c, new String[] {"dc-1", "m"}, h, port.kept, port);
        assertThat(port.emitted)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.minuteStart).isZero();
                            assertThat(d.reason).isEqualTo(RevisionReason.INTENSITY_RESTATEMENT);
                            assertThat(d.totals.requests).isZero();
                            assertThat(d.totals.locationG).isCloseTo(300 - 100, within(1e-9));
                        });
        assertThat(port.restatements).hasSize(2);
        RestatementRecord pane = port.restatements.get(1);
        assertThat(pane.type).isEqualTo(RestatementRecord.Type.PANE);
        assertThat(pane.requests).isEqualTo(1);
        assertThat(pane.deltaLocationG).isCloseTo(200, within(1e-9));
        assertThat(port.count(KeyPricing.Count.RESTATED_PANES)).isEqualTo(1);

        // The kept slices now carry the new price: the same correction again changes nothing.
        keys.restateEmitted(c, new String[] {"dc-1", "m"}, h, port.kept, port);
        assertThat(port.emitted).hasSize(1);
    }

    @Test
    void aCorrectionOfAPricedPaneNotYetEmittedIsInItsFirstEmission() throws Exception {
        KeyPricing keys = keys(HOUR, 0, false);
        intensity("Z", 0, 100);
        PendingBuffer buf = keys.onRequest(req("dc-1", "m", 10_000), null, Long.MIN_VALUE, port);
        // The watermark passed 10 s: priced with 100 on the next request.
        buf = keys.onRequest(req("dc-1", "m", 30_000), buf, 20_000, port);
        assertThat(buf.panes.get(0).locationG).isCloseTo(100, within(1e-9));

        KeyPricing.Correction c =
                keys.onControl(ControlEvent.of(new IntensityReading("Z", 0, 300)), 20_000, port);
        assertThat(port.restatements).as("not the instance that writes summaries").isEmpty();
        assertThat(c.reachesPending).isTrue();
        assertThat(keys.restatePending(c, keys.concerned(c, "dc-1", port), buf)).isTrue();

        assertThat(keys.onTimer("dc-1", "m", MIN - 1, buf, MIN - 1, port)).isNotNull();
        assertThat(port.emitted)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.totals.requests).isEqualTo(2);
                            assertThat(d.totals.locationG).isCloseTo(300 + 300, within(1e-9));
                            assertThat(d.totals.lowestIntensity()).isEqualTo(300);
                        });
    }

    @Test
    void correctionsBeyondTheHorizonAreRecordedNotAppliedAndRepeatsOrOlderUpdatesIgnored()
            throws Exception {
        KeyPricing keys = keys(MIN, 0, true);
        intensity("Z", 0, 100);
        intensity("Z", MIN, 150);
        long wm = 10 * MIN;
        assertThat(keys.onControl(ControlEvent.of(new IntensityReading("Z", 0, 300)), wm, port))
                .isNull();
        assertThat(port.restatements)
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.status).isEqualTo(RestatementRecord.Status.NOT_APPLIED);
                            assertThat(s.note).contains("restatement horizon 60000 ms");
                        });
        assertThat(port.count(KeyPricing.Count.CORRECTIONS_NOT_APPLIED)).isEqualTo(1);

        // The value held already, again: late, but no correction at all.
        assertThat(keys.onControl(ControlEvent.of(new IntensityReading("Z", MIN, 150)), wm, port))
                .isNull();
        assertThat(port.count(KeyPricing.Count.LATE_INTENSITY_UPDATES)).isEqualTo(2);
        assertThat(port.restatements).hasSize(1);

        // An update older than the one held for the same instant is superseded.
        IntensityReading newer = new IntensityReading("Z", 9 * MIN, 200);
        newer.updatedAt = 2_000L;
        IntensityReading older = new IntensityReading("Z", 9 * MIN, 250);
        older.updatedAt = 1_000L;
        keys.onControl(ControlEvent.of(newer), wm, port);
        keys.onControl(ControlEvent.of(older), wm, port);
        assertThat(port.count(KeyPricing.Count.SUPERSEDED_INTENSITY_UPDATES)).isEqualTo(1);
        assertThat(port.intensity.get("Z").intensity[port.intensity.get("Z").indexAsOf(9 * MIN)])
                .isEqualTo(200);
    }

    @Test
    void theOtherFactorTypeGoesToItsOwnTimelinesAndRestatesOnlyItsFigure() throws Exception {
        KeyPricing keys = keys(HOUR, 0, true);
        intensity("Z", 0, 100);
        IntensityReading direct = new IntensityReading("Z", 0, 40);
        direct.emissionFactorType = "DIRECT";
        assertThat(keys.onControl(ControlEvent.of(direct), Long.MIN_VALUE, port)).isNull();
        assertThat(port.alternative).containsKey("Z");
        assertThat(port.intensity.get("Z").intensity).containsExactly(100.0);

        PendingBuffer buf = keys.onRequest(req("dc-1", "m", 10_000), null, Long.MIN_VALUE, port);
        buf = keys.onTimer("dc-1", "m", MIN - 1, buf, MIN - 1, port);
        assertThat(port.emitted.get(0).totals.alternativeG).isCloseTo(40, within(1e-9));

        IntensityReading corrected = new IntensityReading("Z", 0, 50);
        corrected.emissionFactorType = "direct";
        KeyPricing.Correction c = keys.onControl(ControlEvent.of(corrected), MIN - 1, port);
        assertThat(port.restatements.get(0).correctionId).isEqualTo("INTENSITY|Z|0|50.0|direct");
        keys.restateEmitted(
                c, new String[] {"dc-1", "m"}, keys.concerned(c, "dc-1", port), port.kept, port);
        PaneDelta d = port.emitted.get(1);
        assertThat(d.totals.alternativeG).isCloseTo(10, within(1e-9));
        assertThat(d.totals.locationG).isZero();
    }
}
