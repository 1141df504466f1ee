package io.carbonstream.generator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated grid of one zone: its daily shape, slow weather-like noise, occasional spikes and,
 * for one zone, outages of its data feed. Advanced tick by tick in simulated time; deterministic
 * for a seed.
 */
final class ZoneGrid {

    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    /** One spike: a rise of {@code amplitude} g within an hour, a plateau, a decay. */
    record Spike(long start, long rise, long plateau, long decay, double amplitude) {
        double at(long t) {
            long d = t - start;
            if (d < 0 || d >= rise + plateau + decay) return 0;
            if (d < rise) return amplitude * d / rise;
            if (d < rise + plateau) return amplitude;
            return amplitude * (1 - (double) (d - rise - plateau) / decay);
        }

        long end() {
            return start + rise + plateau + decay;
        }
    }

    final Zone zone;
    private final SplittableRandom rnd;
    private final long interval;

    /** valid_from of the next update. */
    long nextValidFrom;

    /** Relative deviation from the daily shape, an AR(1) process stepped once per update. */
    private double drift;

    private final List<Spike> spikes = new ArrayList<>();
    private long nextSpikeStart;
    private final boolean silent;
    private long silenceStart;
    private long silenceEnd;

    ZoneGrid(Zone zone, long seed, long start, boolean forceEarlySpike, boolean silent) {
        this.zone = zone;
        this.rnd = Seeds.stream(seed, "zone:" + zone.id());
        this.interval = zone.updateMinutes() * MINUTE;
        this.nextValidFrom = Math.floorDiv(start, interval) * interval;
        this.drift = 0.03 * rnd.nextGaussian();
        // A demo should show a spike in its first hours, not on day three: one zone gets its first
        // early.
        this.nextSpikeStart =
                forceEarlySpike
                        ? start + (long) Seeds.uniform(rnd, 30 * MINUTE, 150 * MINUTE)
                        : start + nextSpikeGap();
        this.silent = silent;
        if (silent) {
            silenceStart = start + (long) Seeds.uniform(rnd, 2 * HOUR, 4 * HOUR);
            silenceEnd = silenceStart + (long) Seeds.uniform(rnd, 150 * MINUTE, 200 * MINUTE);
        }
    }

    private long nextSpikeGap() {
        if (zone.spikesPerDay() <= 0) return Long.MAX_VALUE / 4;
        return (long) (rnd.nextExponential() * DAY / zone.spikesPerDay());
    }

    /** Whether the zone's feed is down at valid_from t (no estimate, no correction). */
    boolean silentAt(long t) {
        if (!silent) return false;
        while (t >= silenceEnd) {
            // Outages recur roughly daily.
            silenceStart += (long) Seeds.uniform(rnd, 20 * HOUR, 28 * HOUR);
            silenceEnd = silenceStart + (long) Seeds.uniform(rnd, 150 * MINUTE, 200 * MINUTE);
        }
        return t >= silenceStart;
    }

    /** The update due at {@link #nextValidFrom}; advances to the next one. */
    Tick tick() {
        long t = nextValidFrom;
        nextValidFrom += interval;
        drift = 0.92 * drift + 0.012 * rnd.nextGaussian();
        while (nextSpikeStart <= t + interval) {
            Spike s =
                    new Spike(
                            nextSpikeStart,
                            (long) Seeds.uniform(rnd, 15 * MINUTE, 50 * MINUTE),
                            (long) Seeds.uniform(rnd, 20 * MINUTE, 60 * MINUTE),
                            (long) Seeds.uniform(rnd, 30 * MINUTE, 60 * MINUTE),
                            Seeds.uniform(rnd, 100, 150));
            spikes.add(s);
            nextSpikeStart = s.end() + nextSpikeGap();
        }
        double spike = 0;
        for (Iterator<Spike> it = spikes.iterator(); it.hasNext(); ) {
            Spike s = it.next();
            if (s.end() <= t) it.remove();
            else spike += s.at(t);
        }
        double truth = Math.max(5, zone.shapeAt(t) * (1 + drift) + spike);
        // Providers first publish an estimate (a few % off), then the measured value.
        double estimate = Math.max(5, truth * (1 + 0.04 * rnd.nextGaussian()));
        Double marginal =
                zone.marginalFactor() > 0
                        ? round1(truth * zone.marginalFactor() * (1 + 0.05 * rnd.nextGaussian()))
                        : null;
        long correctionDelay = (long) Seeds.uniform(rnd, 2 * MINUTE, 8 * MINUTE);
        boolean quiet = silentAt(t);
        return new Tick(
                t, round1(estimate), round1(truth), marginal, correctionDelay, quiet, spike > 0);
    }

    /** One update interval's values. */
    record Tick(
            long validFrom,
            double estimate,
            double measured,
            Double marginal,
            long correctionDelayMs,
            boolean silent,
            boolean inSpike) {}

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
