package io.carbonstream.demo.generator;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record to publish, at a simulated instant, on the events, intensity, certificates or GPU
 * energy topic.
 *
 * @param kind which topic it belongs to
 * @param publishAtMs simulated instant it is published (>= its event time / valid_from / sample
 *     time)
 * @param key the topic key: request_id, zone, certificate_id or gpu_id
 * @param value an {@link InferenceEvent}, an {@link IntensityUpdate}, a {@link Certificate} or a
 *     {@link GpuEnergySample}
 */
public record GeneratedRecord(Kind kind, long publishAtMs, String key, SpecificRecord value) {

    public enum Kind {
        REQUEST,
        INTENSITY,
        /**
         * A PPA delivery ({@link Certificates}); only with {@link
         * GeneratorSettings#certificates()}.
         */
        CERTIFICATE,
        /**
         * A GPU energy counter reading ({@link GpuCounters}); only with {@link
         * GeneratorSettings#gpuCounters()}.
         */
        GPU_ENERGY
    }

    public boolean isRequest() {
        return kind == Kind.REQUEST;
    }

    public boolean isIntensity() {
        return kind == Kind.INTENSITY;
    }

    public InferenceEvent event() {
        return (InferenceEvent) value;
    }

    public IntensityUpdate intensity() {
        return (IntensityUpdate) value;
    }

    public Certificate certificate() {
        return (Certificate) value;
    }

    public GpuEnergySample gpuSample() {
        return (GpuEnergySample) value;
    }

    public byte[] keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The value in the wire format of every carbonstream topic: plain Avro binary. */
    public byte[] valueBytes() {
        return AvroCodec.encodeOne(value);
    }
}
