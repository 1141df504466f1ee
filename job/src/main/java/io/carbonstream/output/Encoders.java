package io.carbonstream.output;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.RestatementRecord;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.alert.AlertRecord;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.SchemaRegistryClient;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.AlertState;
import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.Dimension;
import io.carbonstream.schema.ExposedDatacenter;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import io.carbonstream.schema.WindowKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka serializers of the outputs: plain Avro binary values (or registry-framed, {@link
 * #inWireFormat}), UTF-8 keys.
 */
public final class Encoders {

    private Encoders() {}

    /** A serializer of one topic's values of one schema. */
    public interface Typed {
        String topic();

        Schema valueSchema();
    }

    /**
     * The serializer itself when {@code registry} is null; otherwise one that frames its values in
     * the schema-registry wire format (0x00, the 4-byte big-endian schema id, then the Avro
     * binary), after registering the value schema under subject {@code <topic>-value}. Registers
     * here, once per sink, where the job is built: a registry that refuses stops the deployment
     * with a message, never a running job.
     */
    public static <T> KafkaRecordSerializationSchema<T> inWireFormat(
            KafkaRecordSerializationSchema<T> serializer, SchemaRegistryClient registry) {
        if (registry == null) return serializer;
        if (!(serializer instanceof Typed typed))
            throw new IllegalArgumentException(
                    serializer.getClass() + " does not say its value schema");
        String subject = typed.topic() + "-value";
        try {
            return new Framed<>(serializer, registry.register(subject, typed.valueSchema()));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "--output.wire-format REGISTRY: cannot register the schema of topic "
                            + typed.topic()
                            + " with "
                            + registry.url()
                            + ": "
                            + e.getMessage());
        }
    }

    /** Prefixes each value of the inner serializer with the frame of one schema id. */
    static final class Framed<T> implements KafkaRecordSerializationSchema<T> {
        private final KafkaRecordSerializationSchema<T> inner;
        private final int schemaId;

        Framed(KafkaRecordSerializationSchema<T> inner, int schemaId) {
            this.inner = inner;
            this.schemaId = schemaId;
        }

        @Override
        public void open(
                SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext)
                throws Exception {
            inner.open(context, sinkContext);
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                T element, KafkaSinkContext ctx, Long timestamp) {
            ProducerRecord<byte[], byte[]> r = inner.serialize(element, ctx, timestamp);
            byte[] framed =
                    ByteBuffer.allocate(5 + r.value().length)
                            .put((byte) 0)
                            .putInt(schemaId)
                            .put(r.value())
                            .array();
            return new ProducerRecord<>(
                    r.topic(), r.partition(), r.timestamp(), r.key(), framed, r.headers());
        }
    }

    public static Aggregate toAvro(AggregateRecord a) {
        Totals t = a.totals;
        double kwh = t.facilityKwh;
        return Aggregate.newBuilder()
                .setWindow(WindowKind.valueOf(a.window.name()))
                .setWindowStart(Instant.ofEpochMilli(a.windowStart))
                .setWindowEnd(Instant.ofEpochMilli(a.windowEnd))
                .setDimension(Dimension.valueOf(a.dimension.name()))
                .setDatacenterId(a.datacenterId)
                .setModelId(a.modelId)
                .setRequests(t.requests)
                .setInputTokens(t.inputTokens)
                .setOutputTokens(t.outputTokens)
                .setImages(t.images)
                .setMediaSeconds(t.mediaSeconds)
                .setGpuJoules(t.gpuJoules)
                .setFacilityKwh(kwh)
                .setLocationGco2e(t.locationG)
                // Market-based only when every request had a contractual factor: a partial figure
                // would mislead.
                .setMarketGco2e(t.marketRequests == t.requests && t.requests > 0 ? t.marketG : null)
                .setMeanIntensity(
                        kwh > 0 ? t.locationG / kwh : (t.requests > 0 ? t.lowestIntensity() : 0.0))
                .setMinIntensity(t.requests > 0 ? t.lowestIntensity() : 0.0)
                .setMaxIntensity(t.requests > 0 ? t.highestIntensity() : 0.0)
                .setWaterL(t.waterL)
                .setMeasuredEnergyShare(t.gpuJoules > 0 ? t.measuredGpuJoules / t.gpuJoules : 0.0)
                .setMeteredAttributedShare(
                        t.gpuJoules > 0 ? t.meteredAttributedGpuJoules / t.gpuJoules : 0.0)
                .setFallbackShare(kwh > 0 ? t.fallbackKwh / kwh : 0.0)
                .setStaleShare(kwh > 0 ? t.staleKwh / kwh : 0.0)
                .setMethodology(a.methodology)
                .setRevision(a.revision)
                .setRevisionReason(a.revisionReason == null ? "FIRST_EMISSION" : a.revisionReason)
                .setEmissionFactorType(
                        a.emissionFactorType == null ? "lifecycle" : a.emissionFactorType)
                .setMeasurementRejectedShare(
                        t.gpuJoules > 0 ? t.rejectedMeasurementGpuJoules / t.gpuJoules : 0.0)
                .setZone(a.zone)
                .setOrganisation(a.organisation)
                .setEmbodiedGco2e(t.embodiedG)
                .setFacilityKwhLow(t.facilityKwhLow)
                .setFacilityKwhHigh(t.facilityKwhHigh)
                .setLocationGco2eLow(t.locationGLow)
                .setLocationGco2eHigh(t.locationGHigh)
                .setAlternativeFactorType(a.alternativeFactorType)
                .setLocationGco2eAlternative(t.alternativeFigure())
                .setAlternativePricedShare(t.alternativeShare())
                .build();
    }

    public static DeadLetter toAvro(DeadLetterRecord d) {
        return DeadLetter.newBuilder()
                .setReason(d.reason.name())
                .setMessage(d.message)
                .setSourceTopic(d.sourceTopic)
                .setSourcePartition(d.sourcePartition)
                .setSourceOffset(d.sourceOffset)
                .setSourceTimestamp(d.sourceTimestamp)
                .setKey(d.key == null ? null : ByteBuffer.wrap(d.key))
                .setValue(d.value == null ? null : ByteBuffer.wrap(d.value))
                .setDetectedAtWatermark(d.watermark)
                .build();
    }

    public static Alert toAvro(AlertRecord a) {
        List<ExposedDatacenter> exposed = new ArrayList<>();
        for (int i = 0; i < a.datacenters.length; i++)
            exposed.add(new ExposedDatacenter(a.datacenters[i], a.kwhPerMinute[i]));
        return Alert.newBuilder()
                .setAlertId(a.alertId)
                .setKind(io.carbonstream.schema.AlertKind.valueOf(a.kind.name()))
                .setState(a.raised ? AlertState.RAISED : AlertState.CLEARED)
                .setSubject(a.subject)
                .setEventTime(Instant.ofEpochMilli(a.eventTime))
                .setStartedAt(Instant.ofEpochMilli(a.startedAt))
                .setValue(a.value)
                .setBaseline(a.baseline)
                .setThreshold(a.threshold)
                .setExtraGPerHour(a.extraGPerHour)
                .setDatacenters(exposed)
                .setMessage(a.message)
                .setLeadTimeMs(a.leadTimeMs)
                .setProjectedGco2e(a.projectedG)
                .setAvoidableGco2e(a.avoidableG)
                .setAlternativeZone(a.alternativeZone)
                .build();
    }

    public static Restatement toAvro(RestatementRecord r) {
        return Restatement.newBuilder()
                .setCorrectionId(r.correctionId)
                .setRecordType(RestatementRecordType.valueOf(r.type.name()))
                .setKind(CorrectionKind.valueOf(r.kind.name()))
                .setStatus(RestatementStatus.valueOf(r.status.name()))
                .setZone(r.zone)
                .setDatacenterId(r.datacenterId)
                .setModelId(r.modelId)
                .setValidFrom(Instant.ofEpochMilli(r.validFrom))
                .setOldValue(r.oldValue)
                .setNewValue(r.newValue)
                .setOldSource(r.oldSource)
                .setNewSource(r.newSource)
                .setMinuteStart(r.minuteStart == null ? null : Instant.ofEpochMilli(r.minuteStart))
                .setRequests(r.requests)
                .setDeltaFacilityKwh(r.deltaFacilityKwh)
                .setDeltaLocationGco2e(r.deltaLocationG)
                .setDeltaMarketGco2e(r.deltaMarketG)
                .setDeltaWaterL(r.deltaWaterL)
                .setWatermark(Instant.ofEpochMilli(r.watermark))
                .setNote(r.note)
                .build();
    }

    /**
     * A serializer of one output topic: Avro binary of one record class, a UTF-8 key and a record
     * timestamp chosen per output. The one place the output codecs live: an output is this class
     * with three functions (to Avro, key, timestamp), which Flink ships with the job, hence
     * serializable.
     */
    public static class AvroOutput<T, R extends org.apache.avro.specific.SpecificRecord>
            implements KafkaRecordSerializationSchema<T>, Typed {
        private final String topic;
        private final Class<R> type;
        private final SerializableFunction<T, R> toAvro;
        private final SerializableFunction<T, byte[]> key;
        private final SerializableFunction<T, Long> timestamp;
        private transient AvroCodec<R> codec;

        /**
         * @param key the record's key bytes (null: no key)
         * @param timestamp the Kafka record timestamp, or null for the broker's time
         */
        public AvroOutput(
                String topic,
                Class<R> type,
                SerializableFunction<T, R> toAvro,
                SerializableFunction<T, byte[]> key,
                SerializableFunction<T, Long> timestamp) {
            this.topic = topic;
            this.type = type;
            this.toAvro = toAvro;
            this.key = key;
            this.timestamp = timestamp;
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public Schema valueSchema() {
            return org.apache.avro.specific.SpecificData.get().getSchema(type);
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                T element, KafkaSinkContext ctx, Long ignored) {
            if (codec == null) codec = new AvroCodec<>(type);
            return new ProducerRecord<>(
                    topic,
                    null,
                    timestamp.apply(element),
                    key.apply(element),
                    codec.encode(toAvro.apply(element)));
        }
    }

    /** A key as UTF-8 bytes. */
    public static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A Kafka record timestamp: Kafka refuses negative ones, which then become the broker's time.
     */
    public static Long nonNegative(long t) {
        return t >= 0 ? t : null;
    }

    /**
     * Restatement records keyed by correction id (not compacted: every record counts), at the
     * watermark that made them.
     */
    public static final class Restatements extends AvroOutput<RestatementRecord, Restatement> {
        public Restatements(String topic) {
            super(
                    topic,
                    Restatement.class,
                    Encoders::toAvro,
                    r -> utf8(r.correctionId),
                    r -> nonNegative(r.watermark));
        }
    }

    /** Alerts keyed by kind|subject: a compacted topic keeps each subject's latest state. */
    public static final class Alerts extends AvroOutput<AlertRecord, Alert> {
        public Alerts(String topic) {
            super(
                    topic,
                    Alert.class,
                    Encoders::toAvro,
                    a -> utf8(io.carbonstream.schema.Keys.alert(a.kind.name(), a.subject)),
                    a -> a.eventTime);
        }
    }

    /**
     * Aggregates keyed window|dimension|dc|model|start: a compacted topic keeps each window's
     * latest revision.
     */
    public static final class Aggregates extends AvroOutput<AggregateRecord, Aggregate> {
        public Aggregates(String topic) {
            super(
                    topic,
                    Aggregate.class,
                    Encoders::toAvro,
                    a -> utf8(a.kafkaKey()),
                    a -> a.windowEnd);
        }
    }

    /** Dead letters and late events, keyed by the original key, at the broker's time. */
    public static final class DeadLetters extends AvroOutput<DeadLetterRecord, DeadLetter> {
        public DeadLetters(String topic) {
            super(topic, DeadLetter.class, Encoders::toAvro, d -> d.key, d -> null);
        }
    }
}
