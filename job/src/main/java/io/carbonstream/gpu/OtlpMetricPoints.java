package io.carbonstream.gpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the number data points of an OTLP/JSON ExportMetricsServiceRequest (what the OpenTelemetry
 * Collector's Kafka exporter writes with encoding otlp_json): resourceMetrics / scopeMetrics /
 * metrics, each metric a sum or a gauge of dataPoints with asDouble or asInt, timeUnixNano and
 * attributes. Only metrics whose name is wanted are read point by point (a scrape has hundreds);
 * the others are counted. Field names in lowerCamelCase (OTLP/JSON) or snake_case, 64-bit integers
 * as strings or numbers, enums as numbers or names, as OtlpJson reads traces.
 */
public final class OtlpMetricPoints {

    /**
     * One point. attributes: the point's, then (where the point has no such key) its resource's, as
     * strings. value NaN with problem set when the point holds no usable value. json: the point
     * alone with its metric, scope and resource, as OTLP/JSON, to dead-letter it replayably.
     */
    public record Point(
            String metric,
            String unit,
            Map<String, String> attributes,
            double value,
            long timeUnixNano,
            String problem,
            byte[] json) {}

    /** The points of wanted metrics and how many points of other metrics were passed over. */
    public record Result(List<Point> points, int otherPoints) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NO_RECORDED_VALUE = 1; // DataPointFlags.FLAG_NO_RECORDED_VALUE

    private OtlpMetricPoints() {}

    public static Result parse(byte[] bytes, Predicate<String> wanted) throws IOException {
        JsonNode root = JSON.readTree(bytes);
        if (root == null || !root.isObject()) throw new IOException("not a JSON object");
        JsonNode rms = field(root, "resourceMetrics", "resource_metrics");
        if (!rms.isArray())
            throw new IOException("no resourceMetrics array: not an ExportMetricsServiceRequest");
        List<Point> points = new ArrayList<>();
        int other = 0;
        for (JsonNode rm : rms) {
            JsonNode resource = field(rm, "resource", "resource");
            Map<String, String> resourceAttributes =
                    attributes(field(resource, "attributes", "attributes"));
            for (JsonNode sm : field(rm, "scopeMetrics", "scope_metrics")) {
                for (JsonNode m : field(sm, "metrics", "metrics")) {
                    String name = m.path("name").asText("");
                    String kind = m.has("sum") ? "sum" : m.has("gauge") ? "gauge" : null;
                    JsonNode data = kind == null ? MissingNode.getInstance() : m.get(kind);
                    JsonNode dps = field(data, "dataPoints", "data_points");
                    if (!wanted.test(name)) {
                        other += Math.max(1, dps.size());
                        continue;
                    }
                    String temporality =
                            kind != null && kind.equals("sum")
                                    ? temporality(
                                            field(
                                                    data,
                                                    "aggregationTemporality",
                                                    "aggregation_temporality"))
                                    : null;
                    if (kind == null || dps.isEmpty()) {
                        points.add(
                                new Point(
                                        name,
                                        m.path("unit").asText(""),
                                        resourceAttributes,
                                        Double.NaN,
                                        0,
                                        "metric "
                                                + name
                                                + " has no sum or gauge data points (histograms and"
                                                + " summaries are not counters)",
                                        alone(rm, sm, m, kind, data, null)));
                        continue;
                    }
                    for (JsonNode dp : dps) {
                        Map<String, String> attrs = new HashMap<>(resourceAttributes);
                        attrs.putAll(attributes(dp.path("attributes")));
                        String problem = null;
                        double value = Double.NaN;
                        long time = 0;
                        try {
                            time = uint64(field(dp, "timeUnixNano", "time_unix_nano"));
                            if ((dp.path("flags").asInt(0) & NO_RECORDED_VALUE) != 0) {
                                problem =
                                        "the point is flagged no recorded value (its target went"
                                                + " away): not a reading";
                            } else if (dp.has("asDouble") || dp.has("as_double")) {
                                value = number(field(dp, "asDouble", "as_double"));
                            } else if (dp.has("asInt") || dp.has("as_int")) {
                                value = (double) int64(field(dp, "asInt", "as_int"));
                            } else {
                                problem = "the point has neither asDouble nor asInt";
                            }
                            if (problem == null && "DELTA".equals(temporality)) {
                                problem =
                                        "the sum has DELTA temporality: carbonstream reads the"
                                                + " cumulative counter (drop a cumulativetodelta"
                                                + " processor)";
                            }
                            if (problem == null && time == 0)
                                problem = "the point has no timeUnixNano";
                        } catch (IOException e) {
                            problem = e.getMessage();
                        }
                        points.add(
                                new Point(
                                        name,
                                        m.path("unit").asText(""),
                                        attrs,
                                        value,
                                        time,
                                        problem,
                                        alone(rm, sm, m, kind, data, dp)));
                    }
                }
            }
        }
        return new Result(points, other);
    }

    /**
     * The temporality of a sum: DELTA, CUMULATIVE or UNSPECIFIED, from a number or an enum name.
     */
    static String temporality(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return "UNSPECIFIED";
        String t =
                n.isNumber()
                        ? switch (n.asInt()) {
                            case 1 -> "DELTA";
                            case 2 -> "CUMULATIVE";
                            default -> "UNSPECIFIED";
                        }
                        : n.asText();
        return t.startsWith("AGGREGATION_TEMPORALITY_")
                ? t.substring("AGGREGATION_TEMPORALITY_".length())
                : t;
    }

    private static final Set<String> SPECIAL = Set.of("NaN", "Infinity", "-Infinity");

    private static double number(JsonNode n) throws IOException {
        if (n.isNumber()) return n.asDouble();
        // proto3 JSON writes non-finite doubles as these strings; numbers may also come quoted.
        if (n.isTextual()) {
            String s = n.asText();
            if (SPECIAL.contains(s)) return Double.parseDouble(s);
            try {
                if (s.matches("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?"))
                    return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new IOException("asDouble " + n + " is not a number");
    }

    private static long int64(JsonNode n) throws IOException {
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.asLong();
        try {
            if (n.isTextual()) return Long.parseLong(n.asText());
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new IOException("asInt " + n + " is not a 64-bit integer");
    }

    private static long uint64(JsonNode n) throws IOException {
        if (n.isMissingNode() || n.isNull()) return 0;
        if (n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0) return n.asLong();
        try {
            if (n.isTextual()) return Long.parseUnsignedLong(n.asText());
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new IOException("timeUnixNano " + n + " is not an unsigned integer of nanoseconds");
    }

    /**
     * Attribute values as strings: string, int, double and bool values; arrays and lists are left
     * out.
     */
    private static Map<String, String> attributes(JsonNode kvs) {
        Map<String, String> out = new HashMap<>();
        for (JsonNode kv : kvs) {
            JsonNode v = kv.path("value");
            JsonNode s =
                    v.has("stringValue")
                            ? v.get("stringValue")
                            : v.has("string_value")
                                    ? v.get("string_value")
                                    : v.has("intValue")
                                            ? v.get("intValue")
                                            : v.has("int_value")
                                                    ? v.get("int_value")
                                                    : v.has("doubleValue")
                                                            ? v.get("doubleValue")
                                                            : v.has("double_value")
                                                                    ? v.get("double_value")
                                                                    : v.has("boolValue")
                                                                            ? v.get("boolValue")
                                                                            : v.get("bool_value");
            if (s != null && s.isValueNode()) out.put(kv.path("key").asText(""), s.asText());
        }
        return out;
    }

    /**
     * One point in its metric, scope and resource: a request of its own, replayable on the same
     * topic.
     */
    private static byte[] alone(
            JsonNode rm, JsonNode sm, JsonNode m, String kind, JsonNode data, JsonNode dp) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode r = root.putArray("resourceMetrics").addObject();
        JsonNode resource = field(rm, "resource", "resource");
        if (!resource.isMissingNode()) r.set("resource", resource);
        ObjectNode s = r.putArray("scopeMetrics").addObject();
        JsonNode scope = field(sm, "scope", "scope");
        if (!scope.isMissingNode()) s.set("scope", scope);
        ObjectNode metric = s.putArray("metrics").addObject();
        m.fields()
                .forEachRemaining(
                        e -> {
                            if (!e.getKey().equals("sum") && !e.getKey().equals("gauge"))
                                metric.set(e.getKey(), e.getValue());
                        });
        if (kind != null) {
            ObjectNode d = metric.putObject(kind);
            data.fields()
                    .forEachRemaining(
                            e -> {
                                if (!e.getKey().equals("dataPoints")
                                        && !e.getKey().equals("data_points"))
                                    d.set(e.getKey(), e.getValue());
                            });
            if (dp != null) d.putArray("dataPoints").add(dp);
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode field(JsonNode n, String camel, String snake) {
        JsonNode v = n.get(camel);
        if (v == null) v = n.get(snake);
        return v == null ? MissingNode.getInstance() : v;
    }
}
