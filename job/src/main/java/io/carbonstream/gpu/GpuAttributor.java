package io.carbonstream.gpu;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a GPU's metered energy over the requests that ran on it, in event time, free of Flink.
 *
 * <p>The energy of an interval between two consecutive counter readings is their difference, spread
 * evenly over the interval (the counter says nothing finer). The interval is cut where a request
 * starts or ends and at hour boundaries; each piece goes to the requests running during it in
 * proportion to their rates ({@link AttributionWeight}), or, when none runs, to idle energy. So per
 * GPU and hour, attributed + idle = metered, and each request gets the sum of its pieces.
 *
 * <p>An interval is final when the watermark has passed its end by the longest request duration:
 * every request that overlaps it has arrived by then. A request is final once every interval of its
 * span is. Counter resets (a reading below the previous one) count the new reading only, as the
 * energy since the restart; an interval longer than the expected gap is flagged; an interval whose
 * energy exceeds what the GPU can draw is not counted (its requests are flagged partly unmetered).
 * Nothing becomes negative.
 */
public final class GpuAttributor implements Serializable {

    public static final long HOUR = 3_600_000L;

    private final long maxRequestDurationMs;
    private final long expectedGapMs;
    private final double maxGpuWatts;

    /**
     * @param maxRequestDurationMs how long a request can run: an interval is final this long after
     *     its end
     * @param expectedGapMs readings further apart are a gap (flagged); a request waits at most this
     *     long past its end for a reading before it is finished as partly unmetered
     * @param maxGpuWatts an interval above this draw is implausible
     */
    public GpuAttributor(long maxRequestDurationMs, long expectedGapMs, double maxGpuWatts) {
        this.maxRequestDurationMs = maxRequestDurationMs;
        this.expectedGapMs = expectedGapMs;
        this.maxGpuWatts = maxGpuWatts;
    }

    /** What became final at a watermark. */
    public static final class Outcome {
        public final List<RequestEnergy> requests = new ArrayList<>();
        public final List<GpuHour> hours = new ArrayList<>();
    }

    /** Takes a reading (J); false if it is late (a reading at or before one already final). */
    public boolean addSample(GpuState s, long t, double cumulativeJ) {
        return s.addSample(t, cumulativeJ);
    }

    /**
     * Takes a request's use of the GPU; false if it ends at or before readings already final (too
     * late to attribute).
     */
    public boolean addUse(GpuState s, GpuUse u) {
        if (s.finalUpTo != Long.MIN_VALUE && u.start < s.finalUpTo) return false;
        s.addUse(u);
        return true;
    }

    /**
     * The piece of a use that came too late to be attributed: none of the GPU's energy, flagged
     * partly unmetered, so that a request waiting for it still gets one piece per GPU.
     */
    public static RequestEnergy unattributed(GpuUse u) {
        RequestEnergy r = new RequestEnergy();
        r.requestId = u.requestId;
        r.datacenterId = u.datacenterId;
        r.modelId = u.modelId;
        r.gpuId = u.gpuId;
        r.eventTime = u.end;
        r.estimateJ = u.estimateJ;
        r.partlyUnmetered = true;
        r.awaited = u.awaited;
        return r;
    }

    /**
     * Attributes every interval final at watermark wm; returns the requests and hours that became
     * final.
     */
    public Outcome advance(GpuState s, long wm) {
        Outcome out = new Outcome();
        while (s.samples >= 2 && s.sampleT[1] + maxRequestDurationMs <= wm) {
            interval(s, s.sampleT[0], s.sampleT[1], s.sampleJ[0], s.sampleJ[1]);
            s.finalUpTo = s.sampleT[1];
            s.dropFirstSample();
        }
        if (s.samples == 1
                && s.finalUpTo == Long.MIN_VALUE
                && s.sampleT[0] + maxRequestDurationMs <= wm) {
            s.finalUpTo = s.sampleT[0]; // the first reading: the base of what follows
        }
        for (int i = s.useCount - 1; i >= 0; i--) {
            GpuUse u = s.uses[i];
            boolean covered = s.finalUpTo != Long.MIN_VALUE && u.end <= s.finalUpTo;
            // No reading after its end for too long: finish it with what was metered.
            boolean abandoned = u.end + expectedGapMs + maxRequestDurationMs <= wm;
            if (!covered && !abandoned) continue;
            RequestEnergy r = new RequestEnergy();
            r.requestId = u.requestId;
            r.datacenterId = u.datacenterId;
            r.modelId = u.modelId;
            r.gpuId = u.gpuId;
            r.eventTime = u.end;
            r.attributedJ = s.useJ[i];
            r.estimateJ = u.estimateJ;
            r.partlyUnmetered =
                    s.useUnmetered[i]
                            || !covered
                            || s.firstSample == Long.MIN_VALUE
                            || u.start < s.firstSample;
            r.awaited = u.awaited;
            out.requests.add(r);
            s.removeUse(i);
        }
        for (int i = s.hourCount - 1; i >= 0; i--) {
            if (s.finalUpTo != Long.MIN_VALUE && s.hours[i].hourStart + HOUR <= s.finalUpTo) {
                out.hours.add(s.hours[i]);
                s.removeHour(i);
            }
        }
        out.requests.sort(java.util.Comparator.comparing((RequestEnergy r) -> r.requestId));
        out.hours.sort(java.util.Comparator.comparingLong(h -> h.hourStart));
        return out;
    }

    private void interval(GpuState s, long t0, long t1, double c0, double c1) {
        double e = c1 - c0;
        boolean reset = e < 0;
        if (reset)
            e = c1; // the counter restarted: what it read is the energy since; before that is
        // unknown
        boolean implausible = e > maxGpuWatts * (t1 - t0) / 1000.0;
        GpuHour last = s.hour(Math.floorDiv(t1 - 1, HOUR) * HOUR);
        last.intervals++;
        if (reset) last.resets++;
        if (t1 - t0 > expectedGapMs) last.gaps++;
        if (implausible) {
            last.implausible++;
            for (int i = 0; i < s.useCount; i++)
                if (s.uses[i].start < t1 && s.uses[i].end > t0) s.useUnmetered[i] = true;
            return;
        }
        // Cut points: the interval's ends, every request start or end inside it, every hour
        // boundary.
        long[] cuts = new long[2 + 2 * s.useCount + (int) ((t1 - t0) / HOUR) + 1];
        int n = 0;
        cuts[n++] = t0;
        cuts[n++] = t1;
        for (int i = 0; i < s.useCount; i++) {
            GpuUse u = s.uses[i];
            if (u.start > t0 && u.start < t1) cuts[n++] = u.start;
            if (u.end > t0 && u.end < t1) cuts[n++] = u.end;
        }
        for (long h = Math.floorDiv(t0, HOUR) * HOUR + HOUR; h < t1; h += HOUR) cuts[n++] = h;
        Arrays.sort(cuts, 0, n);
        double perMs = e / (t1 - t0);
        for (int k = 0; k + 1 < n; k++) {
            long a = cuts[k], b = cuts[k + 1];
            if (b == a) continue;
            double pieceJ = perMs * (b - a);
            GpuHour h = s.hour(Math.floorDiv(a, HOUR) * HOUR);
            h.meteredJ += pieceJ;
            double total = 0;
            int running = 0;
            for (int i = 0; i < s.useCount; i++) {
                if (s.uses[i].start < b && s.uses[i].end > a) {
                    total += Math.max(0, s.uses[i].rate);
                    running++;
                }
            }
            if (running == 0) {
                h.idleJ += pieceJ;
                continue;
            }
            h.attributedJ += pieceJ;
            for (int i = 0; i < s.useCount; i++) {
                GpuUse u = s.uses[i];
                if (u.start < b && u.end > a) {
                    // Requests with no weight at all share equally rather than leave the piece to
                    // no one.
                    s.useJ[i] +=
                            total > 0 ? pieceJ * Math.max(0, u.rate) / total : pieceJ / running;
                }
            }
        }
    }
}
