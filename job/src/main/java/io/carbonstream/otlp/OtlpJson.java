package io.carbonstream.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Reads the OTLP/JSON encoding of an ExportTraceServiceRequest (what the OpenTelemetry Collector's
 * Kafka exporter writes with encoding otlp_json) into the protobuf classes.
 *
 * <p>Why not protobuf's JsonFormat: OTLP/JSON departs from the canonical protobuf JSON mapping:
 * trace and span ids are hex strings, not base64 (JsonFormat would decode them into wrong bytes
 * without an error). Field names are accepted in lowerCamelCase (as OTLP writes them) and in
 * snake_case; 64-bit integers as strings or numbers; enums as numbers.
 */
public final class OtlpJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OtlpJson() {}

    public static ExportTraceServiceRequest parse(byte[] bytes) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        if (root == null || !root.isObject()) throw new IOException("not a JSON object");
        ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
        for (JsonNode rs : field(root, "resourceSpans", "resource_spans")) {
            ResourceSpans.Builder b = ResourceSpans.newBuilder();
            Resource.Builder res = Resource.newBuilder();
            for (JsonNode kv : field(field(rs, "resource", "resource"), "attributes", "attributes"))
                res.addAttributes(keyValue(kv));
            b.setResource(res);
            for (JsonNode ss : field(rs, "scopeSpans", "scope_spans")) {
                ScopeSpans.Builder sb = ScopeSpans.newBuilder();
                JsonNode scope = field(ss, "scope", "scope");
                if (scope.isObject()) {
                    sb.setScope(
                            InstrumentationScope.newBuilder()
                                    .setName(scope.path("name").asText(""))
                                    .setVersion(scope.path("version").asText("")));
                }
                for (JsonNode sp : field(ss, "spans", "spans")) sb.addSpans(span(sp));
                b.addScopeSpans(sb);
            }
            req.addResourceSpans(b);
        }
        return req.build();
    }

    private static Span span(JsonNode sp) throws IOException {
        Span.Builder s =
                Span.newBuilder()
                        .setTraceId(
                                hexId(field(sp, "traceId", "trace_id").asText(""), 16, "traceId"))
                        .setSpanId(hexId(field(sp, "spanId", "span_id").asText(""), 8, "spanId"))
                        .setName(sp.path("name").asText(""))
                        .setKindValue(field(sp, "kind", "kind").asInt(0))
                        .setStartTimeUnixNano(
                                uint64(
                                        field(sp, "startTimeUnixNano", "start_time_unix_nano"),
                                        "startTimeUnixNano"))
                        .setEndTimeUnixNano(
                                uint64(
                                        field(sp, "endTimeUnixNano", "end_time_unix_nano"),
                                        "endTimeUnixNano"));
        String parent = field(sp, "parentSpanId", "parent_span_id").asText("");
        if (!parent.isEmpty()) s.setParentSpanId(hexId(parent, 8, "parentSpanId"));
        for (JsonNode kv : field(sp, "attributes", "attributes")) s.addAttributes(keyValue(kv));
        return s.build();
    }

    private static KeyValue keyValue(JsonNode kv) throws IOException {
        return KeyValue.newBuilder()
                .setKey(kv.path("key").asText(""))
                .setValue(anyValue(kv.path("value")))
                .build();
    }

    private static AnyValue anyValue(JsonNode v) throws IOException {
        AnyValue.Builder a = AnyValue.newBuilder();
        if (v.has("stringValue") || v.has("string_value"))
            return a.setStringValue(field(v, "stringValue", "string_value").asText()).build();
        if (v.has("boolValue") || v.has("bool_value"))
            return a.setBoolValue(field(v, "boolValue", "bool_value").asBoolean()).build();
        if (v.has("intValue") || v.has("int_value"))
            return a.setIntValue(int64(field(v, "intValue", "int_value"), "intValue")).build();
        if (v.has("doubleValue") || v.has("double_value"))
            return a.setDoubleValue(field(v, "doubleValue", "double_value").asDouble()).build();
        if (v.has("bytesValue") || v.has("bytes_value")) {
            return a.setBytesValue(
                            ByteString.copyFrom(
                                    Base64.getDecoder()
                                            .decode(
                                                    field(v, "bytesValue", "bytes_value")
                                                            .asText())))
                    .build();
        }
        if (v.has("arrayValue") || v.has("array_value")) {
            ArrayValue.Builder arr = ArrayValue.newBuilder();
            for (JsonNode e : field(v, "arrayValue", "array_value").path("values"))
                arr.addValues(anyValue(e));
            return a.setArrayValue(arr).build();
        }
        if (v.has("kvlistValue") || v.has("kvlist_value")) {
            KeyValueList.Builder list = KeyValueList.newBuilder();
            for (JsonNode e : field(v, "kvlistValue", "kvlist_value").path("values"))
                list.addValues(keyValue(e));
            return a.setKvlistValue(list).build();
        }
        return a.build(); // empty value: allowed by OTLP
    }

    private static JsonNode field(JsonNode n, String camel, String snake) {
        JsonNode v = n.get(camel);
        if (v == null) v = n.get(snake);
        return v == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : v;
    }

    private static ByteString hexId(String hex, int bytes, String what) throws IOException {
        if (hex.length() != 2 * bytes)
            throw new IOException(what + " '" + hex + "' is not " + bytes + " bytes of hex");
        try {
            return ByteString.copyFrom(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            throw new IOException(what + " '" + hex + "' is not hex");
        }
    }

    private static long int64(JsonNode n, String what) throws IOException {
        if (n.isIntegralNumber()) return n.asLong();
        try {
            return Long.parseLong(n.asText());
        } catch (NumberFormatException e) {
            throw new IOException(what + " '" + n.asText() + "' is not an integer");
        }
    }

    private static long uint64(JsonNode n, String what) throws IOException {
        if (n.isMissingNode()) return 0;
        if (n.isIntegralNumber()) return n.asLong();
        try {
            return Long.parseUnsignedLong(n.asText());
        } catch (NumberFormatException e) {
            throw new IOException(what + " '" + n.asText() + "' is not an unsigned integer");
        }
    }
}
