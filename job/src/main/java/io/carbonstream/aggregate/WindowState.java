package io.carbonstream.aggregate;

import java.util.Arrays;

/**
 * Everything the window stage keeps for one dimension key, in one state value: its one-minute
 * panes and the revision last emitted per window, both in arrays sorted by time (a rolling hour is
 * a range of the pane array, not 60 map lookups), and the panes changed after their minute was
 * emitted. A Flink POJO (primitive and POJO arrays): no Kryo.
 */
public class WindowState {
    public Dimension dimension;
    public String datacenterId;
    public String modelId;

    public long[] minutes = new long[8];
    public Totals[] panes = new Totals[8];
    public int paneCount;

    /** Window end * 4 + kind ordinal, ascending, and the revision last emitted for it. */
    public long[] revisionKeys = new long[8];
    public int[] revisions = new int[8];
    public int revisionCount;

    public long[] dirty = new long[2];
    public int dirtyCount;

    public WindowState() {}

    /** The pane of minute m, or null. */
    public Totals pane(long m) {
        int i = Arrays.binarySearch(minutes, 0, paneCount, m);
        return i >= 0 ? panes[i] : null;
    }

    public void addPane(long m, Totals t) {
        int at = -Arrays.binarySearch(minutes, 0, paneCount, m) - 1;
        if (paneCount == minutes.length) {
            minutes = Arrays.copyOf(minutes, paneCount * 2);
            panes = Arrays.copyOf(panes, paneCount * 2);
        }
        System.arraycopy(minutes, at, minutes, at + 1, paneCount - at);
        System.arraycopy(panes, at, panes, at + 1, paneCount - at);
        minutes[at] = m;
        panes[at] = t;
        paneCount++;
    }

    /** The sum of the panes in [from, to), or null when there are none. */
    public Totals sum(long from, long to) {
        int i = lowerBound(minutes, paneCount, from);
        Totals sum = null;
        for (; i < paneCount && minutes[i] < to; i++) {
            if (sum == null) sum = new Totals();
            sum.add(panes[i]);
        }
        return sum;
    }

    public long newestPane() {
        return paneCount == 0 ? Long.MIN_VALUE : minutes[paneCount - 1];
    }

    public int nextRevision(long key) {
        int i = Arrays.binarySearch(revisionKeys, 0, revisionCount, key);
        if (i >= 0) return ++revisions[i];
        int at = -i - 1;
        if (revisionCount == revisionKeys.length) {
            revisionKeys = Arrays.copyOf(revisionKeys, revisionCount * 2);
            revisions = Arrays.copyOf(revisions, revisionCount * 2);
        }
        System.arraycopy(revisionKeys, at, revisionKeys, at + 1, revisionCount - at);
        System.arraycopy(revisions, at, revisions, at + 1, revisionCount - at);
        revisionKeys[at] = key;
        revisions[at] = 1;
        revisionCount++;
        return 1;
    }

    public void markDirty(long m) {
        for (int i = 0; i < dirtyCount; i++) if (dirty[i] == m) return;
        if (dirtyCount == dirty.length) dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        dirty[dirtyCount++] = m;
    }

    /** Drops panes with minute < paneHorizon and revision entries with window end < revisionHorizon. */
    public void dropBefore(long paneHorizon, long revisionHorizon) {
        int p = lowerBound(minutes, paneCount, paneHorizon);
        if (p > 0) {
            System.arraycopy(minutes, p, minutes, 0, paneCount - p);
            System.arraycopy(panes, p, panes, 0, paneCount - p);
            Arrays.fill(panes, paneCount - p, paneCount, null);
            paneCount -= p;
        }
        int r = lowerBound(revisionKeys, revisionCount, revisionHorizon * 4);
        if (r > 0) {
            System.arraycopy(revisionKeys, r, revisionKeys, 0, revisionCount - r);
            System.arraycopy(revisions, r, revisions, 0, revisionCount - r);
            revisionCount -= r;
        }
    }

    public boolean isEmpty() {
        return paneCount == 0 && revisionCount == 0 && dirtyCount == 0;
    }

    private static int lowerBound(long[] a, int n, long key) {
        int i = Arrays.binarySearch(a, 0, n, key);
        if (i < 0) return -i - 1;
        while (i > 0 && a[i - 1] == key) i--;
        return i;
    }
}
