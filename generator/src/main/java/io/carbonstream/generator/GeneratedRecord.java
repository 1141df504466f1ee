package io.carbonstream.generator;

import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
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
        return WIRE.get().encode(value);
    }

    /**
     * Plain Avro binary with Avro's own writer, not the job's codec: the generator does not depend
     * on the job (nor on Flink). One per thread, writers per record class, buffers reused: the
     * benchmark encodes millions of records.
     */
    private static final ThreadLocal<Wire> WIRE = ThreadLocal.withInitial(Wire::new);

    private static final class Wire {
        private final Map<Class<?>, SpecificDatumWriter<SpecificRecord>> writers = new HashMap<>();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        private BinaryEncoder encoder;

        @SuppressWarnings("unchecked")
        byte[] encode(SpecificRecord value) {
            SpecificDatumWriter<SpecificRecord> writer =
                    writers.computeIfAbsent(
                            value.getClass(),
                            c -> new SpecificDatumWriter<>((Class<SpecificRecord>) c));
            out.reset();
            encoder = EncoderFactory.get().directBinaryEncoder(out, encoder);
            try {
                writer.write(value, encoder);
                encoder.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
