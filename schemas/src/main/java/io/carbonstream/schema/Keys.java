package io.carbonstream.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * The one way carbonstream builds composite keys, Kafka record keys and internal partitioning keys
 * alike: parts joined by {@code |}, with {@code \} and {@code |} inside a part escaped by a
 * backslash. Without the escaping, datacenter {@code a|b} with model {@code c} and datacenter
 * {@code a} with model {@code b|c} would share a key: one window would absorb the other, and
 * compaction of a keyed output topic would delete one of them. Ids without those two characters
 * (all ids seen so far) give the same keys as before, so state and compacted topics written by
 * earlier releases keep their keys. A null part is written as the empty string.
 */
public final class Keys {

    public static final char SEPARATOR = '|';
    private static final char ESCAPE = '\\';

    private Keys() {}

    /** The parts joined, each escaped. */
    public static String join(Object... parts) {
        StringBuilder b = new StringBuilder(64);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) b.append(SEPARATOR);
            Object p = parts[i];
            if (p == null) continue;
            String s = p.toString();
            for (int j = 0; j < s.length(); j++) {
                char c = s.charAt(j);
                if (c == SEPARATOR || c == ESCAPE) b.append(ESCAPE);
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The parts of a key made by {@link #join}, unescaped (a null part comes back empty). */
    public static List<String> split(String key) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == ESCAPE && i + 1 < key.length()) {
                cur.append(key.charAt(++i));
            } else if (c == SEPARATOR) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    /**
     * Key of an aggregate on {@code carbonstream.aggregates}: the same for every revision of a
     * window, so compaction keeps the latest. Window start in epoch milliseconds.
     */
    public static String aggregate(
            String window,
            String dimension,
            String datacenterId,
            String modelId,
            long windowStartMs) {
        return join(window, dimension, datacenterId, modelId, windowStartMs);
    }

    public static String aggregate(Aggregate a) {
        return aggregate(
                a.getWindow().name(),
                a.getDimension().name(),
                a.getDatacenterId(),
                a.getModelId(),
                a.getWindowStart().toEpochMilli());
    }

    /** Key of a ledger row: datacenter and hour start as an ISO-8601 instant. */
    public static String ledger(String datacenterId, long hourStartMs) {
        return join(datacenterId, java.time.Instant.ofEpochMilli(hourStartMs));
    }

    /** Key of an alert: its kind and subject, so compaction keeps each alert's latest state. */
    public static String alert(String kind, String subject) {
        return join(kind, subject);
    }
}
