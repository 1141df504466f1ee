package io.carbonstream.gpu;

import static io.carbonstream.gpu.GpuAttributionFunctionTest.T0;
import static io.carbonstream.gpu.GpuAttributionFunctionTest.harness;
import static io.carbonstream.gpu.GpuAttributionFunctionTest.reading;
import static io.carbonstream.gpu.GpuAttributionFunctionTest.use;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.junit.jupiter.api.Test;

/**
 * A request that waits for its metered energy gets exactly one piece per GPU use from attribution,
 * whatever becomes of the use: fully metered (its energy, unflagged), begun before the first
 * reading (flagged), or too late to be attributed at all (a flagged piece with no energy, on the
 * UNATTRIBUTED side output). A use whose request does not wait gets no side-output piece.
 */
class GpuPiecesTest {

    static GpuUse awaited(GpuUse u) {
        u.awaited = true;
        return u;
    }

    @Test
    void everyAwaitedUseGetsExactlyOnePiece() throws Exception {
        var h = harness();
        h.initializeEmptyState();
        h.open();
        // Readings every 10 s, 100 J each (10 W): T0 .. T0 + 200 s.
        for (int k = 0; k <= 20; k++)
            h.processElement(new StreamRecord<>(reading("g", T0 + k * 10_000L, 1_000 + 100.0 * k)));
        h.processElement(
                new StreamRecord<>(
                        GpuInput.of(awaited(use("metered", "g", T0 + 20_000, T0 + 40_000, 1)))));
        h.processElement(
                new StreamRecord<>(
                        GpuInput.of(awaited(use("before-first", "g", T0 - 5_000, T0 + 5_000, 1)))));
        // The watermark passes T0 + 100 s + max duration: intervals up to T0 + 100 s are final.
        h.processWatermark(T0 + 100_000 + GpuAttributionFunctionTest.MAX_DURATION);
        h.processElement(
                new StreamRecord<>(
                        GpuInput.of(awaited(use("too-late", "g", T0 + 50_000, T0 + 60_000, 1)))));
        h.processElement(
                new StreamRecord<>(
                        GpuInput.of(
                                use("too-late-not-waiting", "g", T0 + 50_000, T0 + 60_000, 1))));
        h.processWatermark(Long.MAX_VALUE);

        Map<String, List<RequestEnergy>> pieces = new HashMap<>();
        for (GpuOutput o : h.extractOutputValues()) {
            if (o.request != null)
                pieces.computeIfAbsent(o.request.requestId, x -> new ArrayList<>()).add(o.request);
        }
        List<RequestEnergy> side = new ArrayList<>();
        h.getSideOutput(GpuAttributionFunction.UNATTRIBUTED).forEach(r -> side.add(r.getValue()));
        for (RequestEnergy r : side)
            pieces.computeIfAbsent(r.requestId, x -> new ArrayList<>()).add(r);

        assertThat(pieces.keySet())
                .containsExactlyInAnyOrder("metered", "before-first", "too-late");
        assertThat(pieces.values()).allMatch(l -> l.size() == 1);
        RequestEnergy metered = pieces.get("metered").get(0);
        // By hand: 10 W over [T0 + 20 s, T0 + 40 s), alone on the GPU.
        assertThat(metered.attributedJ).isCloseTo(200, within(1e-9));
        assertThat(metered.partlyUnmetered).isFalse();
        assertThat(metered.awaited).isTrue();
        assertThat(pieces.get("before-first").get(0).partlyUnmetered).isTrue();
        assertThat(side)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.requestId).isEqualTo("too-late");
                            assertThat(r.attributedJ).isZero();
                            assertThat(r.partlyUnmetered).isTrue();
                            assertThat(r.awaited).isTrue();
                            assertThat(r.eventTime).isEqualTo(T0 + 60_000);
                        });
        h.close();
    }
}
