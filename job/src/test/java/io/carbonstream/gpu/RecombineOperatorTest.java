package io.carbonstream.gpu;

import static io.carbonstream.gpu.RecombinationTest.piece;
import static io.carbonstream.gpu.RecombinationTest.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.aggregate.MeteredRequest;
import io.carbonstream.energy.Provenance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The recombining operator in a harness: requests and their pieces in random order within each
 * step, pieces finalized any time up to the attribution's limit (request end + bound), some pieces
 * partly unmetered, some never coming, late requests, a checkpoint and restore halfway. Each
 * request leaves exactly once with what this test computes from its own pieces (their sum when all
 * are fully metered, else the estimate); the output watermark is the input watermark minus the
 * bound; no request that came in on time leaves behind the output watermark, and a late one leaves
 * no later than it came.
 */
class RecombineOperatorTest {

    static final long BOUND = RecombineOperator.bound(40_000, 20_000);
    static final long STEP = 5_000;
    static final long T0 = 1_800_000_000_000L;
    static final String[] GPUS = {"g0", "g1", "g2", "g3"};

    static KeyedTwoInputStreamOperatorTestHarness<
                    String, MeteredRequest, RequestEnergy, MeteredRequest>
            harness() throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new RecombineOperator(BOUND),
                new RecombineOperator.ByRequest(),
                new RecombineOperator.ByPiece(),
                Types.STRING);
    }

    /** An input with the time it is handed to the operator. */
    record In(long release, MeteredRequest request, RequestEnergy piece) {}

    @Test
    void requestsLeaveOnceWithTheirMeteredSumOrEstimateNeverBehindTheHeldWatermark()
            throws Exception {
        Random rnd = new Random(13);
        List<In> inputs = new ArrayList<>();
        Map<String, Double> expectedJ = new HashMap<>();
        Map<String, Provenance> expectedP = new HashMap<>();
        Map<String, Long> lateness =
                new HashMap<>(); // late requests: how far behind the input watermark they came
        int n = 200;
        for (int i = 0; i < n; i++) {
            long t = T0 + 30_000 + rnd.nextInt(600_000);
            String id = "r" + i;
            int k = 1 + rnd.nextInt(3);
            String[] gpus = new String[k];
            for (int g = 0; g < k; g++) gpus[g] = GPUS[(i + g) % GPUS.length];
            double estimate = 100 + i;
            MeteredRequest m = request(id, t, estimate, gpus);
            inputs.add(new In(t - rnd.nextInt((int) STEP), m, null));
            // 1 in 8 has a partly unmetered piece, 1 in 10 a piece that never comes; some pieces
            // come before their request.
            boolean partly = i % 8 == 3, missing = i % 10 == 7;
            double sum = 0;
            for (int g = 0; g < k; g++) {
                if (missing && g == k - 1) continue;
                double j = 1 + rnd.nextInt(1_000) / 7.0;
                sum += j;
                long release = i % 5 == 0 ? t - 1_000 : t + (long) (rnd.nextDouble() * BOUND);
                inputs.add(new In(release, null, piece(id, t, gpus[g], j, partly && g == 0)));
            }
            boolean metered = !partly && !missing;
            expectedJ.put(id, metered ? sum : estimate);
            expectedP.put(id, metered ? Provenance.METERED_ATTRIBUTED : Provenance.CATALOG);
        }
        inputs.sort((a, b) -> Long.compare(a.release, b.release));

        var h = harness();
        h.initializeEmptyState();
        h.open();
        List<Object> out = new ArrayList<>();
        long w = Long.MIN_VALUE;
        int next = 0, step = 0;
        for (long t = T0; t < T0 + 800_000; t += STEP, step++) {
            List<In> batch = new ArrayList<>();
            while (next < inputs.size() && inputs.get(next).release < t + STEP)
                batch.add(inputs.get(next++));
            if (step == 40 || step == 90) {
                // A late request (and its pieces, attributed at once): 30 s and 150 s behind the
                // watermark.
                long behind = step == 40 ? 30_000 : 150_000;
                String id = "late-" + step;
                MeteredRequest m = request(id, w - behind, 7, "g0");
                batch.add(new In(t, m, null));
                batch.add(new In(t, null, piece(id, w - behind, "g0", 3.5, false)));
                expectedJ.put(id, 3.5);
                expectedP.put(id, Provenance.METERED_ATTRIBUTED);
                lateness.put(id, behind);
            }
            Collections.shuffle(batch, rnd);
            for (In in : batch) {
                if (in.request != null)
                    h.processElement1(new StreamRecord<>(in.request, in.request.request.eventTime));
                else h.processElement2(new StreamRecord<>(in.piece, in.release));
            }
            w = t + STEP - 1; // everything released before t + STEP is in: on both inputs
            if (step % 2 == 0) {
                h.processWatermark1(new Watermark(w));
                h.processWatermark2(new Watermark(w));
            } else {
                h.processWatermark2(new Watermark(w));
                h.processWatermark1(new Watermark(w));
            }
            if (step == 60) {
                var snapshot = h.snapshot(1, 1);
                out.addAll(h.getOutput());
                h.close();
                h = harness();
                h.initializeState(snapshot);
                h.open();
            }
        }
        assertThat(next).isEqualTo(inputs.size());
        h.processWatermark1(new Watermark(Long.MAX_VALUE));
        h.processWatermark2(new Watermark(Long.MAX_VALUE));
        out.addAll(h.getOutput());
        h.close();

        Map<String, Integer> seen = new HashMap<>();
        long outWm = Long.MIN_VALUE;
        long lastInputWm = T0 + 800_000 - 1;
        List<Long> watermarks = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof Watermark wm) {
                assertThat(wm.getTimestamp())
                        .as("watermarks only advance")
                        .isGreaterThanOrEqualTo(outWm);
                outWm = wm.getTimestamp();
                watermarks.add(outWm);
                continue;
            }
            @SuppressWarnings("unchecked")
            StreamRecord<MeteredRequest> r = (StreamRecord<MeteredRequest>) o;
            MeteredRequest m = r.getValue();
            String id = m.request.requestId;
            seen.merge(id, 1, Integer::sum);
            assertThat(r.getTimestamp())
                    .as(id + " stamped with its event time")
                    .isEqualTo(m.request.eventTime);
            assertThat(m.gpuJoules).as(id).isEqualTo(expectedJ.get(id));
            assertThat(m.provenance).as(id).isEqualTo(expectedP.get(id));
            long behind = outWm - m.request.eventTime;
            if (lateness.containsKey(id))
                assertThat(behind)
                        .as(id + " no later than it came")
                        .isLessThanOrEqualTo(lateness.get(id));
            else assertThat(behind).as(id + " behind the output watermark").isLessThan(0);
        }
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(expectedJ.keySet());
        assertThat(seen.values()).allMatch(c -> c == 1);
        // The output watermark trails the input by the bound, and the end of input passes through.
        assertThat(watermarks).contains(lastInputWm - BOUND, T0 + 60 * STEP + STEP - 1 - BOUND);
        assertThat(watermarks)
                .allMatch(x -> x == Long.MAX_VALUE || (x - T0 + BOUND + 1) % STEP == 0);
        assertThat(watermarks.get(watermarks.size() - 1)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aRequestWaitsForItsPiecesUntilTheInputWatermarkPassesItsDeadline() throws Exception {
        var h = harness();
        h.initializeEmptyState();
        h.open();
        long t = T0 + 100_000;
        h.processElement1(new StreamRecord<>(request("a", t, 50, "g0", "g1"), t));
        h.processElement2(new StreamRecord<>(piece("a", t, "g0", 20, false), t));
        h.processWatermark1(new Watermark(t + BOUND - 1));
        h.processWatermark2(new Watermark(t + BOUND - 1));
        assertThat(records(h))
                .as("still waiting for g1 one millisecond before the deadline")
                .isEmpty();
        h.processWatermark1(new Watermark(t + BOUND));
        h.processWatermark2(new Watermark(t + BOUND));
        List<MeteredRequest> out = records(h);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).gpuJoules).as("the estimate: g1's piece never came").isEqualTo(50);
        assertThat(out.get(0).provenance).isEqualTo(Provenance.CATALOG);
        // A piece that comes after its request left is forgotten at its own deadline, not turned
        // into a request.
        h.processElement2(new StreamRecord<>(piece("a", t, "g1", 20, false), t + BOUND));
        h.processWatermark1(new Watermark(Long.MAX_VALUE));
        h.processWatermark2(new Watermark(Long.MAX_VALUE));
        assertThat(records(h)).hasSize(1);
        h.close();
    }

    @SuppressWarnings("unchecked")
    static List<MeteredRequest> records(
            KeyedTwoInputStreamOperatorTestHarness<
                            String, MeteredRequest, RequestEnergy, MeteredRequest>
                    h) {
        List<MeteredRequest> out = new ArrayList<>();
        for (Object o : h.getOutput())
            if (o instanceof StreamRecord<?> r)
                out.add(((StreamRecord<MeteredRequest>) r).getValue());
        return out;
    }
}
