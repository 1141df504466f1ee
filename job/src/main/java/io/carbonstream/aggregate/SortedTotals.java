package io.carbonstream.aggregate;

import java.util.Arrays;

/**
 * Totals keyed by a long (an event-time millisecond, a minute), sorted by key in two parallel
 * arrays: the one shape of every buffer the pricing and window stages keep. Sorted so that the due
 * prefix, or a range of minutes, is found by binary search without looking at the rest; arrays so
 * that a key costs no boxing and no map entry. A Flink POJO (primitive and POJO arrays): no Kryo.
 */
public class SortedTotals {
    public long[] keys = new long[4];
    public Totals[] values = new Totals[4];
    public int size;

    public SortedTotals() {}

    /** The totals of key k, or null. */
    public Totals get(long k) {
        int i = Arrays.binarySearch(keys, 0, size, k);
        return i >= 0 ? values[i] : null;
    }

    /** Adds t into the entry of k, or makes t (itself, not a copy) that entry. */
    public void merge(long k, Totals t) {
        if (size > 0 && k > keys[size - 1]) { // the common case: in order
            insertAt(size, k, t);
            return;
        }
        int i = Arrays.binarySearch(keys, 0, size, k);
        if (i >= 0) values[i].add(t);
        else insertAt(-i - 1, k, t);
    }

    /** Index of the first key >= k. */
    public int lowerBound(long k) {
        int i = Arrays.binarySearch(keys, 0, size, k);
        if (i < 0) return -i - 1;
        while (i > 0 && keys[i - 1] == k) i--;
        return i;
    }

    /** How many keys are <= k. */
    public int countUpTo(long k) {
        int i = Arrays.binarySearch(keys, 0, size, k);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** Drops the first n entries. */
    public void dropFirst(int n) {
        if (n <= 0) return;
        System.arraycopy(keys, n, keys, 0, size - n);
        System.arraycopy(values, n, values, 0, size - n);
        Arrays.fill(values, size - n, size, null);
        size -= n;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    private void insertAt(int at, long k, Totals t) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        System.arraycopy(keys, at, keys, at + 1, size - at);
        System.arraycopy(values, at, values, at + 1, size - at);
        keys[at] = k;
        values[at] = t;
        size++;
    }
}
