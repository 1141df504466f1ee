package io.carbonstream.aggregate;

import java.util.Arrays;

/**
 * Slice lists by minute start, sorted: the priced, not yet emitted panes of one key. A Flink POJO.
 */
public class MinuteSlices {
    public long[] minutes = new long[2];
    public SliceList[] lists = new SliceList[2];
    public int size;

    public MinuteSlices() {}

    public SliceList get(long minute) {
        int i = Arrays.binarySearch(minutes, 0, size, minute);
        return i >= 0 ? lists[i] : null;
    }

    /** The list of a minute, created empty if absent. */
    public SliceList of(long minute) {
        if (size > 0 && minutes[size - 1] == minute) return lists[size - 1]; // the common case
        int i = Arrays.binarySearch(minutes, 0, size, minute);
        if (i >= 0) return lists[i];
        int at = -i - 1;
        if (size == minutes.length) {
            minutes = Arrays.copyOf(minutes, size * 2);
            lists = Arrays.copyOf(lists, size * 2);
        }
        System.arraycopy(minutes, at, minutes, at + 1, size - at);
        System.arraycopy(lists, at, lists, at + 1, size - at);
        minutes[at] = minute;
        lists[at] = new SliceList();
        size++;
        return lists[at];
    }

    /** Removes and returns the list of a minute, or null. */
    public SliceList remove(long minute) {
        int i = Arrays.binarySearch(minutes, 0, size, minute);
        if (i < 0) return null;
        SliceList l = lists[i];
        System.arraycopy(minutes, i + 1, minutes, i, size - i - 1);
        System.arraycopy(lists, i + 1, lists, i, size - i - 1);
        size--;
        lists[size] = null;
        return l;
    }

    public boolean isEmpty() {
        return size == 0;
    }
}
