package io.carbonstream.aggregate;

import java.util.Arrays;

/**
 * Everything the pricing stage keeps for one (datacenter, model): the requests that wait for the
 * watermark, summed per event-time millisecond and sorted by time (pricing takes the due prefix
 * without looking at the rest), and the priced one-minute panes not yet emitted. One state value
 * per key, so a request costs one state access. A Flink POJO (primitive and POJO arrays): no Kryo.
 */
public class PendingBuffer {
    /**
     * The datacenter's registry entry as of the key's latest request (its zone prices the buffer),
     * valid for lookups while {@code profileVersion} is the function's registry version.
     */
    public io.carbonstream.registry.DatacenterProfile profile;
    public long profileVersion;
    public long[] times = new long[8];
    public Totals[] totals = new Totals[8];
    public int size;
    /** The latest pane timer registered for this key: one timer per key and minute. */
    public long maxTimer = Long.MIN_VALUE;
    /** Priced, not yet emitted panes: minute starts (ascending) and their totals. */
    public long[] paneMinutes = new long[2];
    public Totals[] panes = new Totals[2];
    public int paneCount;

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

    /** Adds priced totals to the pane of a minute. Returns true if the pane is new. */
    public boolean addToPane(long minute, Totals priced) {
        int i = Arrays.binarySearch(paneMinutes, 0, paneCount, minute);
        if (i >= 0) {
            panes[i].add(priced);
            return false;
        }
        int at = -i - 1;
        if (paneCount == paneMinutes.length) {
            paneMinutes = Arrays.copyOf(paneMinutes, paneCount * 2);
            panes = Arrays.copyOf(panes, paneCount * 2);
        }
        System.arraycopy(paneMinutes, at, paneMinutes, at + 1, paneCount - at);
        System.arraycopy(panes, at, panes, at + 1, paneCount - at);
        paneMinutes[at] = minute;
        panes[at] = priced;
        paneCount++;
        return true;
    }

    /** Drops the first n panes. */
    public void dropFirstPanes(int n) {
        System.arraycopy(paneMinutes, n, paneMinutes, 0, paneCount - n);
        System.arraycopy(panes, n, panes, 0, paneCount - n);
        Arrays.fill(panes, paneCount - n, paneCount, null);
        paneCount -= n;
    }

    public boolean isEmpty() {
        return size == 0 && paneCount == 0;
    }

    private void grow() {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            totals = Arrays.copyOf(totals, size * 2);
        }
    }
}
