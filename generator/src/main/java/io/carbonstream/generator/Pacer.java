package io.carbonstream.generator;

/**
 * Maps simulated time to wall time: simulated time runs {@code speedup} times faster than the wall
 * clock from {@code simStart}, until it catches up with the wall clock; from then on it is the wall
 * clock. Event times therefore never lead the wall clock, which the job would reject (it
 * dead-letters events more than a few minutes in its future).
 */
public final class Pacer {

    private final long simStart;
    private final long wallStart;
    private final double speedup;
    private final long catchUp;

    public Pacer(long simStart, long wallStart, double speedup) {
        if (!(speedup > 0)) throw new IllegalArgumentException("speedup must be positive");
        if (simStart > wallStart)
            throw new IllegalArgumentException("the simulation cannot start in the future");
        this.simStart = simStart;
        this.wallStart = wallStart;
        this.speedup = speedup;
        this.catchUp = catchUpInstant(simStart, wallStart, speedup);
    }

    /**
     * Simulated (= wall) instant at which the accelerated clock reaches the wall clock; MAX_VALUE
     * if never.
     */
    public static long catchUpInstant(long simStart, long wallStart, double speedup) {
        if (speedup <= 1) return Long.MAX_VALUE;
        return wallStart + (long) ((wallStart - simStart) / (speedup - 1));
    }

    public long catchUpInstant() {
        return catchUp;
    }

    /** Wall instant at which a record of simulated instant {@code sim} is due. */
    public long wallAt(long sim) {
        if (sim <= catchUp) return wallStart + (long) ((sim - simStart) / speedup);
        return sim;
    }

    /** Simulated instant at wall instant {@code wall}. */
    public long simAt(long wall) {
        long sim = simStart + (long) ((wall - wallStart) * speedup);
        return sim <= catchUp ? sim : wall;
    }

    /** Current speed: {@code speedup} before the catch-up, 1 after. */
    public double speedAt(long wall) {
        return simAt(wall) < catchUp ? speedup : 1;
    }
}
