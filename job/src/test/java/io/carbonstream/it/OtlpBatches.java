package io.carbonstream.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * OTLP trace batches as an inference server's SDK and the Collector's Kafka exporter produce them,
 * built with the OpenTelemetry protobuf classes; and their OTLP/JSON form, written here with the
 * OTLP/JSON rules (hex ids, 64-bit integers as strings), independently of the job's reader.
 */
public final class OtlpBatches {

    private OtlpBatches() {}

    public static KeyValue attr(String key, Object value) {
        AnyValue.Builder v = AnyValue.newBuilder();
        if (value instanceof String s) v.setStringValue(s);
        else if (value instanceof Long l) v.setIntValue(l);
        else if (value instanceof Integer i) v.setIntValue(i);
        else if (value instanceof Double d) v.setDoubleValue(d);
        else if (value instanceof Boolean b) v.setBoolValue(b);
        else if (value instanceof List<?> list) {
            io.opentelemetry.proto.common.v1.ArrayValue.Builder a =
                    io.opentelemetry.proto.common.v1.ArrayValue.newBuilder();
            for (Object o : list) a.addValues(attr("", o).getValue());
            v.setArrayValue(a);
        } else throw new IllegalArgumentException(String.valueOf(value));
        return KeyValue.newBuilder().setKey(key).setValue(v).build();
    }

    /**
     * A span that ended at endMs (its event time) after durationMs; ids derived from the request
     * id.
     */
    public static Span.Builder span(String id, long endMs, long durationMs) {
        long h = id.hashCode() * 0x9E3779B97F4A7C15L;
        return Span.newBuilder()
                .setTraceId(
                        ByteString.copyFrom(
                                ByteBuffer.allocate(16)
                                        .putLong(h)
                                        .putLong(~h ^ id.length())
                                        .array()))
                .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(h * 31 + 7).array()))
                .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                .setStartTimeUnixNano((endMs - durationMs) * 1_000_000L + 123)
                .setEndTimeUnixNano(endMs * 1_000_000L + 456);
    }

    /** The GenAI span of a scenario request, as an inference server would report it. */
    public static Span genAi(Scenario.Req r, String providerModel) {
        String op =
                switch (r.modality()) {
                    case "TEXT" -> "chat";
                    case "EMBEDDING" -> "embeddings";
                    case "IMAGE" -> "image_generation";
                    case "VIDEO" -> "video_generation";
                    default -> throw new IllegalArgumentException(r.modality());
                };
        Span.Builder s =
                span(r.id(), r.t(), r.durationMs())
                        .setName(op + " " + providerModel)
                        .addAttributes(attr("gen_ai.operation.name", op))
                        .addAttributes(attr("gen_ai.request.model", providerModel))
                        .addAttributes(attr("gen_ai.usage.input_tokens", r.in()))
                        .addAttributes(attr("gen_ai.usage.output_tokens", r.out()))
                        .addAttributes(attr("carbonstream.gpu.count", (long) r.gpus()));
        if (r.images() > 0) s.addAttributes(attr("carbonstream.images", (long) r.images()));
        if (r.steps() > 0) s.addAttributes(attr("carbonstream.diffusion_steps", (long) r.steps()));
        if (r.media() > 0) s.addAttributes(attr("carbonstream.media_seconds", r.media()));
        if (r.measured() != null)
            s.addAttributes(attr("carbonstream.gpu.energy_joules", r.measured()));
        if (r.params() != null)
            s.addAttributes(attr("carbonstream.model.active_params_b", r.params()));
        return s.build();
    }

    public static ExportTraceServiceRequest batch(Map<String, String> resource, List<Span> spans) {
        Resource.Builder res = Resource.newBuilder().addAttributes(attr("service.name", "vllm"));
        resource.forEach((k, v) -> res.addAttributes(attr(k, v)));
        return ExportTraceServiceRequest.newBuilder()
                .addResourceSpans(
                        ResourceSpans.newBuilder()
                                .setResource(res)
                                .addScopeSpans(
                                        ScopeSpans.newBuilder()
                                                .setScope(
                                                        InstrumentationScope.newBuilder()
                                                                .setName("vllm.tracing")
                                                                .setVersion("0.9"))
                                                .addAllSpans(spans)))
                .build();
    }

    /** OTLP/JSON of a batch: lowerCamelCase names, hex ids, int64 as strings, enums as numbers. */
    public static byte[] json(ExportTraceServiceRequest req) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        ArrayNode rss = root.putArray("resourceSpans");
        HexFormat hex = HexFormat.of();
        for (ResourceSpans rs : req.getResourceSpansList()) {
            ObjectNode r = rss.addObject();
            attributes(
                    r.putObject("resource").putArray("attributes"),
                    rs.getResource().getAttributesList());
            ArrayNode sss = r.putArray("scopeSpans");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                ObjectNode so = sss.addObject();
                so.putObject("scope")
                        .put("name", ss.getScope().getName())
                        .put("version", ss.getScope().getVersion());
                ArrayNode spans = so.putArray("spans");
                for (Span sp : ss.getSpansList()) {
                    ObjectNode o = spans.addObject();
                    o.put("traceId", hex.formatHex(sp.getTraceId().toByteArray()));
                    o.put("spanId", hex.formatHex(sp.getSpanId().toByteArray()));
                    o.put("parentSpanId", "");
                    o.put("name", sp.getName());
                    o.put("kind", sp.getKindValue());
                    o.put("startTimeUnixNano", Long.toUnsignedString(sp.getStartTimeUnixNano()));
                    o.put("endTimeUnixNano", Long.toUnsignedString(sp.getEndTimeUnixNano()));
                    attributes(o.putArray("attributes"), sp.getAttributesList());
                    o.putObject("status");
                }
            }
        }
        return m.writeValueAsBytes(root);
    }

    private static void attributes(ArrayNode out, List<KeyValue> kvs) {
        for (KeyValue kv : kvs) {
            ObjectNode a = out.addObject();
            a.put("key", kv.getKey());
            value(a.putObject("value"), kv.getValue());
        }
    }

    private static void value(ObjectNode v, AnyValue any) {
        switch (any.getValueCase()) {
            case STRING_VALUE -> v.put("stringValue", any.getStringValue());
            case INT_VALUE -> v.put("intValue", Long.toString(any.getIntValue()));
            case DOUBLE_VALUE -> v.put("doubleValue", any.getDoubleValue());
            case BOOL_VALUE -> v.put("boolValue", any.getBoolValue());
            case ARRAY_VALUE -> {
                ArrayNode values = v.putObject("arrayValue").putArray("values");
                for (AnyValue e : any.getArrayValue().getValuesList()) value(values.addObject(), e);
            }
            default -> throw new IllegalArgumentException(any.toString());
        }
    }
}
