package io.carbonstream.gpu;

import io.carbonstream.aggregate.MeteredRequest;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The thin Flink side of {@link Recombination}: requests that wait for their metered energy (input
 * 1) and the pieces attribution finalizes for them (input 2), keyed by {@link Recombination#key}; a
 * request leaves, stamped with its own event time, as soon as its pieces are in, or with its
 * estimate at its deadline.
 *
 * <p><b>Why the watermark is held back.</b> Attribution finalizes a request's piece at the latest
 * when its watermark passes the request's end plus {@code bound} = the longest request duration
 * plus the expected gap between counter readings (a use's give-up time). So a request at event time
 * T can leave here only when the input watermark is up to T + bound: had this operator forwarded
 * its input watermark, the request would arrive at pricing behind it, i.e. late. It forwards {@code
 * input watermark - bound} instead. A request that came in on time (T above the input watermark)
 * leaves before the input watermark passes its deadline max(T, arrival watermark) + bound = T +
 * bound, when the output watermark is still below T: nothing that entered on time ever leaves
 * behind the output watermark, and a request that entered late leaves no later than it came (its
 * deadline counts from its arrival). Pricing sees the minimum of this watermark and the one of the
 * requests that go straight to it, so with the GPU feed on every aggregate is final {@code bound}
 * later.
 */
public class RecombineOperator extends AbstractStreamOperator<MeteredRequest>
        implements TwoInputStreamOperator<MeteredRequest, RequestEnergy, MeteredRequest>,
                Triggerable<String, VoidNamespace> {

    private static final long serialVersionUID = 1L;

    private final long bound;
    private transient ListState<MeteredRequest> requests;
    private transient ListState<RequestEnergy> pieces;
    private transient ValueState<Long> deadline;
    private transient InternalTimerService<VoidNamespace> timers;

    /**
     * Highest watermark emitted (not checkpointed: after a restore the output restarts from the
     * held input watermark).
     */
    private transient long emitted;

    private transient Counter metered;
    private transient Counter partlyUnmetered;
    private transient Counter piecesMissing;
    private transient Counter piecesUnmatched;

    /**
     * @param bound how far the output watermark trails the input: longest request duration plus
     *     expected sample gap
     */
    public RecombineOperator(long bound) {
        if (bound < 0) throw new IllegalArgumentException("bound must not be negative: " + bound);
        this.bound = bound;
    }

    /** The hold: the longest request duration plus the expected gap between counter readings. */
    public static long bound(long maxRequestDurationMs, long expectedGapMs) {
        return Math.addExact(maxRequestDurationMs, expectedGapMs);
    }

    @Override
    public void open() throws Exception {
        super.open();
        requests =
                getPartitionedState(
                        new ListStateDescriptor<>(
                                "recombine-requests", TypeInformation.of(MeteredRequest.class)));
        pieces =
                getPartitionedState(
                        new ListStateDescriptor<>(
                                "recombine-pieces", TypeInformation.of(RequestEnergy.class)));
        deadline =
                getPartitionedState(new ValueStateDescriptor<>("recombine-deadline", Types.LONG));
        timers =
                getInternalTimerService(
                        "recombine-deadlines", VoidNamespaceSerializer.INSTANCE, this);
        emitted = Long.MIN_VALUE;
        MetricGroup g = getMetricGroup().addGroup("carbonstream");
        // Conservation: requests waiting = gpuRequestsMeteredAttributed +
        // gpuRequestsPartlyUnmetered + gpuRequestsPiecesMissing + still waiting.
        metered = g.counter("gpuRequestsMeteredAttributed");
        partlyUnmetered = g.counter("gpuRequestsPartlyUnmetered");
        piecesMissing = g.counter("gpuRequestsPiecesMissing");
        piecesUnmatched = g.counter("gpuPiecesUnmatched");
    }

    @Override
    public void processElement1(StreamRecord<MeteredRequest> element) throws Exception {
        requests.add(element.getValue());
        arrived(element.getValue().request.eventTime);
    }

    @Override
    public void processElement2(StreamRecord<RequestEnergy> element) throws Exception {
        pieces.add(element.getValue());
        arrived(element.getValue().eventTime);
    }

    private void arrived(long eventTime) throws Exception {
        if (deadline.value() == null) {
            // Every piece of an on-time request is in once the input watermark reaches T + bound; a
            // late
            // one (T behind the watermark) gets as long from its arrival.
            long d = saturatedAdd(Math.max(eventTime, timers.currentWatermark()), bound);
            deadline.update(d);
            timers.registerEventTimeTimer(VoidNamespace.INSTANCE, d);
        }
        Recombination.Pending p = pending();
        List<Recombination.Released> out = Recombination.drain(p);
        if (out.isEmpty()) return;
        emit(out);
        if (p.requests.isEmpty() && p.pieces.isEmpty()) {
            timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, deadline.value());
            clear();
        } else {
            requests.update(p.requests);
            pieces.update(p.pieces);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        Recombination.Pending p = pending();
        int before = p.pieces.size();
        List<Recombination.Released> out = Recombination.expire(p);
        int used = 0;
        for (Recombination.Released r : out)
            if (r.outcome() != Recombination.Outcome.PIECES_MISSING)
                used += r.request().request.gpuIds.length;
        piecesUnmatched.inc(before - used);
        emit(out);
        clear();
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // Timers fire on the input watermark (a request's deadline is in input time); the output
        // trails it by the bound.
        if (timeServiceManager != null) timeServiceManager.advanceWatermark(mark);
        long held =
                mark.getTimestamp() == Long.MAX_VALUE
                        ? Long.MAX_VALUE
                        : held(mark.getTimestamp(), bound);
        if (held > emitted) {
            emitted = held;
            output.emitWatermark(new Watermark(held));
        }
    }

    /** The output watermark for an input watermark w. */
    public static long held(long w, long bound) {
        return w < Long.MIN_VALUE + bound ? Long.MIN_VALUE : w - bound;
    }

    private void emit(List<Recombination.Released> out) {
        for (Recombination.Released r : out) {
            switch (r.outcome()) {
                case METERED -> metered.inc();
                case PARTLY_UNMETERED -> partlyUnmetered.inc();
                case PIECES_MISSING -> piecesMissing.inc();
            }
            // Stamped with its own event time: it is priced there, whenever it leaves.
            output.collect(new StreamRecord<>(r.request(), r.request().request.eventTime));
        }
    }

    private Recombination.Pending pending() throws Exception {
        Recombination.Pending p = new Recombination.Pending();
        Iterable<MeteredRequest> rs = requests.get();
        if (rs != null) for (MeteredRequest m : rs) p.requests.add(m);
        Iterable<RequestEnergy> ps = pieces.get();
        if (ps != null) for (RequestEnergy e : ps) p.pieces.add(e);
        return p;
    }

    private void clear() {
        requests.clear();
        pieces.clear();
        deadline.clear();
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Key of a waiting request. */
    public static final class ByRequest implements KeySelector<MeteredRequest, String> {
        @Override
        public String getKey(MeteredRequest m) {
            return Recombination.key(
                    m.request.requestId, m.request.datacenterId, m.request.eventTime);
        }
    }

    /** Key of a piece: the key of its request. */
    public static final class ByPiece implements KeySelector<RequestEnergy, String> {
        @Override
        public String getKey(RequestEnergy r) {
            return Recombination.key(r.requestId, r.datacenterId, r.eventTime);
        }
    }
}
