package io.carbonstream.connect.common;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * carbonstream's wire format: plain Avro binary of the record, no header, no schema id, no
 * fingerprint (not the generated toByteBuffer(), which writes single-object encoding). The job
 * decodes it with the same schemas.
 */
public final class AvroWire {
    private AvroWire() {}

    public static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            @SuppressWarnings("unchecked")
            SpecificDatumWriter<T> writer = new SpecificDatumWriter<>((Class<T>) record.getClass());
            writer.write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Decodes one record written by {@link #encode}; used by tests and the bulk loader's dry run.
     */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
            T value = new SpecificDatumReader<>(type).read(null, decoder);
            if (!decoder.isEnd())
                throw new IOException("trailing bytes after a " + type.getSimpleName());
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
