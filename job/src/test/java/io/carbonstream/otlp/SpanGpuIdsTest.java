package io.carbonstream.otlp;

import static io.carbonstream.it.OtlpBatches.attr;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.ingest.Limits;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.it.OtlpBatches;
import io.carbonstream.it.Scenario;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * GPU identity of GenAI spans: ids, or host plus device indices; malformed values are dead letters
 * with a reason.
 */
class SpanGpuIdsTest {

    static final long T = Scenario.BASE + 90_000;

    /**
     * A chat span with the given extra span attributes, under a resource mapped to dc-cal-1 with
     * the given extra attributes.
     */
    static List<RequestEnvelope> decode(
            Map<String, Object> spanAttributes, Map<String, String> resource, boolean json)
            throws Exception {
        Span.Builder s =
                OtlpBatches.span("chat-" + spanAttributes.hashCode(), T, 2_000)
                        .setName("chat llama")
                        .addAttributes(attr("gen_ai.operation.name", "chat"))
                        .addAttributes(attr("gen_ai.request.model", "llama-3.1-8b"))
                        .addAttributes(attr("gen_ai.usage.input_tokens", 100L))
                        .addAttributes(attr("gen_ai.usage.output_tokens", 200L));
        spanAttributes.forEach((k, v) -> s.addAttributes(attr(k, v)));
        Map<String, String> res = new LinkedHashMap<>(resource);
        res.put("cloud.region", "us-west-2");
        ExportTraceServiceRequest b = OtlpBatches.batch(res, List.of(s.build()));
        OtlpDecoder d = new OtlpDecoder(Limits.defaults(), OtlpDecoderTest.mapping());
        List<RequestEnvelope> out = new ArrayList<>();
        d.decode(
                new ConsumerRecord<>(
                        "otlp", 0, 7, null, json ? OtlpBatches.json(b) : b.toByteArray()),
                T + 60_000,
                out::add);
        return out;
    }

    static RequestEnvelope one(Map<String, Object> span, Map<String, String> resource)
            throws Exception {
        List<RequestEnvelope> proto = decode(span, resource, false);
        List<RequestEnvelope> json = decode(span, resource, true);
        assertThat(proto).hasSize(1);
        assertThat(json).hasSize(1);
        // Both encodings of the exporter give the same outcome.
        if (proto.get(0).request != null) {
            assertThat(json.get(0).request.gpuIds).isEqualTo(proto.get(0).request.gpuIds);
        } else {
            assertThat(json.get(0).rejected.reason).isEqualTo(proto.get(0).rejected.reason);
        }
        return proto.get(0);
    }

    @Test
    void gpuIdsFromAStringArrayOnTheSpanOrItsResource() throws Exception {
        RequestEnvelope e =
                one(
                        Map.of(
                                "carbonstream.gpu.ids",
                                List.of("GPU-5fd4cf8e-0001", "GPU-5fd4cf8e-0002")),
                        Map.of());
        assertThat(e.request.gpuIds).containsExactly("GPU-5fd4cf8e-0001", "GPU-5fd4cf8e-0002");
        assertThat(e.request.gpuCount).as("no count attribute: the GPUs named").isEqualTo(2);

        // A server pinned to one GPU says so on its resource (a plain string is one id).
        e = one(Map.of(), Map.of("carbonstream.gpu.ids", "GPU-5fd4cf8e-0003"));
        assertThat(e.request.gpuIds).containsExactly("GPU-5fd4cf8e-0003");
        assertThat(e.request.gpuCount).isEqualTo(1);

        // The span's value wins over the resource's; an explicit count is kept.
        e =
                one(
                        Map.of(
                                "carbonstream.gpu.ids",
                                List.of("GPU-b"),
                                "carbonstream.gpu.count",
                                4L),
                        Map.of("carbonstream.gpu.ids", "GPU-a"));
        assertThat(e.request.gpuIds).containsExactly("GPU-b");
        assertThat(e.request.gpuCount).isEqualTo(4);

        // None named: not placed on any GPU's timeline, as an Avro event with empty gpu_ids.
        e = one(Map.of(), Map.of());
        assertThat(e.request.gpuIds).isNull();
        assertThat(e.request.gpuCount).isEqualTo(1);
    }

    @Test
    void deviceIndicesBecomeHostColonIndex() throws Exception {
        RequestEnvelope e =
                one(
                        Map.of("carbonstream.gpu.indices", List.of(0L, 3L)),
                        Map.of("host.name", "gpu-node-7"));
        assertThat(e.request.gpuIds).containsExactly("gpu-node-7:0", "gpu-node-7:3");
        assertThat(e.request.gpuCount).isEqualTo(2);
        // Indices as strings (some SDKs only have string arrays); ids win over indices when both
        // are there.
        assertThat(
                        one(
                                        Map.of("carbonstream.gpu.indices", List.of("5")),
                                        Map.of("host.name", "n1"))
                                .request
                                .gpuIds)
                .containsExactly("n1:5");
        assertThat(
                        one(
                                        Map.of(
                                                "carbonstream.gpu.indices",
                                                List.of(1L),
                                                "carbonstream.gpu.ids",
                                                List.of("GPU-x")),
                                        Map.of("host.name", "n1"))
                                .request
                                .gpuIds)
                .containsExactly("GPU-x");
    }

    @Test
    void malformedGpuIdentityIsADeadLetterWithAReason() throws Exception {
        record Bad(
                Map<String, Object> span,
                Map<String, String> resource,
                Reason reason,
                String says) {}
        List<Bad> cases =
                List.of(
                        new Bad(
                                Map.of("carbonstream.gpu.ids", 7L),
                                Map.of(),
                                Reason.INVALID_VALUE,
                                "is a integer"),
                        new Bad(
                                Map.of("carbonstream.gpu.ids", List.of("GPU-a", 2L)),
                                Map.of(),
                                Reason.INVALID_VALUE,
                                "holds a integer"),
                        new Bad(
                                Map.of("carbonstream.gpu.ids", List.of("GPU-a", " ")),
                                Map.of(),
                                Reason.INVALID_VALUE,
                                "empty GPU id"),
                        new Bad(
                                Map.of("carbonstream.gpu.ids", List.of("GPU-a", "GPU-a")),
                                Map.of(),
                                Reason.INVALID_VALUE,
                                "twice"),
                        new Bad(
                                Map.of("carbonstream.gpu.ids", List.of("GPU-" + "x".repeat(300))),
                                Map.of(),
                                Reason.OVERSIZED_STRING,
                                "gpu_ids[]"),
                        new Bad(
                                Map.of("carbonstream.gpu.indices", List.of(0L)),
                                Map.of(),
                                Reason.MISSING_FIELD,
                                "host.name"),
                        new Bad(
                                Map.of("carbonstream.gpu.indices", List.of(-1L)),
                                Map.of("host.name", "n1"),
                                Reason.INVALID_VALUE,
                                "device index"),
                        new Bad(
                                Map.of("carbonstream.gpu.indices", List.of("zero")),
                                Map.of("host.name", "n1"),
                                Reason.INVALID_VALUE,
                                "'zero'"),
                        new Bad(
                                Map.of("carbonstream.gpu.indices", List.of(1.5)),
                                Map.of("host.name", "n1"),
                                Reason.INVALID_VALUE,
                                "double"),
                        new Bad(
                                Map.of("carbonstream.gpu.indices", List.of(2L, 2L)),
                                Map.of("host.name", "n1"),
                                Reason.INVALID_VALUE,
                                "twice"));
        for (Bad b : cases) {
            RequestEnvelope e = one(b.span(), b.resource());
            assertThat(e.request).as(b.toString()).isNull();
            assertThat(e.rejected.reason).as(b.toString()).isEqualTo(b.reason());
            assertThat(e.rejected.message).as(b.toString()).contains(b.says());
            // The span alone, replayable: the attribute that was wrong is in it.
            Span alone =
                    ExportTraceServiceRequest.parseFrom(e.rejected.value)
                            .getResourceSpans(0)
                            .getScopeSpans(0)
                            .getSpans(0);
            assertThat(alone.getAttributesList().stream().map(KeyValue::getKey))
                    .contains("gen_ai.operation.name");
        }
    }

    @Test
    void attributeNamesAreConfigurable() {
        SpanMapping m =
                new SpanMapping(
                        new SpanMapping.Settings(
                                "dc",
                                List.of(),
                                Map.of(),
                                "e",
                                "c",
                                "my.gpus",
                                "my.slots",
                                "k8s.node.name"));
        SpanMapping.GpuIds ids =
                m.gpuIds(
                        List.of(attr("k8s.node.name", "node-a")),
                        List.of(attr("my.slots", List.of(2L))));
        assertThat(ids.ids()).containsExactly("node-a:2");
        assertThat(
                        m.gpuIds(List.of(), List.of(attr("carbonstream.gpu.ids", List.of("GPU-a"))))
                                .ids())
                .as("the default name is not read")
                .isEmpty();
    }
}
