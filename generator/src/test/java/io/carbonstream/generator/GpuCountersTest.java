package io.carbonstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.Modality;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The generator's GPU energy counters: what they read is idle power plus the energy of the requests
 * placed on them.
 */
class GpuCountersTest {

    static final Instant NOON = Instant.parse("2026-11-20T12:00:00Z");
    static final long S = 1_000L;

    /** A request placed on the pool, with the energy the test gave it. */
    record Placed(List<String> gpus, long start, long end, double joules) {}

    static InferenceEvent request(String id, String dc, long end, long durationMs, int gpus) {
        return InferenceEvent.newBuilder()
                .setRequestId(id)
                .setEventTime(Instant.ofEpochMilli(end))
                .setDatacenterId(dc)
                .setModelId("llama-3.1-8b")
                .setModality(Modality.TEXT)
                .setGpuCount(gpus)
                .setDurationMs(durationMs)
                .setInputTokens(100)
                .setOutputTokens(200)
                .setMeasuredGpuJoules(123.0)
                .build();
    }

    /** Energy (J) the test's own requests and the GPU's idle draw put into [from, to). */
    static double expectedJ(GpuCounters c, String gpu, List<Placed> placed, long from, long to) {
        long down =
                gpu.startsWith(c.hosts().get(GpuCounters.REBOOT_HOST) + ":")
                        ? overlap(from, to, c.rebootDownAt(), c.rebootUpAt())
                        : 0;
        double j = c.idleWatts(gpu) * (to - from - down) / 1000.0;
        for (Placed p : placed) {
            if (p.gpus().contains(gpu))
                j +=
                        p.joules()
                                / p.gpus().size()
                                * overlap(from, to, p.start(), p.end())
                                / (p.end() - p.start());
        }
        return j;
    }

    static long overlap(long a0, long a1, long b0, long b1) {
        return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    }

    @Test
    void readingsAreIdlePowerPlusTheRequestsEnergyAndOneHostRebootsWithACounterReset() {
        long start = NOON.toEpochMilli() + 3 * S; // the first reading is on the next 10 s boundary
        GpuCounters c = new GpuCounters("dc-test", 0, 7, start);
        assertThat(c.firstSample()).isEqualTo(NOON.toEpochMilli() + 10 * S);
        assertThat(c.gpuIds())
                .hasSize(GpuCounters.HOSTS * GpuCounters.GPUS_PER_HOST)
                .doesNotHaveDuplicates();
        for (String g : c.gpuIds()) assertThat(c.idleWatts(g)).isBetween(60.0, 80.0);

        // 600 requests over 40 minutes, overlapping, some across readings, some around the reboot;
        // energies the test knows.
        SplittableRandom r = new SplittableRandom(1);
        List<Placed> placed = new ArrayList<>();
        int[] counts = {1, 1, 1, 2, 4, 8};
        for (int i = 0; i < 600; i++) {
            long duration = 200 + r.nextLong(GpuCounters.MAX_REQUEST_MS - 200);
            long end = start + duration + r.nextLong(40 * 60 * S);
            int gpus = counts[r.nextInt(counts.length)];
            double joules =
                    0.01 + r.nextDouble() * 600 * gpus * duration / 1000.0; // up to 600 W per GPU
            InferenceEvent e = request("r" + i, "dc-test", end, duration, gpus);
            InferenceEvent out = c.place(e, joules);
            if (out == e) continue; // no host free for its whole span (the reboot)
            assertThat(out.getGpuIds()).hasSize(e.getGpuCount());
            assertThat(out.getMeasuredGpuJoules()).as("known through the counters only").isNull();
            placed.add(new Placed(List.copyOf(out.getGpuIds()), end - duration, end, joules));
        }
        assertThat(placed).hasSizeGreaterThan(500);
        // Not the pool's datacenter, or too long for it: unchanged.
        InferenceEvent elsewhere = request("x", "dc-other", start + 60 * S, 1_000, 1);
        assertThat(c.place(elsewhere, 100)).isSameAs(elsewhere);
        InferenceEvent tooLong =
                request("y", "dc-test", start + 600 * S, GpuCounters.MAX_REQUEST_MS + 1, 1);
        assertThat(c.place(tooLong, 100)).isSameAs(tooLong);

        // Read for 45 minutes.
        Map<String, TreeMap<Long, Double>> readings = new HashMap<>();
        long publishAt = Long.MIN_VALUE;
        while (c.nextPublishAt() <= start + 45 * 60 * S) {
            long due = c.nextPublishAt();
            assertThat(due).isGreaterThan(publishAt);
            publishAt = due;
            for (GeneratedRecord rec : c.takeReadings()) {
                GpuEnergySample s = PlainAvro.decode(rec.valueBytes(), GpuEnergySample.class);
                assertThat(rec.kind()).isEqualTo(GeneratedRecord.Kind.GPU_ENERGY);
                assertThat(rec.publishAtMs())
                        .isEqualTo(s.getSampleTime().toEpochMilli() + GpuCounters.PUBLISH_LAG_MS);
                assertThat(s.getUnit()).isEqualTo("mJ");
                assertThat(s.getDatacenterId()).isEqualTo("dc-test");
                assertThat(s.getGpuId()).isEqualTo(rec.key()).startsWith(s.getHost() + ":");
                assertThat(s.getCumulativeEnergy())
                        .isEqualTo(Math.rint(s.getCumulativeEnergy())); // whole mJ, like DCGM
                readings.computeIfAbsent(s.getGpuId(), g -> new TreeMap<>())
                        .put(s.getSampleTime().toEpochMilli(), s.getCumulativeEnergy());
            }
        }
        // A request that started before a reading already taken would be missing from it: refused.
        assertThatThrownBy(() -> c.place(request("late", "dc-test", start + 60 * S, 1_000, 1), 10))
                .isInstanceOf(IllegalStateException.class);

        String rebooted = c.hosts().get(GpuCounters.REBOOT_HOST);
        int resets = 0;
        for (String gpu : c.gpuIds()) {
            TreeMap<Long, Double> rs = readings.get(gpu);
            boolean rebooting = gpu.startsWith(rebooted + ":");
            double metered = 0;
            double expected = 0;
            Long prevT = null;
            for (Map.Entry<Long, Double> e : rs.entrySet()) {
                long t = e.getKey();
                if (prevT != null) {
                    double prev = rs.get(prevT);
                    double j;
                    if (e.getValue() >= prev) {
                        assertThat(t - prevT)
                                .as("a reading every 10 s")
                                .isEqualTo(GpuCounters.SAMPLE_INTERVAL_MS);
                        j = (e.getValue() - prev) / 1000;
                        assertThat(j)
                                .as("%s over [%d, %d)", gpu, prevT, t)
                                .isCloseTo(
                                        expectedJ(c, gpu, placed, prevT, t), Offset.offset(1.1e-3));
                    } else {
                        // The reset: the last reading before the reboot, none while down, then the
                        // energy since the restart.
                        resets++;
                        assertThat(rebooting).isTrue();
                        assertThat(prevT).isEqualTo(c.rebootDownAt());
                        assertThat(t).isEqualTo(c.rebootUpAt() + GpuCounters.SAMPLE_INTERVAL_MS);
                        j = e.getValue() / 1000;
                        assertThat(j)
                                .isCloseTo(
                                        expectedJ(c, gpu, placed, c.rebootUpAt(), t),
                                        Offset.offset(1.1e-3));
                        assertThat(expectedJ(c, gpu, placed, prevT, c.rebootUpAt()))
                                .as("nothing drawn while down")
                                .isZero();
                    }
                    metered += j;
                    expected += expectedJ(c, gpu, placed, prevT, t);
                }
                prevT = t;
            }
            // Over the whole span: idle + the requests' energy, to the mJ of the readings'
            // rounding.
            assertThat(metered).isCloseTo(expected, Offset.offset(2.2e-3));
            assertThat(metered).isGreaterThan(c.idleWatts(gpu) * 35 * 60);
        }
        assertThat(resets)
                .as("one reset per GPU of the rebooted host")
                .isEqualTo(GpuCounters.GPUS_PER_HOST);
        // Nothing ran on the rebooted host around its reboot.
        for (Placed p : placed) {
            if (p.gpus().get(0).startsWith(rebooted + ":")) {
                assertThat(p.end() <= c.rebootDownAt() || p.start() >= c.rebootUpAt()).isTrue();
            }
        }
        // Requests ran on every host: the energy is not all idle.
        assertThat(placed.stream().map(p -> p.gpus().get(0).split(":")[0]).distinct().count())
                .isEqualTo(GpuCounters.HOSTS);
    }

    @Test
    void
            theGeneratorNamesTheGpusOfTheMeteredDatacentersRequestsAndPublishesReadingsThatExplainThem() {
        // California at midnight to 02:00 local: the daytime host is scaled in, the others serve.
        Instant start = Instant.parse("2026-11-20T08:00:00Z");
        GeneratorSettings plain = GeneratorSettings.of(11, start, 4);
        List<GeneratedRecord> with =
                new TrafficGenerator(plain.withGpuCounters(true))
                        .records(20_000, Duration.ofMinutes(30));
        List<GeneratedRecord> without =
                new TrafficGenerator(plain).records(20_000, Duration.ofMinutes(30));
        GpuCounters model = new TrafficGenerator(plain.withGpuCounters(true)).gpuCounters();
        assertThat(with).extracting(GeneratedRecord::publishAtMs).isSorted();

        Map<String, InferenceEvent> onGpus = new HashMap<>();
        Set<String> hostsUsed = new HashSet<>();
        for (GeneratedRecord r : with) {
            if (!r.isRequest() || r.event().getGpuIds().isEmpty()) continue;
            InferenceEvent e = r.event();
            assertThat(e.getDatacenterId()).isEqualTo("dc-us-west-1");
            assertThat(e.getDurationMs()).isBetween(1L, GpuCounters.MAX_REQUEST_MS);
            assertThat(e.getGpuIds()).hasSize(e.getGpuCount());
            assertThat(e.getMeasuredGpuJoules()).isNull();
            assertThat(r.publishAtMs() - e.getEventTime().toEpochMilli())
                    .as("on time")
                    .isLessThanOrEqualTo(3_500);
            // One model replica: an aligned block of GPUs on one host.
            String host = e.getGpuIds().get(0).toString().split(":")[0];
            int first = Integer.parseInt(e.getGpuIds().get(0).toString().split(":")[1]);
            assertThat(first % e.getGpuCount()).isZero();
            for (int i = 0; i < e.getGpuCount(); i++)
                assertThat(e.getGpuIds().get(i).toString()).isEqualTo(host + ":" + (first + i));
            hostsUsed.add(host);
            onGpus.put(e.getRequestId(), e);
        }
        assertThat(onGpus).hasSizeGreaterThan(1_000);
        assertThat(hostsUsed)
                .as("the daytime host idles at night")
                .hasSize(GpuCounters.HOSTS - 1)
                .doesNotContain(model.hosts().get(GpuCounters.DAYTIME_HOST));

        // The same requests as without counters, but for their GPUs (and on time: a run of 20,000
        // published requests then
        // takes a few of the held-back ones earlier), and the same intensity.
        Map<String, InferenceEvent> plainById = new HashMap<>();
        for (GeneratedRecord r : without) if (r.isRequest()) plainById.put(r.key(), r.event());
        long common = 0;
        for (GeneratedRecord r : with) {
            if (!r.isRequest()) continue;
            InferenceEvent e = r.event();
            InferenceEvent p = plainById.get(e.getRequestId());
            if (p == null) {
                assertThat(e.getGpuIds())
                        .as("only a request on the GPUs comes earlier than without them")
                        .isNotEmpty();
                continue;
            }
            common++;
            assertThat(
                            InferenceEvent.newBuilder(e)
                                    .setGpuIds(List.of())
                                    .setMeasuredGpuJoules(p.getMeasuredGpuJoules())
                                    .build())
                    .isEqualTo(p);
        }
        assertThat(common).isGreaterThan(19_900);
        long until =
                Math.min(
                        with.get(with.size() - 1).publishAtMs(),
                        without.get(without.size() - 1).publishAtMs());
        assertThat(
                        with.stream()
                                .filter(r -> r.isIntensity() && r.publishAtMs() <= until)
                                .map(r -> r.key() + r.publishAtMs() + r.intensity())
                                .toList())
                .isEqualTo(
                        without.stream()
                                .filter(r -> r.isIntensity() && r.publishAtMs() <= until)
                                .map(r -> r.key() + r.publishAtMs() + r.intensity())
                                .toList());

        // Readings: each GPU every 10 s, whole mJ, published 100 s later; one reset, on the
        // rebooted host's GPUs.
        Map<String, TreeMap<Long, Double>> readings = new TreeMap<>();
        for (GeneratedRecord r : with) {
            if (r.kind() != GeneratedRecord.Kind.GPU_ENERGY) continue;
            GpuEnergySample s = r.gpuSample();
            assertThat(s.getSampleTime().toEpochMilli() % GpuCounters.SAMPLE_INTERVAL_MS).isZero();
            assertThat(r.publishAtMs())
                    .isEqualTo(s.getSampleTime().toEpochMilli() + GpuCounters.PUBLISH_LAG_MS);
            readings.computeIfAbsent(s.getGpuId(), g -> new TreeMap<>())
                    .put(s.getSampleTime().toEpochMilli(), s.getCumulativeEnergy());
        }
        assertThat(readings.keySet()).containsExactlyInAnyOrderElementsOf(model.gpuIds());
        String rebooted = model.hosts().get(GpuCounters.REBOOT_HOST);
        int resets = 0;
        int busyIntervals = 0;
        int idleIntervals = 0;
        for (Map.Entry<String, TreeMap<Long, Double>> g : readings.entrySet()) {
            String gpu = g.getKey();
            List<InferenceEvent> ran =
                    onGpus.values().stream().filter(e -> e.getGpuIds().contains(gpu)).toList();
            Long prevT = null;
            for (Map.Entry<Long, Double> e : g.getValue().entrySet()) {
                long t = e.getKey();
                if (prevT != null) {
                    double prev = g.getValue().get(prevT);
                    if (e.getValue() < prev) {
                        resets++;
                        assertThat(gpu).startsWith(rebooted + ":");
                        assertThat(prevT).isEqualTo(model.rebootDownAt());
                    } else {
                        // An interval with no published request on the GPU is its idle draw
                        // exactly; one with a request, more.
                        long from = prevT;
                        double watts = (e.getValue() - prev) / (t - from);
                        boolean busy =
                                ran.stream()
                                        .anyMatch(
                                                x ->
                                                        overlap(
                                                                        from,
                                                                        t,
                                                                        x.getEventTime()
                                                                                        .toEpochMilli()
                                                                                - x.getDurationMs(),
                                                                        x.getEventTime()
                                                                                .toEpochMilli())
                                                                > 0);
                        if (busy) {
                            // A request's energy over the interval is positive, if at times below
                            // the mJ of rounding.
                            assertThat(watts).isGreaterThan(model.idleWatts(gpu) - 1.1e-4);
                            if (watts > model.idleWatts(gpu) + 1e-3) busyIntervals++;
                        } else {
                            idleIntervals++;
                            assertThat(watts)
                                    .isCloseTo(model.idleWatts(gpu), Offset.offset(1.1e-4));
                        }
                    }
                }
                prevT = t;
            }
        }
        assertThat(resets).isEqualTo(GpuCounters.GPUS_PER_HOST);
        assertThat(busyIntervals).isGreaterThan(1_000);
        assertThat(idleIntervals).isGreaterThan(busyIntervals);
    }

    @Test
    void sameSeedSameReadings() {
        GeneratorSettings s = GeneratorSettings.of(5, NOON, 3).withGpuCounters(true);
        List<GeneratedRecord> a = new TrafficGenerator(s).records(3_000, Duration.ofMinutes(5));
        List<GeneratedRecord> b = new TrafficGenerator(s).records(3_000, Duration.ofMinutes(5));
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++)
            assertThat(a.get(i).valueBytes()).as("record %d", i).isEqualTo(b.get(i).valueBytes());
        assertThat(a).anyMatch(r -> r.kind() == GeneratedRecord.Kind.GPU_ENERGY);
    }
}
