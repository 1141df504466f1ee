package io.carbonstream.generator;

import com.google.protobuf.ByteString;
import io.carbonstream.schema.InferenceEvent;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A generated request as the OpenTelemetry Collector's Kafka exporter would write the span of its
 * inference server (encoding otlp_proto): GenAI semantic conventions, the datacenter as the
 * resource attribute carbonstream.datacenter.id. What the demo publishes with --events-as otlp.
 */
public final class OtlpSpans {

    private OtlpSpans() {}

    public static byte[] batchOf(InferenceEvent e) {
        // The span ends at the request's event time (carbonstream prices a span at its end).
        long end = e.getEventTime().toEpochMilli() * 1_000_000L;
        long start = end - e.getDurationMs() * 1_000_000L;
        byte[] id = sha256(e.getRequestId());
        Span.Builder s =
                Span.newBuilder()
                        .setTraceId(ByteString.copyFrom(Arrays.copyOfRange(id, 0, 16)))
                        .setSpanId(ByteString.copyFrom(Arrays.copyOfRange(id, 16, 24)))
                        .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                        .setName(operation(e) + " " + e.getModelId())
                        .setStartTimeUnixNano(start)
                        .setEndTimeUnixNano(end)
                        .addAttributes(attr("gen_ai.operation.name", operation(e)))
                        .addAttributes(attr("gen_ai.request.model", e.getModelId()))
                        .addAttributes(attr("gen_ai.usage.input_tokens", e.getInputTokens()))
                        .addAttributes(attr("gen_ai.usage.output_tokens", e.getOutputTokens()))
                        .addAttributes(attr("carbonstream.gpu.count", (long) e.getGpuCount()))
                        .addAttributes(attr("carbonstream.images", (long) e.getImages()))
                        .addAttributes(
                                attr("carbonstream.diffusion_steps", (long) e.getDiffusionSteps()))
                        .addAttributes(attr("carbonstream.media_seconds", e.getMediaSeconds()));
        if (e.getMeasuredGpuJoules() != null)
            s.addAttributes(attr("carbonstream.gpu.energy_joules", e.getMeasuredGpuJoules()));
        if (e.getActiveParamsB() != null)
            s.addAttributes(attr("carbonstream.model.active_params_b", e.getActiveParamsB()));
        Resource resource =
                Resource.newBuilder()
                        .addAttributes(attr("service.name", "inference-server"))
                        .addAttributes(attr("carbonstream.datacenter.id", e.getDatacenterId()))
                        .build();
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(
                        ResourceSpans.newBuilder()
                                .setResource(resource)
                                .addScopeSpans(
                                        ScopeSpans.newBuilder()
                                                .setScope(
                                                        InstrumentationScope.newBuilder()
                                                                .setName("carbonstream-demo"))
                                                .addSpans(s)))
                .build()
                .toByteArray();
    }

    private static String operation(InferenceEvent e) {
        return switch (e.getModality()) {
            case TEXT -> "chat";
            case EMBEDDING -> "embeddings";
            case IMAGE -> "image_generation";
            case VIDEO -> "video_generation";
            case AUDIO -> "speech";
        };
    }

    private static KeyValue attr(String key, Object value) {
        AnyValue.Builder v = AnyValue.newBuilder();
        if (value instanceof String s) v.setStringValue(s);
        else if (value instanceof Long l) v.setIntValue(l);
        else v.setDoubleValue(((Number) value).doubleValue());
        return KeyValue.newBuilder().setKey(key).setValue(v).build();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
