package io.carbonstream.aggregate;

import java.util.Arrays;

/**
 * Everything the window stage keeps for one dimension key, in one state value: its one-minute panes
 * and the revision last emitted per window, both in arrays sorted by time (a rolling hour is a
 * range of the pane array, not 60 map lookups), and the panes changed after their minute was
 * emitted. A Flink POJO (primitive and POJO arrays): no Kryo.
 */
public class WindowState {
    public Dimension dimension;
    public String datacenterId;
    public String modelId;

    /**
     * Grid zone and organisation of the datacenter, as the latest pane said (null for MODEL keys).
     */
    public String zone;

    public String organisation;

    /** One-minute panes by minute start. */
    public SortedTotals panes = new SortedTotals();

    /** Window end * 4 + kind ordinal, ascending, and the revision last emitted for it. */
    public long[] revisionKeys = new long[8];

    public int[] revisions = new int[8];
    public int revisionCount;

    public long[] dirty = new long[2];

    /** RevisionReason bits of the changes of each dirty pane. */
    public int[] dirtyReasons = new int[2];

    public int dirtyCount;

    public WindowState() {}

    /** The pane of minute m, or null. */
    public Totals pane(long m) {
        return panes.get(m);
    }

    public void addPane(long m, Totals t) {
        panes.merge(m, t);
    }

    /** The sum of the panes in [from, to), or null when there are none. */
    public Totals sum(long from, long to) {
        Totals sum = null;
        for (int i = panes.lowerBound(from); i < panes.size && panes.keys[i] < to; i++) {
            if (sum == null) sum = new Totals();
            sum.addForEmission(panes.values[i]);
        }
        return sum;
    }

    public long newestPane() {
        return panes.isEmpty() ? Long.MIN_VALUE : panes.keys[panes.size - 1];
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

    public void markDirty(long m, int reason) {
        for (int i = 0; i < dirtyCount; i++) {
            if (dirty[i] == m) {
                dirtyReasons[i] |= reason;
                return;
            }
        }
        if (dirtyCount == dirty.length) {
            dirty = Arrays.copyOf(dirty, dirtyCount * 2);
            dirtyReasons = Arrays.copyOf(dirtyReasons, dirtyCount * 2);
        }
        if (dirtyReasons.length < dirty.length)
            dirtyReasons = Arrays.copyOf(dirtyReasons, dirty.length);
        dirty[dirtyCount] = m;
        dirtyReasons[dirtyCount++] = reason;
    }

    /**
     * Drops panes with minute < paneHorizon and revision entries with window end < revisionHorizon.
     */
    public void dropBefore(long paneHorizon, long revisionHorizon) {
        panes.dropFirst(panes.lowerBound(paneHorizon));
        int r = lowerBound(revisionKeys, revisionCount, revisionHorizon * 4);
        if (r > 0) {
            System.arraycopy(revisionKeys, r, revisionKeys, 0, revisionCount - r);
            System.arraycopy(revisions, r, revisions, 0, revisionCount - r);
            revisionCount -= r;
        }
    }

    public boolean isEmpty() {
        return panes.isEmpty() && revisionCount == 0 && dirtyCount == 0;
    }

    private static int lowerBound(long[] a, int n, long key) {
        int i = Arrays.binarySearch(a, 0, n, key);
        if (i < 0) return -i - 1;
        while (i > 0 && a[i - 1] == key) i--;
        return i;
    }
}
