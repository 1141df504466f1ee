package io.carbonstream.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.avro.Schema;
import java.util.Map;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary (no header, no fingerprint) for one generated record class: the wire format
 * of every carbonstream topic. Not thread-safe: one instance per Flink subtask.
 */
public final class AvroCodec<T extends SpecificRecord> {

    private final SpecificDatumReader<T> reader;
    /** Readers of the bytes older producers write (SchemaHistory), newest first: tried when the current schema does not fit. */
    private final List<SpecificDatumReader<T>> olderReaders = new ArrayList<>();
    private final SpecificDatumWriter<T> writer;
    private BinaryDecoder decoder;
    private BinaryEncoder encoder;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    /** Codecs for {@link #encodeOne} and {@link #decodeOne}: one per thread and record class. */
    private static final ThreadLocal<Map<Class<?>, AvroCodec<?>>> PER_THREAD = ThreadLocal.withInitial(HashMap::new);

    @SuppressWarnings("unchecked")
    private static <R extends SpecificRecord> AvroCodec<R> forThread(Class<R> type) {
        return (AvroCodec<R>) PER_THREAD.get().computeIfAbsent(type, t -> new AvroCodec<>(type));
    }

    /** One record in the wire format, from any thread (tools, tests, the generator). */
    @SuppressWarnings("unchecked")
    public static <R extends SpecificRecord> byte[] encodeOne(R value) {
        return forThread((Class<R>) value.getClass()).encode(value);
    }

    /** One record from the wire format, from any thread; bytes that are not one such record throw. */
    public static <R extends SpecificRecord> R decodeOne(byte[] bytes, Class<R> type) {
        try {
            return forThread(type).decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("not one " + type.getSimpleName() + " in plain Avro binary", e);
        }
    }

    public AvroCodec(Class<T> type) {
        this.reader = new SpecificDatumReader<>(type);
        this.writer = new SpecificDatumWriter<>(type);
        for (Schema older : SchemaHistory.olderWriters(reader.getSchema())) {
            olderReaders.add(new SpecificDatumReader<>(older, reader.getSchema()));
        }
    }

    /**
     * Decodes exactly one record that must span all the bytes, written with the current schema or
     * one of its earlier versions (schema evolution: fields added since take their defaults);
     * anything else is an IOException that says why the current schema did not fit.
     */
    public T decode(byte[] bytes) throws IOException {
        try {
            return decode(reader, bytes);
        } catch (IOException current) {
            for (SpecificDatumReader<T> older : olderReaders) {
                try {
                    return decode(older, bytes);
                } catch (IOException ignored) {
                    // not this version either
                }
            }
            throw current;
        }
    }

    private T decode(SpecificDatumReader<T> reader, byte[] bytes) throws IOException {
        if (bytes == null) throw new IOException("no value (tombstone)");
        // Before Avro allocates anything: a corrupt length must not become a gigabyte array.
        AvroShape.check(reader.getSchema(), bytes);
        decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (RuntimeException e) {
            // Random bytes surface as AvroRuntimeException, index errors, negative lengths...
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after the record: not a " + reader.getSchema().getFullName());
        }
        return value;
    }

    public byte[] encode(T value) {
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
