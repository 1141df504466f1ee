package io.carbonstream.gpu;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.Limits;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.Rejection;
import io.carbonstream.ingest.Validator;
import io.carbonstream.schema.GpuEnergySample;
import java.io.IOException;
import java.util.Locale;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads GPU energy counter readings: in joules, or a dead letter saying what is wrong. The topic
 * holds one shape (--gpu-energy.format): our GpuEnergySample (one reading a record), or what an
 * exporter publishes, many readings a record ({@link GpuReadings}).
 */
public final class GpuSampleDecoder implements KafkaRecordDeserializationSchema<GpuInput> {

    private final Limits limits;
    private final GpuReadings readings; // null: GpuEnergySample
    private transient AvroCodec<GpuEnergySample> codec;
    private transient Validator validator;
    private transient Counter otherSeries;

    public GpuSampleDecoder(Limits limits) {
        this(limits, null);
    }

    public GpuSampleDecoder(Limits limits, GpuReadings readings) {
        this.limits = limits;
        this.readings =
                readings == null || readings.settings().format() == GpuReadings.Format.AVRO
                        ? null
                        : readings;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext ctx) {
        // Series of other metrics in the scrapes (most of them): passed over, counted to show the
        // feed is read.
        otherSeries = ctx.getMetricGroup().addGroup("carbonstream").counter("gpuSeriesSkipped");
    }

    /** Joules per unit of a counter; null for a unit carbonstream does not know. */
    static Double joulesPer(String unit) {
        return switch (unit.strip().toLowerCase(Locale.ROOT)) {
            case "j" -> 1.0;
            case "mj" -> 1e-3; // DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION
            case "wh" -> 3_600.0;
            case "kwh" -> 3.6e6;
            default -> null;
        };
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<GpuInput> out) {
        if (readings == null) {
            out.collect(decode(rec));
            return;
        }
        if (validator == null) validator = new Validator(limits);
        GpuReadings.Outcome o = readings.read(rec, validator, System.currentTimeMillis());
        if (otherSeries != null) otherSeries.inc(o.otherSeries());
        o.inputs().forEach(out::collect);
    }

    public GpuInput decode(ConsumerRecord<byte[], byte[]> rec) {
        if (codec == null) {
            codec = new AvroCodec<>(GpuEnergySample.class, limits.schemaRegistry());
            validator = new Validator(limits);
        }
        if (rec.value() == null)
            return reject(rec, Reason.NULL_VALUE, "tombstone on the GPU energy topic");
        GpuEnergySample s;
        try {
            s = codec.decode(rec.value());
        } catch (IOException ex) {
            return GpuInput.rejected(Decoders.undecodable(rec, "a GpuEnergySample", ex));
        }
        for (String[] f :
                new String[][] {{"gpu_id", s.getGpuId()}, {"datacenter_id", s.getDatacenterId()}}) {
            Rejection why = validator.text(f[0], f[1]);
            if (why != null) return reject(rec, why.reason(), why.message());
            if (f[1].isBlank()) return reject(rec, Reason.MISSING_FIELD, f[0] + " is empty");
        }
        Double perUnit = joulesPer(s.getUnit());
        if (perUnit == null)
            return reject(
                    rec,
                    Reason.INVALID_VALUE,
                    "unit '" + s.getUnit() + "' is not one of J, mJ, Wh, kWh");
        double c = s.getCumulativeEnergy();
        if (!(c >= 0) || Double.isInfinite(c))
            return reject(
                    rec,
                    Reason.INVALID_VALUE,
                    "cumulative_energy " + c + " is not a counter value >= 0");
        long t = s.getSampleTime().toEpochMilli();
        Rejection time = validator.checkTime(t, System.currentTimeMillis());
        if (time != null) return reject(rec, time.reason(), time.message());
        GpuSample g = new GpuSample();
        g.gpuId = s.getGpuId();
        g.datacenterId = s.getDatacenterId();
        g.time = t;
        g.cumulativeJ = c * perUnit;
        g.sourceTopic = rec.topic();
        g.sourcePartition = rec.partition();
        g.sourceOffset = rec.offset();
        g.sourceTimestamp = rec.timestamp();
        g.key = rec.key();
        g.value = rec.value();
        return GpuInput.of(g);
    }

    private static GpuInput reject(
            ConsumerRecord<byte[], byte[]> rec, Reason reason, String message) {
        return GpuInput.rejected(Decoders.deadLetter(rec, reason, message));
    }

    @Override
    public TypeInformation<GpuInput> getProducedType() {
        return TypeInformation.of(GpuInput.class);
    }
}
