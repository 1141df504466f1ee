package io.carbonstream.otlp;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.ingest.Reason;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns one OpenTelemetry span into an inference request, following the GenAI semantic conventions
 * (gen_ai.operation.name, gen_ai.request.model / gen_ai.response.model, gen_ai.usage.input_tokens /
 * output_tokens), with the datacenter and the catalog model id mapped as the user configures. Plain
 * Java: unit tested without Flink.
 *
 * <p>A span without gen_ai.operation.name is not GenAI (skipped, counted); a GenAI span that is not
 * a model inference (tools, agents: their model calls have spans of their own, counting both would
 * count twice) is skipped too; a GenAI inference span that cannot be mapped is rejected with a
 * reason that names what is missing.
 */
public final class SpanMapping implements Serializable {

    /**
     * Attributes carbonstream reads beyond the GenAI conventions (no convention covers them yet).
     */
    public static final String ATTR_IMAGES = "carbonstream.images";

    public static final String ATTR_DIFFUSION_STEPS = "carbonstream.diffusion_steps";
    public static final String ATTR_MEDIA_SECONDS = "carbonstream.media_seconds";
    public static final String ATTR_ACTIVE_PARAMS_B = "carbonstream.model.active_params_b";

    /** Default attributes of a request's GPUs (docs/bring-your-own-events.md says why these). */
    public static final String ATTR_GPU_IDS = "carbonstream.gpu.ids";

    public static final String ATTR_GPU_INDICES = "carbonstream.gpu.indices";

    /**
     * How a span's datacenter is found: the value of an attribute matched against a glob.
     *
     * @param attribute a resource (then span) attribute, e.g. cloud.region, k8s.cluster.name,
     *     host.name
     * @param glob a pattern of that value, '*' and '?' as wildcards
     */
    public record Rule(String attribute, String glob, String datacenterId) implements Serializable {

        /** Parses "attribute=glob->datacenter". */
        public static Rule parse(String text) {
            int arrow = text.lastIndexOf("->");
            int eq = text.indexOf('=');
            if (arrow < 0 || eq < 0 || eq > arrow) {
                throw new IllegalArgumentException(
                        "'"
                                + text
                                + "' is not attribute=glob->datacenter, e.g."
                                + " cloud.region=us-west-2->dc-us-west-1");
            }
            Rule r =
                    new Rule(
                            text.substring(0, eq).trim(),
                            text.substring(eq + 1, arrow).trim(),
                            text.substring(arrow + 2).trim());
            if (r.attribute.isEmpty() || r.glob.isEmpty() || r.datacenterId.isEmpty()) {
                throw new IllegalArgumentException(
                        "'" + text + "' has an empty attribute, pattern or datacenter");
            }
            return r;
        }

        public boolean matches(String value) {
            StringBuilder regex = new StringBuilder();
            for (char c : glob.toCharArray()) {
                if (c == '*') regex.append(".*");
                else if (c == '?') regex.append('.');
                else regex.append(Pattern.quote(String.valueOf(c)));
            }
            return value.matches(regex.toString());
        }
    }

    /**
     * What the user configures.
     *
     * @param datacenterAttribute a resource attribute that holds the datacenter id itself, tried
     *     first
     * @param rules tried in order when that attribute is absent
     * @param modelAliases provider model names to catalog ids; names not listed pass through as
     *     they are
     * @param energyAttribute span attribute with the measured GPU joules of the request, if any
     * @param gpuCountAttribute span or resource attribute with the GPU count (1 when absent)
     * @param gpuIdsAttribute span or resource attribute: the ids of the GPUs that served the
     *     request, a string array
     * @param gpuIndicesAttribute span or resource attribute: their device indices on the host, an
     *     int array (ids host:index)
     * @param hostAttribute resource or span attribute naming the host the indices are on
     */
    public record Settings(
            String datacenterAttribute,
            List<Rule> rules,
            Map<String, String> modelAliases,
            String energyAttribute,
            String gpuCountAttribute,
            String gpuIdsAttribute,
            String gpuIndicesAttribute,
            String hostAttribute)
            implements Serializable {

        /** Settings with the default GPU identity attributes. */
        public Settings(
                String datacenterAttribute,
                List<Rule> rules,
                Map<String, String> modelAliases,
                String energyAttribute,
                String gpuCountAttribute) {
            this(
                    datacenterAttribute,
                    rules,
                    modelAliases,
                    energyAttribute,
                    gpuCountAttribute,
                    ATTR_GPU_IDS,
                    ATTR_GPU_INDICES,
                    "host.name");
        }
    }

    /** The outcome for one span. Exactly one of request, rejection, skip is set. */
    public record Outcome(InferenceRequest request, Reason reason, String message, Skip skip) {
        static Outcome skip(Skip s) {
            return new Outcome(null, null, null, s);
        }

        static Outcome reject(Reason reason, String message) {
            return new Outcome(null, reason, message, null);
        }
    }

    public enum Skip {
        NOT_GENAI,
        NOT_INFERENCE
    }

    private final Settings settings;

    public SpanMapping(Settings settings) {
        this.settings = settings;
    }

    /** The request id of a span: its trace id and span id, hex, the key of de-duplication. */
    public static String requestId(Span span) {
        HexFormat hex = HexFormat.of();
        return hex.formatHex(span.getTraceId().toByteArray())
                + "-"
                + hex.formatHex(span.getSpanId().toByteArray());
    }

    public Outcome map(List<KeyValue> resource, Span span) {
        String operation = string(span.getAttributesList(), "gen_ai.operation.name");
        if (operation == null) return Outcome.skip(Skip.NOT_GENAI);
        Modality modality =
                modality(operation, string(span.getAttributesList(), "gen_ai.output.type"));
        if (modality == null) return Outcome.skip(Skip.NOT_INFERENCE);

        String dc = datacenter(resource, span.getAttributesList());
        if (dc == null) {
            return Outcome.reject(
                    Reason.UNMAPPED_DATACENTER,
                    "no datacenter for this span: its resource has no "
                            + settings.datacenterAttribute()
                            + " attribute and no rule of --otlp.datacenter-rules matches "
                            + describe(resource)
                            + "; add a rule such as cloud.region=<region>-><datacenter id>");
        }
        String model = string(span.getAttributesList(), "gen_ai.response.model");
        if (model == null) model = string(span.getAttributesList(), "gen_ai.request.model");
        if (model == null) {
            return Outcome.reject(
                    Reason.MISSING_FIELD,
                    "GenAI span '"
                            + span.getName()
                            + "' has neither gen_ai.response.model"
                            + " nor gen_ai.request.model");
        }
        InferenceRequest r = new InferenceRequest();
        r.requestId = requestId(span);
        // Event time is the span's end, when the request was served: a span reaches Kafka only
        // after it
        // ends, so its start would make every long generation (minutes of video) arrive behind the
        // watermark by its own duration. The intensity in force differs little across one request.
        long start = span.getStartTimeUnixNano();
        long end = span.getEndTimeUnixNano();
        r.eventTime = (end > start ? end : start) / 1_000_000L;
        r.durationMs = end > start ? (end - start) / 1_000_000L : 0;
        r.datacenterId = dc;
        r.modelId = settings.modelAliases().getOrDefault(model, model);
        r.modality = modality;
        Long in = integer(span.getAttributesList(), "gen_ai.usage.input_tokens");
        Long out = integer(span.getAttributesList(), "gen_ai.usage.output_tokens");
        r.inputTokens = in == null ? 0 : in;
        r.outputTokens = out == null ? 0 : out;
        if ((modality == Modality.TEXT && out == null)
                || (modality == Modality.EMBEDDING && in == null)) {
            return Outcome.reject(
                    Reason.MISSING_FIELD,
                    "GenAI "
                            + operation
                            + " span has no gen_ai.usage."
                            + (modality == Modality.TEXT ? "output_tokens" : "input_tokens")
                            + ": its energy cannot be estimated");
        }
        Long images = integer(span.getAttributesList(), ATTR_IMAGES);
        if (images == null)
            images = integer(span.getAttributesList(), "gen_ai.request.choice.count");
        r.images =
                modality == Modality.IMAGE
                        ? (int) Math.min(Integer.MAX_VALUE, images == null ? 1 : images)
                        : 0;
        Long steps = integer(span.getAttributesList(), ATTR_DIFFUSION_STEPS);
        r.diffusionSteps = steps == null ? 0 : (int) Math.min(Integer.MAX_VALUE, steps);
        Double seconds = number(span.getAttributesList(), ATTR_MEDIA_SECONDS);
        if ((modality == Modality.VIDEO || modality == Modality.AUDIO) && seconds == null) {
            return Outcome.reject(
                    Reason.MISSING_FIELD,
                    "GenAI "
                            + operation
                            + " span has no "
                            + ATTR_MEDIA_SECONDS
                            + ": the generated duration is what its energy scales with");
        }
        r.mediaSeconds = seconds == null ? 0 : seconds;
        GpuIds ids = gpuIds(resource, span.getAttributesList());
        if (ids.problem() != null) return Outcome.reject(ids.reason(), ids.problem());
        r.gpuIds =
                ids.ids().length == 0
                        ? null
                        : ids.ids(); // as the Avro decoder leaves a request that names none
        Long gpus = integer(span.getAttributesList(), settings.gpuCountAttribute());
        if (gpus == null) gpus = integer(resource, settings.gpuCountAttribute());
        // Without a count, the GPUs named are the count: a request on 4 GPUs that names them ran on
        // 4.
        if (gpus == null && r.gpuIds != null) gpus = (long) r.gpuIds.length;
        r.gpuCount =
                gpus == null
                        ? 1
                        : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, gpus));
        r.measuredGpuJoules = number(span.getAttributesList(), settings.energyAttribute());
        r.activeParamsB = number(span.getAttributesList(), ATTR_ACTIVE_PARAMS_B);
        return new Outcome(r, null, null, null);
    }

    /** The GPU ids of a span (empty when it names none), or why they cannot be read. */
    record GpuIds(String[] ids, Reason reason, String problem) {
        static GpuIds bad(Reason reason, String problem) {
            return new GpuIds(null, reason, problem);
        }
    }

    /**
     * The GPUs a span ran on, as the energy counters name them. No OpenTelemetry convention covers
     * a request's GPUs, so two attributes of ours, each looked up on the span, then on its resource
     * (a server pinned to its GPUs may say so once, on the resource): a string array of GPU ids
     * (the UUIDs DCGM and Triton label their counters with), or else an int array of device indices
     * on the host named by the host attribute (host.name, the resource convention), each becoming
     * host:index, the id counter readings use when they have no UUID. Ids win when both are
     * present. A value of the wrong type, an empty id, a negative index or a GPU named twice (it
     * would be counted twice on its timeline) is rejected, never guessed.
     */
    GpuIds gpuIds(List<KeyValue> resource, List<KeyValue> spanAttributes) {
        String idsKey = settings.gpuIdsAttribute();
        AnyValue ids = value(spanAttributes, idsKey);
        if (ids == null) ids = value(resource, idsKey);
        List<String> out = new ArrayList<>();
        if (ids != null) {
            if (ids.hasStringValue()) {
                out.add(ids.getStringValue()); // one GPU: a plain string is an array of one
            } else if (ids.hasArrayValue()) {
                for (AnyValue v : ids.getArrayValue().getValuesList()) {
                    if (!v.hasStringValue()) {
                        return GpuIds.bad(
                                Reason.INVALID_VALUE,
                                idsKey + " holds a " + kind(v) + " where GPU ids are strings");
                    }
                    out.add(v.getStringValue());
                }
            } else {
                return GpuIds.bad(
                        Reason.INVALID_VALUE,
                        idsKey + " is a " + kind(ids) + ", not an array of GPU id strings");
            }
            for (String id : out) {
                if (id.isBlank())
                    return GpuIds.bad(Reason.INVALID_VALUE, idsKey + " holds an empty GPU id");
            }
        } else {
            String indicesKey = settings.gpuIndicesAttribute();
            AnyValue indices = value(spanAttributes, indicesKey);
            if (indices == null) indices = value(resource, indicesKey);
            if (indices == null) return new GpuIds(new String[0], null, null);
            List<AnyValue> values =
                    indices.hasArrayValue()
                            ? indices.getArrayValue().getValuesList()
                            : List.of(indices);
            String host = string(resource, settings.hostAttribute());
            if (host == null) host = string(spanAttributes, settings.hostAttribute());
            if (host == null || host.isBlank()) {
                return GpuIds.bad(
                        Reason.MISSING_FIELD,
                        indicesKey
                                + " gives device indices but neither the resource nor the span has "
                                + settings.hostAttribute()
                                + " to say whose: the GPU ids would be ambiguous");
            }
            for (AnyValue v : values) {
                Long i =
                        v.hasIntValue()
                                ? Long.valueOf(v.getIntValue())
                                : v.hasStringValue() ? parseIndex(v.getStringValue()) : null;
                if (i == null || i < 0) {
                    return GpuIds.bad(
                            Reason.INVALID_VALUE,
                            indicesKey
                                    + " holds "
                                    + (v.hasStringValue()
                                            ? "'" + v.getStringValue() + "'"
                                            : kind(v))
                                    + " where a device index (an integer >= 0) is expected");
                }
                out.add(host + ":" + i);
            }
        }
        if (out.stream().distinct().count() < out.size()) {
            return GpuIds.bad(
                    Reason.INVALID_VALUE,
                    "the span names a GPU twice "
                            + out
                            + ": its energy would be shared as if two requests ran");
        }
        return new GpuIds(out.toArray(new String[0]), null, null);
    }

    private static Long parseIndex(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String kind(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> "string";
            case BOOL_VALUE -> "boolean";
            case INT_VALUE -> "integer";
            case DOUBLE_VALUE -> "double";
            case ARRAY_VALUE -> "array";
            case KVLIST_VALUE -> "key-value list";
            case BYTES_VALUE -> "bytes value";
            default -> "empty value";
        };
    }

    /**
     * The modality of a GenAI operation, or null when it is not a model inference. Names from the
     * GenAI conventions (chat, text_completion, generate_content, embeddings); image and video
     * generation have no name there yet, the usual ones are accepted, and gen_ai.output.type
     * (image, speech) refines a generic operation.
     */
    static Modality modality(String operation, String outputType) {
        Modality m =
                switch (operation) {
                    case "chat", "text_completion", "generate_content", "completion" ->
                            Modality.TEXT;
                    case "embeddings", "embedding" -> Modality.EMBEDDING;
                    case "image_generation", "images", "generate_image" -> Modality.IMAGE;
                    case "video_generation", "generate_video" -> Modality.VIDEO;
                    case "speech", "audio_generation", "text_to_speech" -> Modality.AUDIO;
                    default -> null;
                };
        if (m == Modality.TEXT && "image".equals(outputType)) return Modality.IMAGE;
        if (m == Modality.TEXT && "speech".equals(outputType)) return Modality.AUDIO;
        return m;
    }

    private String datacenter(List<KeyValue> resource, List<KeyValue> spanAttributes) {
        String direct = string(resource, settings.datacenterAttribute());
        if (direct != null && !direct.isBlank()) return direct;
        for (Rule rule : settings.rules()) {
            String v = string(resource, rule.attribute());
            if (v == null) v = string(spanAttributes, rule.attribute());
            if (v != null && rule.matches(v)) return rule.datacenterId();
        }
        return null;
    }

    private String describe(List<KeyValue> resource) {
        List<String> seen = new ArrayList<>();
        for (Rule rule : settings.rules()) {
            String v = string(resource, rule.attribute());
            seen.add(rule.attribute() + "=" + (v == null ? "(absent)" : v));
        }
        return seen.isEmpty() ? "(no rules configured)" : String.join(", ", seen);
    }

    static AnyValue value(List<KeyValue> attributes, String key) {
        if (key == null) return null;
        for (KeyValue kv : attributes) if (kv.getKey().equals(key)) return kv.getValue();
        return null;
    }

    static String string(List<KeyValue> attributes, String key) {
        AnyValue v = value(attributes, key);
        if (v == null) return null;
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> Long.toString(v.getIntValue());
            case ARRAY_VALUE ->
                    v.getArrayValue().getValuesCount() > 0
                                    && v.getArrayValue().getValues(0).hasStringValue()
                            ? v.getArrayValue().getValues(0).getStringValue()
                            : null;
            default -> null;
        };
    }

    static Long integer(List<KeyValue> attributes, String key) {
        AnyValue v = value(attributes, key);
        if (v == null) return null;
        return switch (v.getValueCase()) {
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> (long) v.getDoubleValue();
            case STRING_VALUE -> {
                try {
                    yield Long.parseLong(v.getStringValue().trim());
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }

    static Double number(List<KeyValue> attributes, String key) {
        AnyValue v = value(attributes, key);
        if (v == null) return null;
        return switch (v.getValueCase()) {
            case DOUBLE_VALUE -> v.getDoubleValue();
            case INT_VALUE -> (double) v.getIntValue();
            case STRING_VALUE -> {
                try {
                    yield Double.parseDouble(v.getStringValue().trim());
                } catch (NumberFormatException e) {
                    yield null;
                }
            }
            default -> null;
        };
    }
}
