package io.carbonstream.demo.generator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary, no header or fingerprint: the project's wire format. (The generated classes'
 * toByteBuffer() writes single-object encoding, which the job would reject.)
 */
public final class AvroBinary {

    private AvroBinary() {}

    /** Writers are stateless once built; building one per record would dominate a benchmark's encode time. */
    private static final ClassValue<SpecificDatumWriter<SpecificRecord>> WRITERS = new ClassValue<>() {
        @Override
        @SuppressWarnings("unchecked")
        protected SpecificDatumWriter<SpecificRecord> computeValue(Class<?> type) {
            return new SpecificDatumWriter<>((Class<SpecificRecord>) type);
        }
    };

    public static byte[] encode(SpecificRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        BinaryEncoder enc = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            WRITERS.get(r.getClass()).write(r, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        try {
            return new SpecificDatumReader<>(type).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
