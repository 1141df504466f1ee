package io.carbonstream.generator;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a generated value back with Avro's own reader (the job's codec lives in a module the
 * generator does not depend on): exactly one record of the type, no bytes left over.
 */
final class PlainAvro {

    private PlainAvro() {}

    static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
            T value = new SpecificDatumReader<>(type).read(null, dec);
            if (!dec.isEnd())
                throw new IllegalArgumentException("bytes left after one " + type.getSimpleName());
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException("not one " + type.getSimpleName(), e);
        }
    }
}
