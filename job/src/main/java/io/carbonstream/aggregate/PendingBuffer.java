package io.carbonstream.aggregate;

/**
 * The hot part of what the pricing stage keeps for one (datacenter, model), in one state value so
 * that a request costs one state access: requests waiting for the watermark (summed per event-time
 * millisecond), priced panes not yet emitted with their slices, and the bookkeeping of the colder
 * state (emitted slices kept for restatements, requests waiting for their registry entry). A Flink
 * POJO: no Kryo.
 */
public class PendingBuffer {
    /** Unpriced requests, summed per event-time millisecond. */
    public SortedTotals pending = new SortedTotals();

    /** Priced, not yet emitted panes, by minute start. */
    public SortedTotals panes = new SortedTotals();

    /** How each not yet emitted pane was priced. */
    public MinuteSlices paneSlices = new MinuteSlices();

    /** The latest pane timer registered for this key: one timer per key and minute. */
    public long maxTimer = Long.MIN_VALUE;

    /**
     * Oldest and newest minute with emitted slices kept for restatements (oldest > newest: none).
     */
    public long historyFrom = Long.MAX_VALUE;

    public long historyTo = Long.MIN_VALUE;

    /** The latest clean-up timer of the emitted slices. */
    public long cleanupTimer = Long.MIN_VALUE;

    /** Requests in the waiting list (their datacenter was not in the registry yet). */
    public int waiting;

    public PendingBuffer() {}

    public boolean hasHistory() {
        return historyFrom <= historyTo;
    }

    public boolean isEmpty() {
        return pending.isEmpty() && panes.isEmpty() && waiting == 0 && !hasHistory();
    }
}
