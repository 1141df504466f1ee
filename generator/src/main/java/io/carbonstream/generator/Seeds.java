package io.carbonstream.generator;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Independent random streams derived from one seed, one per named part of the simulation, so that
 * changing how often one part draws (say, a new field on requests) leaves the others unchanged.
 */
final class Seeds {

    private Seeds() {}

    static SplittableRandom stream(long seed, String name) {
        long h = 0xcbf29ce484222325L; // FNV-1a over the name, then mixed with the seed
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        return new SplittableRandom(mix(seed ^ mix(h)));
    }

    /**
     * A stream for one numbered item of a named part (an hour, a GPU): it depends only on the seed,
     * the name and the index, not on how many items were drawn before.
     */
    static SplittableRandom stream(long seed, String name, long index) {
        return stream(mix(seed ^ mix(index ^ 0x632be59bd9b4e019L)), name);
    }

    /** SplitMix64 finaliser: neighbouring seeds give unrelated streams. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static double uniform(SplittableRandom r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    /** Log-normal with the given median and shape sigma. */
    static double logNormal(SplittableRandom r, double median, double sigma) {
        return median * Math.exp(sigma * r.nextGaussian());
    }
}
