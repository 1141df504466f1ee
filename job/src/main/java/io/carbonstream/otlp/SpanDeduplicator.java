package io.carbonstream.otlp;

import io.carbonstream.ingest.RequestEnvelope;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One span, one request: keyed by trace and span id, lets the first delivery of a span through and
 * drops the others that arrive while the watermark is less than {@code windowMs} past the span's
 * start. The Collector's Kafka exporter retries a batch it could not confirm, so the same spans can
 * arrive twice; a re-delivery later than the window would be counted again (the bound is the state:
 * one entry per span for the window).
 */
public class SpanDeduplicator
        extends KeyedProcessFunction<String, RequestEnvelope, RequestEnvelope> {

    private final long windowMs;
    private transient ValueState<Boolean> seen;
    private transient Counter duplicates;

    public SpanDeduplicator(long windowMs) {
        this.windowMs = windowMs;
    }

    @Override
    public void open(OpenContext ctx) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("span-seen", Types.BOOLEAN));
        duplicates =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("carbonstream")
                        .addGroup("input", "otlp")
                        .counter("spansDuplicate");
    }

    @Override
    public void processElement(RequestEnvelope e, Context ctx, Collector<RequestEnvelope> out)
            throws Exception {
        if (seen.value() != null) {
            duplicates.inc();
            return;
        }
        seen.update(true);
        ctx.timerService().registerEventTimeTimer(e.request.eventTime + windowMs);
        out.collect(e);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RequestEnvelope> out) {
        seen.clear();
    }
}
