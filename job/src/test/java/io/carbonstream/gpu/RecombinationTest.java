package io.carbonstream.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.aggregate.MeteredRequest;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.energy.Provenance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of putting a request back together with its metered pieces, without Flink. */
class RecombinationTest {

    static MeteredRequest request(String id, long t, double estimate, String... gpus) {
        InferenceRequest r = new InferenceRequest();
        r.requestId = id;
        r.eventTime = t;
        r.datacenterId = "dc";
        r.modelId = "m";
        r.modality = Modality.TEXT;
        r.durationMs = 5_000;
        r.gpuCount = gpus.length;
        r.gpuIds = gpus;
        return new MeteredRequest(r, estimate, Provenance.CATALOG);
    }

    static RequestEnergy piece(String id, long t, String gpu, double j, boolean partly) {
        RequestEnergy e = new RequestEnergy();
        e.requestId = id;
        e.datacenterId = "dc";
        e.modelId = "m";
        e.gpuId = gpu;
        e.eventTime = t;
        e.attributedJ = j;
        e.partlyUnmetered = partly;
        e.awaited = true;
        return e;
    }

    @Test
    void aRequestIsPricedWithTheSumOfItsPiecesOnceEveryGpuIsIn() {
        var p = new Recombination.Pending();
        p.requests.add(request("r", 10, 999, "g1", "g2"));
        p.pieces.add(piece("r", 10, "g2", 30.5, false));
        assertThat(Recombination.drain(p)).isEmpty(); // g1 still out
        p.pieces.add(piece("r", 10, "g1", 12.25, false));
        List<Recombination.Released> out = Recombination.drain(p);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).outcome()).isEqualTo(Recombination.Outcome.METERED);
        assertThat(out.get(0).request().gpuJoules).isEqualTo(30.5 + 12.25);
        assertThat(out.get(0).request().provenance).isEqualTo(Provenance.METERED_ATTRIBUTED);
        assertThat(p.requests).isEmpty();
        assertThat(p.pieces).isEmpty();
    }

    @Test
    void aPartlyUnmeteredPieceKeepsTheEstimate() {
        var p = new Recombination.Pending();
        MeteredRequest m = request("r", 10, 999, "g1", "g2");
        m.measurementRejected = true;
        p.requests.add(m);
        p.pieces.add(piece("r", 10, "g1", 12, false));
        p.pieces.add(piece("r", 10, "g2", 3, true));
        List<Recombination.Released> out = Recombination.drain(p);
        assertThat(out)
                .extracting(Recombination.Released::outcome)
                .containsExactly(Recombination.Outcome.PARTLY_UNMETERED);
        assertThat(m.gpuJoules).isEqualTo(999);
        assertThat(m.provenance).isEqualTo(Provenance.CATALOG);
        assertThat(m.measurementRejected)
                .as("still the estimate replacing a bad measurement")
                .isTrue();
    }

    @Test
    void theMeterReplacesTheEstimateThatStoodInForARejectedMeasurement() {
        var p = new Recombination.Pending();
        MeteredRequest m = request("r", 10, 999, "g1");
        m.measurementRejected = true;
        p.requests.add(m);
        p.pieces.add(piece("r", 10, "g1", 7, false));
        assertThat(Recombination.drain(p))
                .extracting(Recombination.Released::outcome)
                .containsExactly(Recombination.Outcome.METERED);
        assertThat(m.measurementRejected).isFalse();
        assertThat(m.gpuJoules).isEqualTo(7);
    }

    @Test
    void duplicatesOfOneKeyEachTakeOnePiecePerGpu() {
        var p = new Recombination.Pending();
        p.requests.add(request("r", 10, 1, "g1", "g2"));
        p.requests.add(request("r", 10, 1, "g1", "g2"));
        p.pieces.add(piece("r", 10, "g1", 1, false));
        p.pieces.add(piece("r", 10, "g1", 2, false));
        assertThat(Recombination.drain(p)).isEmpty(); // two g1 pieces do not make one request whole
        p.pieces.add(piece("r", 10, "g2", 4, false));
        List<Recombination.Released> first = Recombination.drain(p);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).request().gpuJoules).isEqualTo(1 + 4);
        assertThat(p.requests).hasSize(1);
        assertThat(p.pieces).hasSize(1);
        p.pieces.add(piece("r", 10, "g2", 8, false));
        assertThat(Recombination.drain(p).get(0).request().gpuJoules).isEqualTo(2 + 8);
    }

    @Test
    void aGpuNamedTwiceNeedsTwoPieces() {
        var p = new Recombination.Pending();
        p.requests.add(request("r", 10, 1, "g1", "g1"));
        p.pieces.add(piece("r", 10, "g1", 5, false));
        assertThat(Recombination.drain(p)).isEmpty();
        p.pieces.add(piece("r", 10, "g1", 6, false));
        assertThat(Recombination.drain(p).get(0).request().gpuJoules).isEqualTo(11);
    }

    @Test
    void atTheDeadlineWaitingRequestsLeaveWithTheirEstimateAndStrayPiecesAreForgotten() {
        var p = new Recombination.Pending();
        p.requests.add(request("r", 10, 999, "g1", "g2"));
        p.pieces.add(piece("r", 10, "g1", 5, false));
        p.pieces.add(piece("r", 10, "g3", 5, false));
        List<Recombination.Released> out = Recombination.expire(p);
        assertThat(out)
                .extracting(Recombination.Released::outcome)
                .containsExactly(Recombination.Outcome.PIECES_MISSING);
        assertThat(out.get(0).request().gpuJoules).isEqualTo(999);
        assertThat(out.get(0).request().provenance).isEqualTo(Provenance.CATALOG);
        assertThat(p.requests).isEmpty();
        assertThat(p.pieces).isEmpty();
    }

    @Test
    void onlyRequestsPlacedOnGpusWithoutAValidMeasurementWait() {
        MeteredRequest m = request("r", 10, 1, "g1");
        assertThat(Recombination.waits(m.request, Provenance.CATALOG)).isTrue();
        assertThat(Recombination.waits(m.request, Provenance.DEFAULT)).isTrue();
        assertThat(Recombination.waits(m.request, Provenance.MEASURED))
                .as("its own joules stay best")
                .isFalse();
        m.request.durationMs = 0;
        assertThat(Recombination.waits(m.request, Provenance.CATALOG))
                .as("no span to place")
                .isFalse();
        MeteredRequest none = request("s", 10, 1);
        assertThat(Recombination.waits(none.request, Provenance.CATALOG))
                .as("no GPU named")
                .isFalse();
        none.request.gpuIds = null;
        assertThat(Recombination.waits(none.request, Provenance.CATALOG)).isFalse();
    }

    @Test
    void keysSeparateDuplicateIdsFromOtherDatacentersOrTimes() {
        assertThat(Recombination.key("r", "dc-a", 10))
                .isNotEqualTo(Recombination.key("r", "dc-b", 10));
        assertThat(Recombination.key("r", "dc-a", 10))
                .isNotEqualTo(Recombination.key("r", "dc-a", 11));
        assertThat(new RecombineOperator.ByRequest().getKey(request("r", 10, 1, "g")))
                .isEqualTo(new RecombineOperator.ByPiece().getKey(piece("r", 10, "g", 1, false)));
    }
}
