package io.carbonstream.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.Pipeline;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.ingest.RequestEnvelope;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** One span, one request, within the window; nothing kept after it. */
class SpanDeduplicatorTest {

    static RequestEnvelope span(String id, long t) {
        InferenceRequest r = new InferenceRequest();
        r.requestId = id;
        r.eventTime = t;
        return RequestEnvelope.valid(r);
    }

    @Test
    void aSpanDeliveredAgainWithinTheWindowCountsOnceAndStateIsGoneAfterIt() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, RequestEnvelope, RequestEnvelope> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new SpanDeduplicator(60_000), new Pipeline.ByRequestId(), Types.STRING);
        h.processElement(span("a", 1_000), 1_000);
        h.processElement(span("b", 2_000), 2_000);
        h.processElement(span("a", 1_000), 1_000); // the exporter's retry
        h.processWatermark(30_000);
        h.processElement(span("a", 1_000), 1_000); // still within 60 s of its start
        assertThat(h.extractOutputValues())
                .extracting(e -> e.request.requestId)
                .containsExactly("a", "b");
        h.processWatermark(62_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.close();
    }
}
