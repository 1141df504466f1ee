package io.carbonstream.aggregate;

import java.util.Arrays;

/**
 * The requests of one (datacenter, model) that wait for the watermark, summed per event-time
 * millisecond and kept sorted by time, so that a timer takes the due prefix without looking at
 * the rest. One state value per key: a request costs one state access, not one per map entry.
 * A Flink POJO (primitive and POJO arrays): no Kryo.
 */
public class PendingBuffer {
    /** The zone of the key's datacenter when its requests arrived. */
    public String zone;
    public long[] times = new long[8];
    public Totals[] totals = new Totals[8];
    public int size;
    /** The latest pricing timer registered for this key: one timer per key and second. */
    public long maxTimer = Long.MIN_VALUE;

    public PendingBuffer() {}

    /** Adds a request at event time t; requests of the same millisecond are summed. */
    public void add(long t, Totals one) {
        if (size == 0 || t > times[size - 1]) {
            grow();
            times[size] = t;
            totals[size] = one;
            size++;
            return;
        }
        int i = Arrays.binarySearch(times, 0, size, t);
        if (i >= 0) {
            totals[i].add(one);
            return;
        }
        int at = -i - 1;
        grow();
        System.arraycopy(times, at, times, at + 1, size - at);
        System.arraycopy(totals, at, totals, at + 1, size - at);
        times[at] = t;
        totals[at] = one;
        size++;
    }

    /** How many leading entries are at or before t. */
    public int countUpTo(long t) {
        int i = Arrays.binarySearch(times, 0, size, t);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** Drops the first n entries. */
    public void dropFirst(int n) {
        System.arraycopy(times, n, times, 0, size - n);
        System.arraycopy(totals, n, totals, 0, size - n);
        Arrays.fill(totals, size - n, size, null);
        size -= n;
    }

    private void grow() {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            totals = Arrays.copyOf(totals, size * 2);
        }
    }
}
