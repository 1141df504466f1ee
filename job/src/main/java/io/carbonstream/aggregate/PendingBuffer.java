package io.carbonstream.aggregate;

/**
 * Everything the pricing stage keeps for one (datacenter, model): the requests that wait for the
 * watermark, summed per event-time millisecond, and the priced one-minute panes not yet emitted.
 * One state value per key, so a request costs one state access. A Flink POJO: no Kryo.
 */
public class PendingBuffer {
    /**
     * The datacenter's registry entry as of the key's latest request (its zone prices the buffer),
     * valid for lookups while {@code profileVersion} is the function's registry version.
     */
    public io.carbonstream.registry.DatacenterProfile profile;
    public long profileVersion;
    /** Unpriced requests, summed per event-time millisecond. */
    public SortedTotals pending = new SortedTotals();
    /** Priced, not yet emitted panes, by minute start. */
    public SortedTotals panes = new SortedTotals();
    /** The latest pane timer registered for this key: one timer per key and minute. */
    public long maxTimer = Long.MIN_VALUE;

    public PendingBuffer() {}

    public boolean isEmpty() {
        return pending.isEmpty() && panes.isEmpty();
    }
}
