package io.carbonstream.ingest;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka deserializers of the three inputs. They never throw: a record that does not decode or
 * validate becomes a {@link DeadLetterRecord} carrying its bytes and coordinates, so bad input
 * can neither fail the source nor restart the job. Validation happens here, before timestamps are
 * assigned, so that a garbage event time cannot move the watermark.
 */
public final class Decoders {

    private Decoders() {}

    public static DeadLetterRecord deadLetter(ConsumerRecord<byte[], byte[]> rec, Reason reason, String message) {
        return DeadLetterRecord.of(reason, message, rec.topic(), rec.partition(), rec.offset(), rec.timestamp(), rec.key(), rec.value());
    }

    /** A record that did not decode: UNKNOWN_SCHEMA when its header names a schema that cannot be resolved. */
    public static DeadLetterRecord undecodable(ConsumerRecord<byte[], byte[]> rec, String record, IOException ex) {
        return ex instanceof SchemaRegistryClient.UnresolvedSchemaException
                ? deadLetter(rec, Reason.UNKNOWN_SCHEMA, ex.getMessage())
                : deadLetter(rec, Reason.UNDECODABLE, "not " + record + ": " + ex.getMessage());
    }

    /** Inference events. */
    public static final class Requests implements KafkaRecordDeserializationSchema<RequestEnvelope> {
        private final Limits limits;
        private transient AvroCodec<InferenceEvent> codec;
        private transient Validator validator;

        public Requests(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<RequestEnvelope> out) {
            out.collect(decode(rec, System.currentTimeMillis()));
        }

        RequestEnvelope decode(ConsumerRecord<byte[], byte[]> rec, long nowMs) {
            if (codec == null) {
                codec = new AvroCodec<>(InferenceEvent.class, limits.schemaRegistry());
                validator = new Validator(limits);
            }
            if (rec.value() == null) return RequestEnvelope.rejected(deadLetter(rec, Reason.NULL_VALUE, "tombstone on the events topic"));
            if (rec.value().length > limits.maxRecordBytes()) {
                return RequestEnvelope.rejected(deadLetter(rec, Reason.UNDECODABLE,
                        "record of " + rec.value().length + " bytes exceeds " + limits.maxRecordBytes()));
            }
            InferenceEvent e;
            try {
                e = codec.decode(rec.value());
            } catch (IOException ex) {
                return RequestEnvelope.rejected(undecodable(rec, "an InferenceEvent", ex));
            }
            InferenceRequest r = toRequest(e);
            r.sourcePartition = rec.partition();
            r.sourceOffset = rec.offset();
            r.sourceTimestamp = rec.timestamp();
            r.sourceKey = rec.key();
            Rejection why = validator.check(r, nowMs);
            return why == null ? RequestEnvelope.valid(r) : RequestEnvelope.rejected(deadLetter(rec, why.reason(), why.message()));
        }

        @Override
        public TypeInformation<RequestEnvelope> getProducedType() {
            return TypeInformation.of(RequestEnvelope.class);
        }
    }

    /** Grid intensity updates. */
    public static final class Intensity implements KafkaRecordDeserializationSchema<ControlEvent> {
        private final Limits limits;
        private transient AvroCodec<IntensityUpdate> codec;
        private transient Validator validator;

        public Intensity(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<ControlEvent> out) {
            out.collect(decode(rec, System.currentTimeMillis()));
        }

        ControlEvent decode(ConsumerRecord<byte[], byte[]> rec, long nowMs) {
            if (codec == null) {
                codec = new AvroCodec<>(IntensityUpdate.class, limits.schemaRegistry());
                validator = new Validator(limits);
            }
            if (rec.value() == null) return ControlEvent.rejected(deadLetter(rec, Reason.NULL_VALUE, "tombstone on the intensity topic"));
            IntensityUpdate u;
            try {
                u = codec.decode(rec.value());
            } catch (IOException ex) {
                return ControlEvent.rejected(undecodable(rec, "an IntensityUpdate", ex));
            }
            Rejection why = validator.checkIntensity(u.getZone(), u.getValidFrom().toEpochMilli(), u.getCarbonIntensity(),
                    u.getMarginalIntensity(), nowMs);
            if (why != null) return ControlEvent.rejected(deadLetter(rec, why.reason(), why.message()));
            IntensityReading r = new IntensityReading(u.getZone(), u.getValidFrom().toEpochMilli(), u.getCarbonIntensity());
            r.marginalGPerKwh = u.getMarginalIntensity();
            r.estimated = u.getEstimated();
            r.source = u.getSource();
            r.signal = u.getSignal();
            r.emissionFactorType = u.getEmissionFactorType();
            r.updatedAt = u.getUpdatedAt() == null ? null : u.getUpdatedAt().toEpochMilli();
            return ControlEvent.of(r);
        }

        @Override
        public TypeInformation<ControlEvent> getProducedType() {
            return TypeInformation.of(ControlEvent.class);
        }
    }

    /** Datacenter registry (compacted: a tombstone deletes the datacenter). */
    public static final class Registry implements KafkaRecordDeserializationSchema<ControlEvent> {
        private final Limits limits;
        private transient AvroCodec<Datacenter> codec;
        private transient Validator validator;

        public Registry(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<ControlEvent> out) {
            out.collect(decode(rec));
        }

        public ControlEvent decode(ConsumerRecord<byte[], byte[]> rec) {
            if (codec == null) {
                codec = new AvroCodec<>(Datacenter.class, limits.schemaRegistry());
                validator = new Validator(limits);
            }
            if (rec.value() == null) {
                if (rec.key() == null) return ControlEvent.rejected(deadLetter(rec, Reason.NULL_VALUE, "tombstone without a key"));
                // datacenter_id@effective_from keys version records; a tombstone of either removes the datacenter.
                String key = new String(rec.key(), StandardCharsets.UTF_8);
                int at = key.lastIndexOf('@');
                return withOffset(ControlEvent.deleted(at > 0 ? key.substring(0, at) : key), rec);
            }
            Datacenter d;
            try {
                d = codec.decode(rec.value());
            } catch (IOException ex) {
                return ControlEvent.rejected(undecodable(rec, "a Datacenter", ex));
            }
            DatacenterProfile p = toProfile(d);
            Rejection text = validator.text("datacenter_id", p.datacenterId);
            if (text != null) return ControlEvent.rejected(deadLetter(rec, text.reason(), text.message()));
            String problem = p.problem();
            if (problem != null) return ControlEvent.rejected(deadLetter(rec, Reason.INVALID_VALUE, problem));
            return withOffset(ControlEvent.of(p), rec);
        }

        private static ControlEvent withOffset(ControlEvent e, ConsumerRecord<byte[], byte[]> rec) {
            e.sourcePartition = rec.partition();
            e.sourceOffset = rec.offset();
            return e;
        }

        @Override
        public TypeInformation<ControlEvent> getProducedType() {
            return TypeInformation.of(ControlEvent.class);
        }
    }

    public static InferenceRequest toRequest(InferenceEvent e) {
        InferenceRequest r = new InferenceRequest();
        r.requestId = e.getRequestId();
        r.eventTime = e.getEventTime().toEpochMilli();
        r.datacenterId = e.getDatacenterId();
        r.modelId = e.getModelId();
        r.modality = Modality.valueOf(e.getModality().name());
        r.inputTokens = e.getInputTokens();
        r.outputTokens = e.getOutputTokens();
        r.images = e.getImages();
        r.diffusionSteps = e.getDiffusionSteps();
        r.mediaSeconds = e.getMediaSeconds();
        r.gpuCount = e.getGpuCount();
        r.durationMs = e.getDurationMs();
        r.measuredGpuJoules = e.getMeasuredGpuJoules();
        r.activeParamsB = e.getActiveParamsB();
        return r;
    }

    /** The inverse of {@link #toRequest}: Avro binary is canonical, so this restores the original bytes. */
    public static InferenceEvent toAvro(InferenceRequest r) {
        return InferenceEvent.newBuilder()
                .setRequestId(r.requestId)
                .setEventTime(java.time.Instant.ofEpochMilli(r.eventTime))
                .setDatacenterId(r.datacenterId)
                .setModelId(r.modelId)
                .setModality(io.carbonstream.schema.Modality.valueOf(r.modality.name()))
                .setInputTokens(r.inputTokens)
                .setOutputTokens(r.outputTokens)
                .setImages(r.images)
                .setDiffusionSteps(r.diffusionSteps)
                .setMediaSeconds(r.mediaSeconds)
                .setGpuCount(r.gpuCount)
                .setDurationMs(r.durationMs)
                .setMeasuredGpuJoules(r.measuredGpuJoules)
                .setActiveParamsB(r.activeParamsB)
                .build();
    }

    public static DatacenterProfile toProfile(Datacenter d) {
        DatacenterProfile p = new DatacenterProfile(d.getDatacenterId(), d.getZone(), d.getPue(), d.getWueLPerKwh());
        p.itOverhead = d.getItOverhead();
        p.emissionBudgetGPerHour = d.getEmissionBudgetGPerHour();
        p.marketFactorGPerKwh = d.getMarketFactorGPerKwh();
        p.organisation = d.getOrganisation();
        if (d.getEffectiveFrom() != null) p.effectiveFrom = d.getEffectiveFrom().toEpochMilli();
        return p;
    }
}
