package io.carbonstream.ingest;

import java.io.IOException;
import org.apache.avro.Schema;

/**
 * Walks Avro binary against its schema without allocating anything, checking that every length,
 * count and index fits in the bytes actually present.
 *
 * <p>Why: Avro allocates a string or array of the length a record claims before it notices the
 * record is short, so four random bytes can ask for 2 GB and kill the TaskManager with an
 * OutOfMemoryError (the fuzz test found this). Avro's own limits are global system properties read
 * once per JVM, which a job cannot rely on; this check is local and costs one pass over a ~100-byte
 * record.
 */
final class AvroShape {

    private final byte[] buf;
    private int pos;

    private AvroShape(byte[] buf) {
        this.buf = buf;
    }

    /** Throws if the bytes cannot be one record of the schema. */
    static void check(Schema schema, byte[] bytes) throws IOException {
        check(schema, bytes, 0);
    }

    /**
     * Throws if the bytes from {@code offset} on (after a header) cannot be one record of the
     * schema.
     */
    static void check(Schema schema, byte[] bytes, int offset) throws IOException {
        AvroShape s = new AvroShape(bytes);
        s.pos = offset;
        s.walk(schema);
        if (s.pos != bytes.length) throw new IOException("trailing bytes after the record");
    }

    private void walk(Schema s) throws IOException {
        switch (s.getType()) {
            case RECORD -> {
                for (Schema.Field f : s.getFields()) walk(f.schema());
            }
            case ENUM -> index(readLong(), s.getEnumSymbols().size(), "enum");
            case UNION -> walk(s.getTypes().get(index(readLong(), s.getTypes().size(), "union")));
            case ARRAY -> blocks(s.getElementType(), false);
            case MAP -> blocks(s.getValueType(), true);
            case FIXED -> skip(s.getFixedSize());
            case STRING, BYTES -> skip(length(readLong()));
            case INT, LONG -> readLong();
            case FLOAT -> skip(4);
            case DOUBLE -> skip(8);
            case BOOLEAN -> skip(1);
            case NULL -> {}
        }
    }

    private void blocks(Schema item, boolean map) throws IOException {
        long count;
        while ((count = readLong()) != 0) {
            if (count < 0) {
                count = -count;
                length(readLong()); // block size in bytes, informational
            }
            // Every item takes at least one byte unless it is null: bound the count by what is
            // left.
            if (count > buf.length - pos + 1L)
                throw new IOException(
                        "collection claims "
                                + count
                                + " items in "
                                + (buf.length - pos)
                                + " bytes");
            for (long i = 0; i < count; i++) {
                if (map) skip(length(readLong()));
                walk(item);
            }
        }
    }

    private int index(long i, int size, String what) throws IOException {
        if (i < 0 || i >= size)
            throw new IOException(what + " index " + i + " out of range [0, " + size + ")");
        return (int) i;
    }

    private int length(long n) throws IOException {
        if (n < 0 || n > buf.length - pos)
            throw new IOException(
                    "length " + n + " exceeds the " + (buf.length - pos) + " bytes left");
        return (int) n;
    }

    private void skip(int n) throws IOException {
        if (n > buf.length - pos)
            throw new IOException("record ends " + (n - (buf.length - pos)) + " bytes short");
        pos += n;
    }

    /** Zig-zag varint, at most 10 bytes. */
    private long readLong() throws IOException {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= buf.length) throw new IOException("record ends inside a number");
            int b = buf[pos++] & 0xff;
            raw |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return (raw >>> 1) ^ -(raw & 1);
        }
        throw new IOException("malformed variable-length number");
    }
}
