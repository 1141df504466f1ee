package io.carbonstream.otlp;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Limits;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.Rejection;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.ingest.Validator;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka deserializer of a topic written by the OpenTelemetry Collector's Kafka exporter: each
 * record is one ExportTraceServiceRequest, encoding otlp_proto or otlp_json (told apart by the
 * first byte: a JSON object starts with '{', a protobuf message never does). One record gives one
 * envelope per GenAI inference span; a span that cannot be mapped becomes a dead letter of its own
 * (its value: the span alone, as an ExportTraceServiceRequest with its resource and scope, in the
 * record's encoding's protobuf form, so it can be replayed); a record that does not decode is one
 * dead letter. Never throws.
 */
public final class OtlpDecoder implements KafkaRecordDeserializationSchema<RequestEnvelope> {

    private final Limits limits;
    private final SpanMapping mapping;
    private transient Validator validator;
    private transient Counter spansRead;
    private transient Counter notGenAi;
    private transient Counter notInference;
    private transient Counter spansRejected;

    public OtlpDecoder(Limits limits, SpanMapping mapping) {
        this.limits = limits;
        this.mapping = mapping;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext ctx) {
        MetricGroup g = ctx.getMetricGroup().addGroup("carbonstream").addGroup("input", "otlp");
        spansRead = g.counter("spansRead");
        notGenAi = g.counter("spansNotGenAi");
        notInference = g.counter("spansGenAiNotInference");
        spansRejected = g.counter("spansDeadLettered");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<RequestEnvelope> out) {
        decode(rec, System.currentTimeMillis(), out::collect);
    }

    /** Span counts of this reader: read, not GenAI, GenAI but not an inference, dead-lettered. */
    long[] counts() {
        return new long[] {
            spansRead.getCount(),
            notGenAi.getCount(),
            notInference.getCount(),
            spansRejected.getCount()
        };
    }

    void decode(ConsumerRecord<byte[], byte[]> rec, long nowMs, Consumer<RequestEnvelope> out) {
        if (validator == null) {
            validator = new Validator(limits);
            if (spansRead == null) { // outside a Flink source (unit tests)
                spansRead = new SimpleCounter();
                notGenAi = new SimpleCounter();
                notInference = new SimpleCounter();
                spansRejected = new SimpleCounter();
            }
        }
        if (rec.value() == null) {
            out.accept(
                    RequestEnvelope.rejected(
                            deadLetter(
                                    rec,
                                    Reason.NULL_VALUE,
                                    "tombstone on the OTLP spans topic",
                                    rec.key(),
                                    null)));
            return;
        }
        ExportTraceServiceRequest batch;
        try {
            batch =
                    isJson(rec.value())
                            ? OtlpJson.parse(rec.value())
                            : ExportTraceServiceRequest.parseFrom(rec.value());
        } catch (IOException | RuntimeException e) {
            out.accept(
                    RequestEnvelope.rejected(
                            deadLetter(
                                    rec,
                                    Reason.UNDECODABLE,
                                    "not an OTLP ExportTraceServiceRequest (otlp_proto or"
                                            + " otlp_json): "
                                            + e.getMessage(),
                                    rec.key(),
                                    rec.value())));
            return;
        }
        for (ResourceSpans rs : batch.getResourceSpansList()) {
            List<KeyValue> resource = rs.getResource().getAttributesList();
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span span : ss.getSpansList()) {
                    spansRead.inc();
                    RequestEnvelope e = envelope(rec, rs, ss, span, resource, nowMs);
                    if (e != null) out.accept(e);
                }
            }
        }
    }

    private RequestEnvelope envelope(
            ConsumerRecord<byte[], byte[]> rec,
            ResourceSpans rs,
            ScopeSpans ss,
            Span span,
            List<KeyValue> resource,
            long nowMs) {
        SpanMapping.Outcome o = mapping.map(resource, span);
        if (o.skip() != null) {
            (o.skip() == SpanMapping.Skip.NOT_GENAI ? notGenAi : notInference).inc();
            return null; // not a request: counted, not emitted
        }
        byte[] id = SpanMapping.requestId(span).getBytes(StandardCharsets.UTF_8);
        if (o.request() == null) return reject(rec, o.reason(), o.message(), id, rs, ss, span);
        InferenceRequest r = o.request();
        r.sourcePartition = rec.partition();
        r.sourceOffset = rec.offset();
        r.sourceTimestamp = rec.timestamp();
        r.sourceKey = id;
        r.sourceTopic = rec.topic();
        Rejection why = validator.check(r, nowMs);
        return why == null
                ? RequestEnvelope.valid(r)
                : reject(rec, why.reason(), why.message(), id, rs, ss, span);
    }

    private RequestEnvelope reject(
            ConsumerRecord<byte[], byte[]> rec,
            Reason reason,
            String message,
            byte[] id,
            ResourceSpans rs,
            ScopeSpans ss,
            Span span) {
        spansRejected.inc();
        byte[] alone =
                ExportTraceServiceRequest.newBuilder()
                        .addResourceSpans(
                                ResourceSpans.newBuilder()
                                        .setResource(rs.getResource())
                                        .setSchemaUrl(rs.getSchemaUrl())
                                        .addScopeSpans(
                                                ScopeSpans.newBuilder()
                                                        .setScope(ss.getScope())
                                                        .setSchemaUrl(ss.getSchemaUrl())
                                                        .addSpans(span)))
                        .build()
                        .toByteArray();
        return RequestEnvelope.rejected(deadLetter(rec, reason, message, id, alone));
    }

    private static DeadLetterRecord deadLetter(
            ConsumerRecord<byte[], byte[]> rec,
            Reason reason,
            String message,
            byte[] key,
            byte[] value) {
        return DeadLetterRecord.of(
                reason,
                message,
                rec.topic(),
                rec.partition(),
                rec.offset(),
                rec.timestamp(),
                key,
                value);
    }

    static boolean isJson(byte[] b) {
        for (byte x : b) {
            if (x == ' ' || x == '\n' || x == '\r' || x == '\t') continue;
            return x == '{';
        }
        return false;
    }

    @Override
    public TypeInformation<RequestEnvelope> getProducedType() {
        return TypeInformation.of(RequestEnvelope.class);
    }
}
