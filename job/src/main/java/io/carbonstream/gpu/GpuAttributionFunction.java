package io.carbonstream.gpu;

import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Reason;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Attribution per GPU: the thin Flink side of {@link GpuAttributor}. Keeps one {@link GpuState} per
 * GPU and advances it when the watermark makes intervals final (event-time timers at each reading's
 * time plus the longest request duration, and at each use's give-up time).
 */
public class GpuAttributionFunction extends KeyedProcessFunction<String, GpuInput, GpuOutput> {

    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = PaneFunction.DEAD_LETTERS;

    /**
     * Pieces of uses too late to be attributed whose request waits for them (flagged partly
     * unmetered, no energy): so a waiting request gets exactly one piece per GPU whatever happens.
     * Kept out of the main output: the calibration sums count attributed requests only.
     */
    public static final OutputTag<RequestEnergy> UNATTRIBUTED =
            new OutputTag<>("unattributed", TypeInformation.of(RequestEnergy.class));

    private final GpuAttributor attributor;
    private final long maxRequestDurationMs;
    private final long expectedGapMs;
    private transient ValueState<GpuState> state;
    private transient Counter samplesRead;
    private transient Counter samplesLate;
    private transient Counter usesRead;
    private transient Counter usesTooLate;
    private transient Counter requestsAttributed;

    public GpuAttributionFunction(
            long maxRequestDurationMs, long expectedGapMs, double maxGpuWatts) {
        this.attributor = new GpuAttributor(maxRequestDurationMs, expectedGapMs, maxGpuWatts);
        this.maxRequestDurationMs = maxRequestDurationMs;
        this.expectedGapMs = expectedGapMs;
    }

    @Override
    public void open(OpenContext ctx) {
        state =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "gpu", TypeInformation.of(GpuState.class)));
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("carbonstream");
        // Conservation: gpuSamplesRead = gpuSamplesDeadLettered (undecodable, invalid) +
        // gpuSamplesLate + readings kept;
        // gpuUsesRead = gpuUsesTooLate + gpuRequestsAttributed + uses still waiting.
        samplesRead = g.counter("gpuSamplesRead");
        samplesLate = g.counter("gpuSamplesLate");
        usesRead = g.counter("gpuUsesRead");
        usesTooLate = g.counter("gpuUsesTooLate");
        requestsAttributed = g.counter("gpuRequestsAttributed");
    }

    @Override
    public void processElement(GpuInput in, Context ctx, Collector<GpuOutput> out)
            throws Exception {
        GpuState s = state.value();
        if (s == null) {
            s = new GpuState();
            s.gpuId = ctx.getCurrentKey();
        }
        if (in.sample != null) {
            GpuSample g = in.sample;
            samplesRead.inc();
            s.datacenterId = g.datacenterId;
            // Behind the watermark, a reading may fall in an interval whose requests were already
            // given up
            // on (finished as unmetered): taking it would put their energy in idle. It is late.
            if (g.time <= ctx.timerService().currentWatermark()
                    || !attributor.addSample(s, g.time, g.cumulativeJ)) {
                samplesLate.inc();
                DeadLetterRecord d =
                        DeadLetterRecord.of(
                                Reason.LATE,
                                "GPU "
                                        + g.gpuId
                                        + " reading at "
                                        + java.time.Instant.ofEpochMilli(g.time)
                                        + " arrived after the interval it falls in was attributed",
                                g.sourceTopic,
                                g.sourcePartition,
                                g.sourceOffset,
                                g.sourceTimestamp,
                                g.key,
                                g.value);
                d.watermark = ctx.timerService().currentWatermark();
                ctx.output(DEAD_LETTERS, d);
                return;
            }
            ctx.timerService().registerEventTimeTimer(g.time + maxRequestDurationMs);
        } else {
            usesRead.inc();
            if (s.datacenterId == null) s.datacenterId = in.use.datacenterId;
            if (!attributor.addUse(s, in.use)) {
                usesTooLate.inc(); // the request keeps its estimate: it is priced either way
                if (in.use.awaited) ctx.output(UNATTRIBUTED, GpuAttributor.unattributed(in.use));
                return;
            }
            ctx.timerService()
                    .registerEventTimeTimer(in.use.end + expectedGapMs + maxRequestDurationMs);
        }
        state.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<GpuOutput> out)
            throws Exception {
        GpuState s = state.value();
        if (s == null) return;
        GpuAttributor.Outcome o = attributor.advance(s, timestamp);
        for (RequestEnergy r : o.requests) {
            requestsAttributed.inc();
            out.collect(GpuOutput.of(r));
        }
        for (GpuHour h : o.hours) out.collect(GpuOutput.of(h));
        state.update(s);
    }

    /** Decode rejects of the GPU energy topic, counted then passed on. */
    public static final class Intake
            extends org.apache.flink.streaming.api.functions.ProcessFunction<GpuInput, GpuInput> {
        private final OutputTag<DeadLetterRecord> deadLetters;
        private transient Counter deadLettered;

        public Intake(OutputTag<DeadLetterRecord> deadLetters) {
            this.deadLetters = deadLetters;
        }

        @Override
        public void open(OpenContext ctx) {
            deadLettered =
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("carbonstream")
                            .counter("gpuSamplesDeadLettered");
        }

        @Override
        public void processElement(GpuInput in, Context ctx, Collector<GpuInput> out) {
            if (in.rejected != null) {
                deadLettered.inc();
                ctx.output(deadLetters, in.rejected);
            } else {
                out.collect(in);
            }
        }
    }
}
