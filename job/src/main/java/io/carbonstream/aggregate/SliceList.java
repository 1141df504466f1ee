package io.carbonstream.aggregate;

import java.util.Arrays;

/** The priced slices of one (datacenter, model) and minute. A Flink POJO. */
public class SliceList {
    public Slice[] slices = new Slice[1];
    public int size;

    public SliceList() {}

    /** Adds a slice, merged into one priced alike if there is one. */
    public void add(Slice s) {
        for (int i = 0; i < size; i++) {
            if (slices[i].samePricing(s)) {
                slices[i].add(s);
                return;
            }
        }
        if (size == slices.length) slices = Arrays.copyOf(slices, size * 2);
        slices[size++] = s;
    }

    public void addAll(SliceList o) {
        for (int i = 0; i < o.size; i++) add(o.slices[i]);
    }

    /** The intensity mix of these slices (requests per intensity), into t. */
    public void mixInto(Totals t) {
        for (int i = 0; i < size; i++) t.addMix(slices[i].intensity, slices[i].requests);
    }
}
