package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads the ledger as a compacted topic means it: the latest value of each key is the row, a
 * tombstone (null value) removes the key. Also reads the SUMMARY records of the restatements topic.
 * Values are plain Avro binary of the current schemas; a value that is not one is an error, not a
 * skipped row, because a report that silently left a row out would file a wrong total.
 */
public final class LedgerReader {

    private final TopicReader topics;

    public LedgerReader(TopicReader topics) {
        this.topics = topics;
    }

    /** The latest row of every key of the ledger topic. */
    public Latest readLedger(String topic) {
        Latest latest = new Latest(topic);
        topics.readAll(topic, latest::accept);
        return latest;
    }

    /**
     * Every SUMMARY restatement of the topic, the latest per correction id, in correction id order.
     */
    public List<Restatement> readRestatementSummaries(String topic) {
        // Keyed by correction id, so one correction's records are in one partition: the last one
        // wins.
        Map<String, Restatement> byId = new TreeMap<>();
        topics.readAll(
                topic,
                r -> {
                    if (r.value() == null) return;
                    Restatement s = decode(r.value(), Restatement.class, topic, r);
                    if (s.getRecordType() == RestatementRecordType.SUMMARY)
                        byId.put(s.getCorrectionId(), s);
                });
        return List.copyOf(byId.values());
    }

    /**
     * Compaction's rule applied to records in offset order: per partition, the last value of a key
     * is kept and a tombstone removes it. A producer partitions by key, so a key lives in one
     * partition; should a key show up in two (a topic re-partitioned by hand), the value with the
     * higher revision wins, then the higher partition: a rule that does not depend on the order
     * partitions were read in.
     */
    public static final class Latest {
        private final String topic;
        private final Map<Integer, Map<String, LedgerEntry>> byPartition = new TreeMap<>();
        private long records;
        private long tombstones;

        public Latest(String topic) {
            this.topic = topic;
        }

        public void accept(TopicReader.RawRecord r) {
            records++;
            if (r.key() == null)
                throw new ReportException(
                        where(topic, r)
                                + " has no key: a ledger record is keyed datacenter_id|hour_start");
            String key = new String(r.key(), StandardCharsets.UTF_8);
            Map<String, LedgerEntry> rows =
                    byPartition.computeIfAbsent(r.partition(), p -> new HashMap<>());
            if (r.value() == null) {
                tombstones++;
                rows.remove(key);
            } else {
                rows.put(key, decode(r.value(), LedgerEntry.class, topic, r));
            }
        }

        /** The rows: one per key. */
        public Collection<LedgerEntry> rows() {
            Map<String, LedgerEntry> merged = new HashMap<>();
            byPartition.forEach(
                    (partition, rows) ->
                            rows.forEach(
                                    (key, row) ->
                                            merged.merge(
                                                    key,
                                                    row,
                                                    (earlier, later) ->
                                                            later.getRevision()
                                                                            >= earlier.getRevision()
                                                                    ? later
                                                                    : earlier)));
            return new ArrayList<>(merged.values());
        }

        /** Records read, older revisions and tombstones included. */
        public long records() {
            return records;
        }

        public long tombstones() {
            return tombstones;
        }
    }

    // One reader per record class: building one resolves the schema, once per topic is enough.
    private static final Map<Class<?>, SpecificDatumReader<?>> READERS =
            new java.util.concurrent.ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    static <R extends SpecificRecord> R decode(
            byte[] bytes, Class<R> type, String topic, TopicReader.RawRecord r) {
        // 0x00 + a 4-byte schema id: the job's --output.wire-format REGISTRY. No plain ledger or
        // restatement record starts with 0x00 (an hour_start of 1970, an empty correction id).
        if (bytes.length > 5 && bytes[0] == 0) {
            int schemaId = java.nio.ByteBuffer.wrap(bytes, 1, 4).getInt();
            throw new ReportException(
                    where(topic, r)
                            + " is schema-registry framed (0x00, schema id "
                            + schemaId
                            + "): this report reads PLAIN Avro binary, the job's default"
                            + " --output.wire-format");
        }
        try {
            BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, null);
            SpecificDatumReader<R> reader =
                    (SpecificDatumReader<R>)
                            READERS.computeIfAbsent(type, SpecificDatumReader::new);
            R value = reader.read(null, in);
            // Bytes left over: this was not one plain-binary record (e.g. a registry-framed one).
            if (!in.isEnd()) throw new IOException("bytes left after one record");
            return value;
        } catch (IOException | RuntimeException e) {
            throw new ReportException(
                    where(topic, r)
                            + " is not one "
                            + type.getSimpleName()
                            + " in plain Avro binary ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    private static String where(String topic, TopicReader.RawRecord r) {
        return "record " + topic + "/" + r.partition() + "@" + r.offset();
    }
}
