package io.carbonstream.alert;

/**
 * The raise/clear discipline of every alert, Flink-free: raise when the value reaches the enter
 * threshold; clear only once it is below the (lower) exit threshold AND the alert has been raised
 * for at least the minimum dwell. A value oscillating around the enter threshold therefore raises
 * once and stays raised until it really falls back.
 */
public final class Hysteresis implements java.io.Serializable {

    /** What an evaluation decided. */
    public enum Transition {
        NONE,
        RAISE,
        CLEAR,
        /**
         * Below the exit threshold but within the dwell: re-evaluate at {@link #dwellEnds(long)}.
         */
        HOLD
    }

    private final long minDwellMs;

    public Hysteresis(long minDwellMs) {
        this.minDwellMs = minDwellMs;
    }

    /**
     * @param raisedAt event time the open alert was raised, or null when none is open
     */
    public Transition evaluate(Long raisedAt, long now, double value, double enter, double exit) {
        if (raisedAt == null) return value >= enter ? Transition.RAISE : Transition.NONE;
        if (value >= exit) return Transition.NONE;
        return now - raisedAt >= minDwellMs ? Transition.CLEAR : Transition.HOLD;
    }

    public long dwellEnds(long raisedAt) {
        return raisedAt + minDwellMs;
    }
}
