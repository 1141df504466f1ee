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

    /**
     * Not state: the slice {@link #addScratch} merges, reused so that pricing allocates nothing.
     */
    private transient Slice scratch;

    Slice scratch() {
        if (scratch == null) scratch = new Slice();
        return scratch;
    }

    /**
     * Adds the scratch slice: into the slice priced alike, or as a new one (then a new scratch is
     * made).
     */
    void addScratch() {
        for (int i = 0; i < size; i++) {
            if (slices[i].samePricing(scratch)) {
                slices[i].add(scratch);
                return;
            }
        }
        if (size == slices.length) slices = Arrays.copyOf(slices, size * 2);
        slices[size++] = scratch;
        scratch = null;
    }

    public void addAll(SliceList o) {
        for (int i = 0; i < o.size; i++) add(o.slices[i]);
    }

    /** The intensity mix of these slices (requests per intensity), into t. */
    public void mixInto(Totals t) {
        for (int i = 0; i < size; i++) t.addMix(slices[i].intensity, slices[i].requests);
    }
}
