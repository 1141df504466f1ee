package io.carbonstream.ingest;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka deserializers of the inputs (events, intensity, forecasts, registry). They never throw: a
 * record that does not decode or validate becomes a {@link DeadLetterRecord} carrying its bytes and
 * coordinates, so bad input can neither fail the source nor restart the job. Validation happens
 * here, before timestamps are assigned, so that a garbage event time cannot move the watermark.
 */
public final class Decoders {

    private Decoders() {}

    public static DeadLetterRecord deadLetter(
            ConsumerRecord<byte[], byte[]> rec, Reason reason, String message) {
        return DeadLetterRecord.of(
                reason,
                message,
                rec.topic(),
                rec.partition(),
                rec.offset(),
                rec.timestamp(),
                rec.key(),
                rec.value());
    }

    /**
     * A record that did not decode: UNKNOWN_SCHEMA when its header names a schema that cannot be
     * resolved.
     */
    public static DeadLetterRecord undecodable(
            ConsumerRecord<byte[], byte[]> rec, String record, IOException ex) {
        return ex instanceof SchemaRegistryClient.UnresolvedSchemaException
                ? deadLetter(rec, Reason.UNKNOWN_SCHEMA, ex.getMessage())
                : deadLetter(rec, Reason.UNDECODABLE, "not " + record + ": " + ex.getMessage());
    }

    /** Inference events. */
    public static final class Requests
            implements KafkaRecordDeserializationSchema<RequestEnvelope> {
        private final Limits limits;
        private transient AvroCodec<InferenceEvent> codec;
        private transient Validator validator;

        public Requests(Limits limits) {
            this.limits = limits;
        }

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> rec, Collector<RequestEnvelope> out) {
            out.collect(decode(rec, System.currentTimeMillis()));
        }

        RequestEnvelope decode(ConsumerRecord<byte[], byte[]> rec, long nowMs) {
            if (codec == null) {
                codec = new AvroCodec<>(InferenceEvent.class, limits.schemaRegistry());
                validator = new Validator(limits);
            }
            if (rec.value() == null)
                return RequestEnvelope.rejected(
                        deadLetter(rec, Reason.NULL_VALUE, "tombstone on the events topic"));
            if (rec.value().length > limits.maxRecordBytes()) {
                return RequestEnvelope.rejected(
                        deadLetter(
                                rec,
                                Reason.UNDECODABLE,
                                "record of "
                                        + rec.value().length
                                        + " bytes exceeds "
                                        + limits.maxRecordBytes()));
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
            return why == null
                    ? RequestEnvelope.valid(r)
                    : RequestEnvelope.rejected(deadLetter(rec, why.reason(), why.message()));
        }

        @Override
        public TypeInformation<RequestEnvelope> getProducedType() {
            return TypeInformation.of(RequestEnvelope.class);
        }
    }

    /**
     * A control input of one Avro record type judged against the wall clock (intensity updates,
     * forecasts): the codec and validator are made on first use, a tombstone or bytes that are not
     * the record become dead letters, the rest is the subclass's to check and convert.
     */
    abstract static class TimedControl<R extends org.apache.avro.specific.SpecificRecord>
            implements KafkaRecordDeserializationSchema<ControlEvent> {
        private final Limits limits;
        private final Class<R> type;
        private final String topicName;
        private transient AvroCodec<R> codec;
        transient Validator validator;

        TimedControl(Limits limits, Class<R> type, String topicName) {
            this.limits = limits;
            this.type = type;
            this.topicName = topicName;
        }

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<ControlEvent> out) {
            out.collect(decode(rec, System.currentTimeMillis()));
        }

        /** The record, or its dead letter, judged at wall-clock time {@code nowMs}. */
        public ControlEvent decode(ConsumerRecord<byte[], byte[]> rec, long nowMs) {
            if (codec == null) {
                codec = new AvroCodec<>(type, limits.schemaRegistry());
                validator = new Validator(limits);
            }
            if (rec.value() == null)
                return ControlEvent.rejected(
                        deadLetter(
                                rec,
                                Reason.NULL_VALUE,
                                "tombstone on the " + topicName + " topic"));
            R value;
            try {
                value = codec.decode(rec.value());
            } catch (IOException ex) {
                return ControlEvent.rejected(undecodable(rec, "an " + type.getSimpleName(), ex));
            }
            ControlEvent e = convert(value);
            Rejection why = check(e, nowMs);
            return why == null
                    ? e
                    : ControlEvent.rejected(deadLetter(rec, why.reason(), why.message()));
        }

        /** The event a decoded record stands for. */
        abstract ControlEvent convert(R value);

        /** Why that event cannot be used, or null. */
        abstract Rejection check(ControlEvent e, long nowMs);

        @Override
        public TypeInformation<ControlEvent> getProducedType() {
            return TypeInformation.of(ControlEvent.class);
        }
    }

    /** Grid intensity updates. */
    public static final class Intensity extends TimedControl<IntensityUpdate> {
        public Intensity(Limits limits) {
            super(limits, IntensityUpdate.class, "intensity");
        }

        @Override
        Rejection check(ControlEvent e, long nowMs) {
            return validator.checkIntensity(
                    e.intensity.zone,
                    e.intensity.validFrom,
                    e.intensity.gPerKwh,
                    e.intensity.marginalGPerKwh,
                    nowMs);
        }

        @Override
        ControlEvent convert(IntensityUpdate u) {
            IntensityReading r =
                    new IntensityReading(
                            u.getZone(), u.getValidFrom().toEpochMilli(), u.getCarbonIntensity());
            r.marginalGPerKwh = u.getMarginalIntensity();
            r.estimated = u.getEstimated();
            r.source = u.getSource();
            r.signal = u.getSignal();
            r.emissionFactorType = u.getEmissionFactorType();
            r.updatedAt = u.getUpdatedAt() == null ? null : u.getUpdatedAt().toEpochMilli();
            return ControlEvent.of(r);
        }
    }

    /** Intensity forecasts (IntensityForecast): early warnings only, never the accounting input. */
    public static final class Forecasts extends TimedControl<IntensityForecast> {
        public Forecasts(Limits limits) {
            super(limits, IntensityForecast.class, "forecasts");
        }

        @Override
        Rejection check(ControlEvent e, long nowMs) {
            return validator.checkForecast(e.forecast, nowMs);
        }

        @Override
        ControlEvent convert(IntensityForecast f) {
            return ControlEvent.of(
                    new ForecastReading(
                            f.getZone(),
                            f.getValidFrom().toEpochMilli(),
                            f.getValidTo().toEpochMilli(),
                            f.getCarbonIntensity(),
                            f.getSignal(),
                            f.getEmissionFactorType(),
                            f.getForecastMadeAt().toEpochMilli(),
                            f.getSource()));
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
                if (rec.key() == null)
                    return ControlEvent.rejected(
                            deadLetter(rec, Reason.NULL_VALUE, "tombstone without a key"));
                // datacenter_id@effective_from keys version records; a tombstone of either removes
                // the datacenter.
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
            if (text != null)
                return ControlEvent.rejected(deadLetter(rec, text.reason(), text.message()));
            String problem = p.problem();
            if (problem != null)
                return ControlEvent.rejected(deadLetter(rec, Reason.INVALID_VALUE, problem));
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
        if (!e.getGpuIds().isEmpty())
            r.gpuIds = e.getGpuIds().stream().map(CharSequence::toString).toArray(String[]::new);
        return r;
    }

    /**
     * The inverse of {@link #toRequest}: Avro binary is canonical, so this restores the original
     * bytes.
     */
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
                .setGpuIds(r.gpuIds == null ? java.util.List.of() : java.util.List.of(r.gpuIds))
                .build();
    }

    public static DatacenterProfile toProfile(Datacenter d) {
        DatacenterProfile p =
                new DatacenterProfile(
                        d.getDatacenterId(), d.getZone(), d.getPue(), d.getWueLPerKwh());
        p.itOverhead = d.getItOverhead();
        p.emissionBudgetGPerHour = d.getEmissionBudgetGPerHour();
        p.marketFactorGPerKwh = d.getMarketFactorGPerKwh();
        p.organisation = d.getOrganisation();
        if (d.getEffectiveFrom() != null) p.effectiveFrom = d.getEffectiveFrom().toEpochMilli();
        return p;
    }
}
