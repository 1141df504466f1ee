package io.carbonstream.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro binary of one generated record class. Writes plain binary (no header). Reads, told apart by
 * their first bytes: Avro single-object encoding (C3 01, the writer schema's CRC-64-AVRO
 * fingerprint), the schema-registry wire format (00, a 4-byte schema id; only with a registry), and
 * plain binary. Not thread-safe: one instance per Flink subtask.
 */
public final class AvroCodec<T extends SpecificRecord> {

    private final SpecificDatumReader<T> reader;

    /**
     * Readers of the bytes older producers write (SchemaHistory), newest first: tried when the
     * current schema does not fit.
     */
    private final List<SpecificDatumReader<T>> olderReaders = new ArrayList<>();

    private final SpecificDatumWriter<T> writer;

    /**
     * Single-object encoding: the writer's fingerprint -> reader, for the current schema and its
     * earlier versions only.
     */
    private final Map<Long, SpecificDatumReader<T>> byFingerprint = new HashMap<>();

    /** Where registry-framed input resolves its ids; null: a leading 0x00 is no frame. */
    private final SchemaRegistryClient registry;

    /**
     * Registry-framed: schema id -> reader of that writer schema; writer schemas by fingerprint
     * share one reader.
     */
    private final Map<Integer, SpecificDatumReader<T>> byId = new HashMap<>();

    private final Map<Long, SpecificDatumReader<T>> registryReaders = new HashMap<>();

    /**
     * Ids whose schema resolved but cannot be read as this record (another record, incompatible
     * change).
     */
    private final Map<Integer, String> incompatible = new HashMap<>();

    private BinaryDecoder decoder;
    private BinaryEncoder encoder;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    /** Codecs for {@link #encodeOne} and {@link #decodeOne}: one per thread and record class. */
    private static final ThreadLocal<Map<Class<?>, AvroCodec<?>>> PER_THREAD =
            ThreadLocal.withInitial(HashMap::new);

    @SuppressWarnings("unchecked")
    private static <R extends SpecificRecord> AvroCodec<R> forThread(Class<R> type) {
        return (AvroCodec<R>) PER_THREAD.get().computeIfAbsent(type, t -> new AvroCodec<>(type));
    }

    /** One record in the wire format, from any thread (tools, tests, the generator). */
    @SuppressWarnings("unchecked")
    public static <R extends SpecificRecord> byte[] encodeOne(R value) {
        return forThread((Class<R>) value.getClass()).encode(value);
    }

    /**
     * One record from the wire format, from any thread; bytes that are not one such record throw.
     */
    public static <R extends SpecificRecord> R decodeOne(byte[] bytes, Class<R> type) {
        try {
            return forThread(type).decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "not one " + type.getSimpleName() + " in plain Avro binary", e);
        }
    }

    public AvroCodec(Class<T> type) {
        this(type, null);
    }

    /**
     * With {@code registry} (may be null), records framed 0x00 + schema id are read with the schema
     * it serves.
     */
    public AvroCodec(Class<T> type, SchemaRegistryClient registry) {
        this.reader = new SpecificDatumReader<>(type);
        this.writer = new SpecificDatumWriter<>(type);
        this.registry = registry;
        byFingerprint.put(SchemaNormalization.parsingFingerprint64(reader.getSchema()), reader);
        for (Schema older : SchemaHistory.olderWriters(reader.getSchema())) {
            SpecificDatumReader<T> r = new SpecificDatumReader<>(older, reader.getSchema());
            olderReaders.add(r);
            byFingerprint.putIfAbsent(SchemaNormalization.parsingFingerprint64(older), r);
        }
    }

    /**
     * Decodes exactly one record that must span all the bytes: single-object encoded or
     * registry-framed (read with the writer schema they name), else plain binary written with the
     * current schema or one of its earlier versions (schema evolution: fields added since take
     * their defaults). Anything else is an IOException that says why; an {@link
     * SchemaRegistryClient.UnresolvedSchemaException} when the header names a schema that cannot be
     * resolved.
     */
    public T decode(byte[] bytes) throws IOException {
        if (bytes == null) throw new IOException("no value (tombstone)");
        // Unambiguous: C3 01 starts no plain record (a negative string length), and 00 (an empty
        // first string, rejected by the validator anyway) is a frame only when a registry is
        // configured.
        if (bytes.length >= 2 && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01)
            return singleObject(bytes);
        if (registry != null && bytes.length > 0 && bytes[0] == 0) return framed(bytes);
        try {
            return decode(reader, bytes, 0);
        } catch (IOException current) {
            for (SpecificDatumReader<T> older : olderReaders) {
                try {
                    return decode(older, bytes, 0);
                } catch (IOException ignored) {
                    // not this version either
                }
            }
            if (bytes.length > 5 && bytes[0] == 0) {
                throw new IOException(
                        current.getMessage()
                                + " (it starts like the schema-registry wire format, 0x00 and a"
                                + " schema id: set --schema-registry.url to read it)",
                        current);
            }
            throw current;
        }
    }

    private T singleObject(byte[] bytes) throws IOException {
        if (bytes.length < 10)
            throw new IOException(
                    "single-object encoding cut short: "
                            + bytes.length
                            + " bytes, its header alone has 10");
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SpecificDatumReader<T> r = byFingerprint.get(fingerprint);
        if (r == null) {
            throw new SchemaRegistryClient.UnresolvedSchemaException(
                    String.format(
                            "single-object encoding with writer schema fingerprint %016x, which is"
                                + " neither the current %s schema nor one of its earlier versions",
                            fingerprint, reader.getSchema().getName()));
        }
        return decode(r, bytes, 10);
    }

    private T framed(byte[] bytes) throws IOException {
        if (bytes.length < 5)
            throw new IOException(
                    "schema-registry frame cut short: "
                            + bytes.length
                            + " bytes, its header alone has 5");
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        SpecificDatumReader<T> r = byId.get(id);
        if (r == null) {
            String problem = incompatible.get(id);
            if (problem != null) throw new IOException(problem);
            Schema writerSchema = registry.schemaById(id);
            long fingerprint = SchemaNormalization.parsingFingerprint64(writerSchema);
            r =
                    byFingerprint.containsKey(fingerprint)
                            ? byFingerprint.get(fingerprint)
                            : registryReaders.get(fingerprint);
            if (r == null) {
                try {
                    SchemaCompatibility.SchemaPairCompatibility c =
                            SchemaCompatibility.checkReaderWriterCompatibility(
                                    reader.getSchema(), writerSchema);
                    if (c.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                        problem =
                                c.getResult().getIncompatibilities().isEmpty()
                                        ? String.valueOf(c.getType())
                                        : c.getResult().getIncompatibilities().get(0).getMessage();
                    } else {
                        r = new SpecificDatumReader<>(writerSchema, reader.getSchema());
                    }
                } catch (RuntimeException e) {
                    problem = e.toString();
                }
                if (r == null) {
                    problem =
                            "schema id "
                                    + id
                                    + " ("
                                    + writerSchema.getFullName()
                                    + ") cannot be read as "
                                    + reader.getSchema().getFullName()
                                    + ": "
                                    + problem;
                    incompatible.put(id, problem);
                    throw new IOException(problem);
                }
                registryReaders.put(fingerprint, r);
            }
            byId.put(id, r);
        }
        return decode(r, bytes, 5);
    }

    private T decode(SpecificDatumReader<T> reader, byte[] bytes, int offset) throws IOException {
        // Before Avro allocates anything: a corrupt length must not become a gigabyte array.
        AvroShape.check(reader.getSchema(), bytes, offset);
        decoder = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, decoder);
        T value;
        try {
            value = reader.read(null, decoder);
        } catch (RuntimeException e) {
            // Random bytes surface as AvroRuntimeException, index errors, negative lengths...
            throw new IOException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        if (!decoder.isEnd()) {
            throw new IOException(
                    "trailing bytes after the record: not a " + reader.getSchema().getFullName());
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
