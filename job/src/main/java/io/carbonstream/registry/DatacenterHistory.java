package io.carbonstream.registry;

import java.util.Arrays;

/**
 * The versions of one datacenter's registry entry, sorted by effective_from, each holding until the
 * next: the registry in event time, answered by the same as-of rule as intensity. A Flink POJO
 * (arrays of POJOs), kept in broadcast state.
 *
 * <p>{@code deleted}: a tombstone removed the datacenter. New requests of it are unknown; requests
 * accepted before keep being priced (and re-priced) with its versions.
 */
public class DatacenterHistory implements java.io.Serializable {

    public long[] effectiveFrom = new long[0];
    public DatacenterProfile[] versions = new DatacenterProfile[0];
    public boolean deleted;

    public DatacenterHistory() {}

    public static DatacenterHistory of(DatacenterProfile p) {
        DatacenterHistory h = new DatacenterHistory();
        h.upsert(p);
        return h;
    }

    public DatacenterHistory copy() {
        DatacenterHistory h = new DatacenterHistory();
        h.effectiveFrom = effectiveFrom.clone();
        h.versions = versions.clone();
        h.deleted = deleted;
        return h;
    }

    /**
     * Adds a version, or replaces the one with the same effective_from. Returns the version it
     * replaced or that was in force at that instant before, or null.
     */
    public DatacenterProfile upsert(DatacenterProfile p) {
        deleted = false;
        int i = Arrays.binarySearch(effectiveFrom, p.effectiveFrom);
        if (i >= 0) {
            DatacenterProfile old = versions[i];
            versions[i] = p;
            return old;
        }
        int at = -i - 1;
        long[] f = new long[effectiveFrom.length + 1];
        DatacenterProfile[] v = new DatacenterProfile[versions.length + 1];
        System.arraycopy(effectiveFrom, 0, f, 0, at);
        System.arraycopy(versions, 0, v, 0, at);
        f[at] = p.effectiveFrom;
        v[at] = p;
        System.arraycopy(effectiveFrom, at, f, at + 1, effectiveFrom.length - at);
        System.arraycopy(versions, at, v, at + 1, versions.length - at);
        effectiveFrom = f;
        versions = v;
        return at > 0 ? versions[at - 1] : null;
    }

    /** Index of the version in force at t, or -1. */
    public int indexAsOf(long t) {
        int i = Arrays.binarySearch(effectiveFrom, t);
        return i >= 0 ? i : -i - 2;
    }

    /** The version in force at t, or null (none yet). */
    public DatacenterProfile asOf(long t) {
        int i = indexAsOf(t);
        return i < 0 ? null : versions[i];
    }

    /** Start of the version after the one in force at t: where t's version stops holding. */
    public long nextChangeAfter(long t) {
        int i = indexAsOf(t) + 1;
        return i < effectiveFrom.length ? effectiveFrom[i] : Long.MAX_VALUE;
    }

    public int size() {
        return versions.length;
    }
}
