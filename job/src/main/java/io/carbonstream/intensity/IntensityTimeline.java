package io.carbonstream.intensity;

import java.util.Arrays;

/**
 * The intensity history of one grid zone: versions sorted by "valid from", each holding until the
 * next. Answers the as-of question (which value held at instant t) by binary search.
 *
 * <p>A Flink POJO over primitive arrays: compact in broadcast state and serialized without Kryo.
 * Zones update every 5-60 minutes and history is pruned as the watermark passes, so arrays stay
 * short and copy-on-insert is cheaper than any tree.
 */
public class IntensityTimeline {

    public long[] validFrom = new long[0];
    public double[] intensity = new double[0];

    /** The feed each version came from (IntensityUpdate.source), for restatement records. */
    public String[] source = new String[0];

    /** The source's update time of each version (Long.MIN_VALUE: not said). */
    public long[] updatedAt = new long[0];

    public IntensityTimeline() {}

    public int size() {
        return validFrom.length;
    }

    /**
     * Adds a version; a version with the same "valid from" is replaced (a measured value correcting
     * an estimate).
     */
    public void upsert(long from, double value) {
        upsert(from, value, null);
    }

    /** What held at an instant before an upsert: its value and source, or none (value null). */
    public record Previous(Double value, String source) {}

    /**
     * As {@link #upsert(long, double)}, with the version's source; returns what held at {@code
     * from} before.
     */
    public Previous upsert(long from, double value, String src) {
        return upsert(from, value, src, Long.MIN_VALUE);
    }

    /**
     * As {@link #upsert(long, double, String)}, with the source's update time: a value older than
     * the one held for the same instant (a refetch delivered out of order) is ignored: returns
     * null.
     */
    public Previous upsert(long from, double value, String src, long updated) {
        int i = Arrays.binarySearch(validFrom, from);
        if (i >= 0) {
            if (updated != Long.MIN_VALUE
                    && updatedAt[i] != Long.MIN_VALUE
                    && updated < updatedAt[i]) return null;
            Previous old = new Previous(intensity[i], source[i]);
            intensity[i] = value;
            source[i] = src;
            updatedAt[i] = updated;
            return old;
        }
        int at = -i - 1;
        Previous old =
                at > 0 ? new Previous(intensity[at - 1], source[at - 1]) : new Previous(null, null);
        long[] f = new long[validFrom.length + 1];
        double[] v = new double[intensity.length + 1];
        String[] so = new String[source.length + 1];
        long[] up = new long[updatedAt.length + 1];
        System.arraycopy(validFrom, 0, f, 0, at);
        System.arraycopy(intensity, 0, v, 0, at);
        System.arraycopy(source, 0, so, 0, at);
        f[at] = from;
        v[at] = value;
        so[at] = src;
        up[at] = updated;
        System.arraycopy(validFrom, at, f, at + 1, validFrom.length - at);
        System.arraycopy(intensity, at, v, at + 1, intensity.length - at);
        System.arraycopy(source, at, so, at + 1, source.length - at);
        System.arraycopy(updatedAt, 0, up, 0, at);
        System.arraycopy(updatedAt, at, up, at + 1, updatedAt.length - at);
        validFrom = f;
        intensity = v;
        source = so;
        updatedAt = up;
        return old;
    }

    /** Start of the version after the one in force at t (Long.MAX_VALUE if none). */
    public long nextChangeAfter(long t) {
        int i = indexAsOf(t) + 1;
        return i < validFrom.length ? validFrom[i] : Long.MAX_VALUE;
    }

    /** Index of the version with the greatest "valid from" <= t, or -1 if none. */
    public int indexAsOf(long t) {
        int i = Arrays.binarySearch(validFrom, t);
        return i >= 0 ? i : -i - 2;
    }

    /**
     * Drops versions no instant >= horizon can use: everything before the last version at or before
     * the horizon. The latest version is always kept.
     */
    public void pruneBefore(long horizon) {
        int keepFrom = indexAsOf(horizon);
        if (keepFrom <= 0) return;
        validFrom = Arrays.copyOfRange(validFrom, keepFrom, validFrom.length);
        intensity = Arrays.copyOfRange(intensity, keepFrom, intensity.length);
        source = Arrays.copyOfRange(source, keepFrom, source.length);
        updatedAt = Arrays.copyOfRange(updatedAt, keepFrom, updatedAt.length);
    }
}
