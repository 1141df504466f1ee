package io.carbonstream.gpu;

import java.util.Arrays;

/**
 * What attribution keeps for one GPU: counter readings not yet final, requests not yet fully
 * attributed, and per-hour sums not yet complete. Arrays, sorted by time: a Flink POJO, no Kryo.
 */
public class GpuState {
    public String gpuId;
    public String datacenterId;

    /**
     * Readings from the last final one (index 0, once there is one) on, by time; cumulative energy
     * in J.
     */
    public long[] sampleT = new long[4];

    public double[] sampleJ = new double[4];
    public int samples;

    /** Time of the first reading ever: before it, nothing is metered. Long.MIN_VALUE: none yet. */
    public long firstSample = Long.MIN_VALUE;

    /** Readings up to here are final: a later reading at or before it is late. */
    public long finalUpTo = Long.MIN_VALUE;

    public GpuUse[] uses = new GpuUse[4];

    /** Energy attributed to each use so far, and whether part of its span had no usable reading. */
    public double[] useJ = new double[4];

    public boolean[] useUnmetered = new boolean[4];
    public int useCount;

    public GpuHour[] hours = new GpuHour[2];
    public int hourCount;

    public GpuState() {}

    /** Adds or replaces (same time) a reading; false if it is late (at or before a final one). */
    boolean addSample(long t, double j) {
        if (t <= finalUpTo) return false;
        int i = 0;
        while (i < samples && sampleT[i] < t) i++;
        if (i < samples && sampleT[i] == t) {
            sampleJ[i] = j;
            return true;
        }
        if (samples == sampleT.length) {
            sampleT = Arrays.copyOf(sampleT, samples * 2);
            sampleJ = Arrays.copyOf(sampleJ, samples * 2);
        }
        System.arraycopy(sampleT, i, sampleT, i + 1, samples - i);
        System.arraycopy(sampleJ, i, sampleJ, i + 1, samples - i);
        sampleT[i] = t;
        sampleJ[i] = j;
        samples++;
        if (firstSample == Long.MIN_VALUE || t < firstSample) firstSample = t;
        return true;
    }

    void dropFirstSample() {
        System.arraycopy(sampleT, 1, sampleT, 0, samples - 1);
        System.arraycopy(sampleJ, 1, sampleJ, 0, samples - 1);
        samples--;
    }

    void addUse(GpuUse u) {
        if (useCount == uses.length) {
            uses = Arrays.copyOf(uses, useCount * 2);
            useJ = Arrays.copyOf(useJ, useCount * 2);
            useUnmetered = Arrays.copyOf(useUnmetered, useCount * 2);
        }
        uses[useCount] = u;
        useJ[useCount] = 0;
        useUnmetered[useCount] = false;
        useCount++;
    }

    void removeUse(int i) {
        useCount--;
        uses[i] = uses[useCount];
        useJ[i] = useJ[useCount];
        useUnmetered[i] = useUnmetered[useCount];
        uses[useCount] = null;
    }

    GpuHour hour(long hourStart) {
        for (int i = 0; i < hourCount; i++) if (hours[i].hourStart == hourStart) return hours[i];
        if (hourCount == hours.length) hours = Arrays.copyOf(hours, hourCount * 2);
        GpuHour h = new GpuHour();
        h.gpuId = gpuId;
        h.datacenterId = datacenterId;
        h.hourStart = hourStart;
        hours[hourCount++] = h;
        return h;
    }

    void removeHour(int i) {
        hourCount--;
        hours[i] = hours[hourCount];
        hours[hourCount] = null;
    }
}
