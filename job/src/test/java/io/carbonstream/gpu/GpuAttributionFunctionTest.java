package io.carbonstream.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Reason;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The attribution operator in a harness: readings and uses of two GPUs interleaved, out of order
 * within the watermark, a late reading, a checkpoint and restore halfway; its outputs equal the
 * brute-force reference per GPU, and nothing is emitted twice.
 */
class GpuAttributionFunctionTest {

    static final long H = GpuAttributor.HOUR;
    static final long T0 = 500 * H - 200_000; // the readings cross an hour boundary at k = 20
    static final long MAX_DURATION = 60_000;

    /** Not yet opened: a restore initializes it first. */
    static KeyedOneInputStreamOperatorTestHarness<String, GpuInput, GpuOutput> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new GpuAttributionFunction(MAX_DURATION, 60_000, 1_500)),
                new Pipeline.ByGpu(),
                Types.STRING);
    }

    static GpuInput reading(String gpu, long t, double j) {
        GpuSample s = new GpuSample();
        s.gpuId = gpu;
        s.datacenterId = "dc";
        s.time = t;
        s.cumulativeJ = j;
        s.sourceTopic = "gpu-energy";
        s.value = new byte[] {9};
        return GpuInput.of(s);
    }

    static GpuUse use(String id, String gpu, long start, long end, double rate) {
        GpuUse u = new GpuUse();
        u.requestId = id;
        u.datacenterId = "dc";
        u.modelId = "m";
        u.gpuId = gpu;
        u.start = start;
        u.end = end;
        u.rate = rate;
        u.estimateJ = 1;
        return u;
    }

    @Test
    void twoGpusInterleavedThroughARestoreEqualTheReference() throws Exception {
        var h = harness();
        h.initializeEmptyState();
        h.open();
        Map<String, List<long[]>> readings = new HashMap<>();
        Map<String, List<GpuUse>> uses = new HashMap<>();
        List<GpuOutput> out = new ArrayList<>();
        double[] counter = {1_000, 50_000};
        for (int k = 0; k <= 40; k++) {
            long t = T0 + k * 10_000L;
            for (int g = 0; g < 2; g++) {
                String gpu = "gpu-" + g;
                // Readings of a scrape may arrive in any order within it; GPU 1 reboots at k = 25.
                if (g == 1 && k == 25) counter[1] = 800;
                h.processElement(new StreamRecord<>(reading(gpu, t, counter[g])));
                readings.computeIfAbsent(gpu, x -> new ArrayList<>())
                        .add(new long[] {t, Double.doubleToLongBits(counter[g])});
                counter[g] += 1_000 + 300 * ((k * 7 + g * 3) % 10);
            }
            if (k % 3 == 0) {
                GpuUse u = use("r" + k, "gpu-" + (k % 2), t - 25_000, t - 1_000, 1 + k % 4);
                h.processElement(new StreamRecord<>(GpuInput.of(u)));
                uses.computeIfAbsent(u.gpuId, x -> new ArrayList<>()).add(u);
            }
            h.processWatermark(t - 5_000);
            if (k == 20) {
                // Checkpoint, then a fresh operator restored from it.
                var snapshot = h.snapshot(1, 1);
                out.addAll(h.extractOutputValues());
                h.close();
                h = harness();
                h.initializeState(snapshot);
                h.open();
            }
        }
        // A reading behind the watermark is late: a dead letter with its bytes, nothing else
        // changes.
        h.processElement(new StreamRecord<>(reading("gpu-0", T0 + 100_000, 1)));
        List<DeadLetterRecord> dead = new ArrayList<>();
        h.getSideOutput(GpuAttributionFunction.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(Reason.LATE);
                            assertThat(d.value).containsExactly(9);
                        });
        h.processWatermark(Long.MAX_VALUE);
        out.addAll(h.extractOutputValues());

        for (String gpu : List.of("gpu-0", "gpu-1")) {
            AttributionReference.Result ref =
                    AttributionReference.compute(readings.get(gpu), uses.get(gpu), 1_500);
            Map<String, Double> got = new HashMap<>();
            out.stream()
                    .filter(o -> o.request != null && o.request.gpuId.equals(gpu))
                    .forEach(
                            o ->
                                    assertThat(got.put(o.request.requestId, o.request.attributedJ))
                                            .as("once: " + o.request.requestId)
                                            .isNull());
            assertThat(got.keySet())
                    .containsExactlyInAnyOrderElementsOf(
                            uses.get(gpu).stream().map(u -> u.requestId).toList());
            got.forEach(
                    (id, j) ->
                            assertThat(j)
                                    .as(id)
                                    .isCloseTo(
                                            ref.perRequest().getOrDefault(id, 0.0),
                                            within(1e-9 * Math.max(1, j))));
            List<GpuHour> hours =
                    out.stream()
                            .filter(o -> o.hour != null && o.hour.gpuId.equals(gpu))
                            .map(o -> o.hour)
                            .toList();
            assertThat(hours)
                    .extracting(hr -> hr.hourStart)
                    .as("the hour the readings left is final")
                    .containsExactly(500 * H - H);
            for (GpuHour hr : hours) {
                assertThat(hr.meteredJ)
                        .isCloseTo(
                                ref.metered().getOrDefault(hr.hourStart, 0.0),
                                within(1e-9 * Math.max(1, hr.meteredJ)));
                assertThat(hr.idleJ)
                        .isCloseTo(
                                ref.idle().getOrDefault(hr.hourStart, 0.0),
                                within(1e-9 * Math.max(1, hr.idleJ)));
                assertThat(hr.attributedJ + hr.idleJ)
                        .isCloseTo(hr.meteredJ, within(1e-9 * Math.max(1, hr.meteredJ)));
            }
        }
        h.close();
    }
}
