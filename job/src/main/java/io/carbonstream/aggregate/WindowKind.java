package io.carbonstream.aggregate;

/** The event-time windows the job reports. */
public enum WindowKind {
    /** Tumbling, one minute. */
    MINUTE,
    /** The hour ending at each minute boundary, computed from 60 one-minute panes. */
    ROLLING_HOUR,
    /** Tumbling, one clock hour, for reports. */
    HOUR
}
