package io.carbonstream.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attribution against a brute-force reference that walks every millisecond: the energy of each
 * interval spread evenly, each millisecond shared by the requests running then by their rates, or
 * idle. Independent of the cut-point arithmetic of {@link GpuAttributor}.
 */
class GpuAttributorTest {

    static final long T0 = 1_000 * GpuAttributor.HOUR - 30_000; // 30 s before an hour boundary
    static final long MAX_DURATION = 120_000;
    static final double MAX_WATTS = 1_500;

    final GpuAttributor attributor = new GpuAttributor(MAX_DURATION, 60_000, MAX_WATTS);
    final List<long[]> readings = new ArrayList<>(); // {t, J bits}
    final List<GpuUse> uses = new ArrayList<>();

    static GpuUse use(String id, long start, long end, double rate) {
        GpuUse u = new GpuUse();
        u.requestId = id;
        u.datacenterId = "dc";
        u.modelId = "m";
        u.gpuId = "gpu-0";
        u.start = start;
        u.end = end;
        u.rate = rate;
        u.estimateJ = rate * (end - start);
        return u;
    }

    void reading(GpuState s, long t, double j) {
        assertThat(attributor.addSample(s, t, j)).isTrue();
        readings.add(new long[] {t, Double.doubleToLongBits(j)});
    }

    void add(GpuState s, GpuUse u) {
        assertThat(attributor.addUse(s, u)).isTrue();
        uses.add(u);
    }

    static GpuState state() {
        GpuState s = new GpuState();
        s.gpuId = "gpu-0";
        s.datacenterId = "dc";
        return s;
    }

    /**
     * Checks the final requests, and the hours: the closed ones of the outcome and those still open
     * in the state.
     */
    void assertMatchesReference(GpuAttributor.Outcome closed, GpuState s) {
        GpuAttributor.Outcome all = new GpuAttributor.Outcome();
        all.requests.addAll(closed.requests);
        all.hours.addAll(closed.hours);
        for (int i = 0; i < s.hourCount; i++) all.hours.add(s.hours[i]);
        AttributionReference.Result ref = AttributionReference.compute(readings, uses, MAX_WATTS);
        Map<String, Double> got = new HashMap<>();
        for (RequestEnergy r : all.requests) got.merge(r.requestId, r.attributedJ, Double::sum);
        assertThat(got.keySet())
                .containsExactlyInAnyOrderElementsOf(uses.stream().map(u -> u.requestId).toList());
        for (var e : got.entrySet()) {
            double expected = ref.perRequest().getOrDefault(e.getKey(), 0.0);
            assertThat(e.getValue())
                    .as(e.getKey())
                    .isCloseTo(expected, within(1e-9 * Math.max(1, expected)));
        }
        int resets = 0;
        for (GpuHour h : all.hours) {
            double idle = ref.idle().getOrDefault(h.hourStart, 0.0);
            double metered = ref.metered().getOrDefault(h.hourStart, 0.0);
            assertThat(h.idleJ)
                    .as("idle " + h.hourStart)
                    .isCloseTo(idle, within(1e-9 * Math.max(1, idle)));
            assertThat(h.meteredJ)
                    .as("metered " + h.hourStart)
                    .isCloseTo(metered, within(1e-9 * Math.max(1, metered)));
            // Conservation, per GPU and hour.
            assertThat(h.attributedJ + h.idleJ)
                    .isCloseTo(h.meteredJ, within(1e-9 * Math.max(1, h.meteredJ)));
            resets += h.resets;
        }
        assertThat(resets).isEqualTo(ref.resets());
        double attributed = all.hours.stream().mapToDouble(h -> h.attributedJ).sum();
        assertThat(got.values().stream().mapToDouble(Double::doubleValue).sum())
                .isCloseTo(attributed, within(1e-9 * Math.max(1, attributed)));
    }

    static GpuAttributor.Outcome merge(GpuAttributor.Outcome into, GpuAttributor.Outcome o) {
        into.requests.addAll(o.requests);
        into.hours.addAll(o.hours);
        return into;
    }

    @Test
    void overlappingRequestsAnIdleGapAndAnHourBoundary() throws Exception {
        GpuState s = state();
        // Readings every 10 s, 400 W while busy, 60 W idle.
        double j = 5_000;
        for (int k = 0; k <= 12; k++) {
            reading(s, T0 + k * 10_000L, j);
            j += k >= 5 && k < 8 ? 600 : 4_000;
        }
        add(s, use("big", T0 + 2_000, T0 + 25_000, 3.0));
        add(s, use("small", T0 + 5_000, T0 + 9_000, 1.0));
        add(s, use("after-gap", T0 + 80_000, T0 + 115_000, 2.0));
        GpuAttributor.Outcome all = attributor.advance(s, T0 + 120_000 + MAX_DURATION);
        assertMatchesReference(all, s);
        // The hour boundary at T0 + 30 s splits the hours: the first is final (a reading after its
        // end),
        // the second still open; the gap 50-80 s is idle.
        assertThat(all.hours)
                .extracting(h -> h.hourStart)
                .containsExactly(T0 + 30_000 - GpuAttributor.HOUR);
        assertThat(s.hourCount).isEqualTo(1);
        assertThat(s.hours[0].hourStart).isEqualTo(T0 + 30_000);
        assertThat(all.requests).noneMatch(r -> r.partlyUnmetered);
    }

    @Test
    void aBatchOfManyShortRequestsAndALongVideoAcrossSeveralReadings() throws Exception {
        GpuState s = state();
        Random rnd = new Random(7);
        double j = 0;
        for (int k = 0; k <= 30; k++) {
            reading(s, T0 + k * 5_000L, j);
            j += 1_500 + rnd.nextInt(1_000);
        }
        add(s, use("video", T0 + 1_000, T0 + 140_000, 50.0));
        for (int i = 0; i < 200; i++) {
            long start = T0 + rnd.nextInt(140_000);
            add(s, use("short-" + i, start, start + 50 + rnd.nextInt(900), 1 + rnd.nextInt(5)));
        }
        GpuAttributor.Outcome all = attributor.advance(s, T0 + 150_000 + MAX_DURATION);
        assertMatchesReference(all, s);
        RequestEnergy video =
                all.requests.stream()
                        .filter(r -> r.requestId.equals("video"))
                        .findFirst()
                        .orElseThrow();
        assertThat(video.attributedJ)
                .isGreaterThan(0.9 * all.hours.stream().mapToDouble(h -> h.attributedJ).sum() / 2);
    }

    @Test
    void aCounterResetCountsTheNewReadingOnlyAndNothingGoesNegative() throws Exception {
        GpuState s = state();
        reading(s, T0, 1_000_000);
        reading(s, T0 + 10_000, 1_004_000);
        reading(s, T0 + 20_000, 2_500); // reboot: the counter started again
        reading(s, T0 + 30_000, 6_500);
        add(s, use("r", T0 + 1_000, T0 + 29_000, 1.0));
        GpuAttributor.Outcome all = attributor.advance(s, T0 + 30_000 + MAX_DURATION);
        assertMatchesReference(all, s);
        assertThat(all.hours.stream().mapToInt(h -> h.resets).sum()).isEqualTo(1);
        assertThat(all.requests.get(0).attributedJ).isPositive();
        all.hours.forEach(h -> assertThat(h.idleJ).isNotNegative());
    }

    @Test
    void readingsOutOfOrderAreSortedAndALateReadingIsRefused() throws Exception {
        GpuState s = state();
        reading(s, T0 + 20_000, 9_000);
        reading(s, T0, 1_000);
        reading(s, T0 + 10_000, 4_000);
        add(s, use("r", T0 + 5_000, T0 + 15_000, 1.0));
        GpuAttributor.Outcome first = attributor.advance(s, T0 + 20_000 + MAX_DURATION);
        // A reading inside what is final is late: refused, nothing changes.
        assertThat(attributor.addSample(s, T0 + 15_000, 6_000)).isFalse();
        reading(s, T0 + 30_000, 12_000);
        GpuAttributor.Outcome all = merge(first, attributor.advance(s, T0 + 40_000 + MAX_DURATION));
        assertMatchesReference(all, s);
    }

    @Test
    void anImplausibleIntervalIsNotCountedAndARequestWithoutReadingsIsPartlyUnmetered()
            throws Exception {
        GpuState s = state();
        reading(s, T0, 0);
        reading(s, T0 + 10_000, 4_000);
        reading(s, T0 + 20_000, 4_000 + 1e9); // 100 MW: a broken counter
        add(s, use("a", T0 + 2_000, T0 + 18_000, 1.0));
        add(s, use("before-any-reading", T0 - 5_000, T0 + 3_000, 1.0));
        GpuAttributor.Outcome all = attributor.advance(s, T0 + 20_000 + MAX_DURATION);
        readings.remove(
                2); // the reference leaves the implausible interval out by its own rule; keep the
        // lists equal
        readings.add(new long[] {T0 + 20_000, Double.doubleToLongBits(4_000 + 1e9)});
        assertMatchesReference(all, s);
        assertThat(s.hours[0].implausible)
                .isEqualTo(1); // the hour is still open: no reading after its end yet
        assertThat(all.requests)
                .filteredOn(r -> r.requestId.equals("a"))
                .singleElement()
                .satisfies(r -> assertThat(r.partlyUnmetered).isTrue());
        assertThat(all.requests)
                .filteredOn(r -> r.requestId.equals("before-any-reading"))
                .singleElement()
                .satisfies(r -> assertThat(r.partlyUnmetered).isTrue());
    }
}
