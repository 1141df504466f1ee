package io.carbonstream.gpu;

import io.carbonstream.aggregate.MeteredRequest;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Provenance;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a request back together with the metered energy attribution gave it on each of its GPUs,
 * free of Flink: which requests wait, when a request is complete, and what it is priced with.
 *
 * <p>A request waits when attribution places it on GPU timelines (it names GPUs and has a duration:
 * {@link GpuUses}) and it has no valid measured joules of its own (those stay best). It is complete
 * when one piece ({@link RequestEnergy}) per GPU it named has come in. Then, if every piece was
 * metered over the request's whole span, its GPU energy is the sum of the pieces,
 * METERED_ATTRIBUTED; if any piece was partly unmetered (no reading before its start, a gap, an
 * implausible interval, or the use came too late to be attributed), a sum would undercount the
 * request, so it keeps its estimate. Nothing is ever dropped: a request whose pieces never come is
 * released with its estimate by {@link #expire}.
 *
 * <p>Requests with the same id, datacenter and event time (duplicates) share a key: each takes one
 * piece per GPU it names, so they cannot take each other's GPUs twice.
 */
public final class Recombination {

    private Recombination() {}

    /** How a request left. */
    public enum Outcome {
        /** Every GPU's piece fully metered: priced with their sum, METERED_ATTRIBUTED. */
        METERED,
        /** Some piece partly unmetered: priced with its estimate. */
        PARTLY_UNMETERED,
        /** Its pieces did not all come by the deadline: priced with its estimate. */
        PIECES_MISSING
    }

    /** A request on its way to pricing and how it left. */
    public record Released(MeteredRequest request, Outcome outcome) {}

    /** What a key holds until its requests are complete. */
    public static final class Pending {
        public final List<MeteredRequest> requests = new ArrayList<>();
        public final List<RequestEnergy> pieces = new ArrayList<>();
    }

    /**
     * Whether a request waits for its attribution: the same requests {@link GpuUses} places on GPU
     * timelines, less those whose own measurement is valid (provenance MEASURED).
     */
    public static boolean waits(InferenceRequest r, Provenance provenance) {
        return placed(r) && provenance != Provenance.MEASURED;
    }

    /**
     * Whether attribution places the request on its GPUs' timelines: it names them and has a
     * duration.
     */
    public static boolean placed(InferenceRequest r) {
        return r != null && r.gpuIds != null && r.gpuIds.length > 0 && r.durationMs > 0;
    }

    /**
     * Key of a request and of its pieces: id, datacenter and event time, so that duplicate ids from
     * elsewhere never mix.
     */
    public static String key(String requestId, String datacenterId, long eventTime) {
        return requestId + '\u001f' + datacenterId + '\u001f' + eventTime;
    }

    /**
     * Releases, in arrival order, every request of p that has all its pieces, and removes them and
     * their pieces from p.
     */
    public static List<Released> drain(Pending p) {
        List<Released> out = new ArrayList<>();
        for (int i = 0; i < p.requests.size(); i++) {
            MeteredRequest m = p.requests.get(i);
            int[] taken = match(m.request.gpuIds, p.pieces);
            if (taken == null) continue;
            List<RequestEnergy> mine = new ArrayList<>(taken.length);
            for (int t : taken) mine.add(p.pieces.get(t));
            java.util.Arrays.sort(taken);
            for (int k = taken.length - 1; k >= 0; k--) p.pieces.remove(taken[k]);
            p.requests.remove(i--);
            out.add(new Released(m, apply(m, mine)));
        }
        return out;
    }

    /**
     * The deadline passed: releases the requests still waiting with their estimates (their pieces
     * did not all come) and forgets the pieces left, whose request never came or already left
     * (count them before calling).
     */
    public static List<Released> expire(Pending p) {
        List<Released> out = new ArrayList<>(drain(p));
        for (MeteredRequest m : p.requests) out.add(new Released(m, Outcome.PIECES_MISSING));
        p.requests.clear();
        p.pieces.clear();
        return out;
    }

    /**
     * Indices of pieces of p covering each GPU the request names (as a multiset: a GPU named twice
     * needs two pieces), or null while one is missing.
     */
    static int[] match(String[] gpuIds, List<RequestEnergy> pieces) {
        int[] taken = new int[gpuIds.length];
        boolean[] used = new boolean[pieces.size()];
        for (int g = 0; g < gpuIds.length; g++) {
            int found = -1;
            for (int i = 0; i < pieces.size() && found < 0; i++) {
                if (!used[i] && gpuIds[g].equals(pieces.get(i).gpuId)) found = i;
            }
            if (found < 0) return null;
            used[found] = true;
            taken[g] = found;
        }
        return taken;
    }

    /**
     * Prices the request with its pieces when all were metered over its whole span; else it keeps
     * its estimate.
     */
    static Outcome apply(MeteredRequest m, List<RequestEnergy> pieces) {
        double sum = 0;
        for (RequestEnergy r : pieces) {
            if (r.partlyUnmetered) return Outcome.PARTLY_UNMETERED;
            sum += r.attributedJ;
        }
        m.gpuJoules = sum;
        m.provenance = Provenance.METERED_ATTRIBUTED;
        // A rejected measurement was replaced by the estimate; now the meter replaces that, so the
        // figure is no longer an estimate standing in for a bad measurement.
        m.measurementRejected = false;
        return Outcome.METERED;
    }
}
