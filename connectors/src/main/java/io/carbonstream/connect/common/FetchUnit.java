package io.carbonstream.connect.common;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One thing a task fetches on its own schedule (a zone's latest value, one refetch age of one zone,
 * a forecast), with its own source partitions and offsets. A run does all of its HTTP requests
 * first and changes its state only once they all succeeded, so that a failure anywhere leaves it as
 * it was, to run again after the backoff.
 */
public abstract class FetchUnit {
    private final String name;
    protected Instant dueAt = Instant.MIN;

    protected FetchUnit(String name) {
        this.name = name;
    }

    /** The source partitions whose committed offsets this unit resumes from. */
    public abstract List<Map<String, Object>> partitions();

    /**
     * Called once at task start with the committed offsets (absent partitions are missing from the
     * map).
     */
    public abstract void restore(
            Map<Map<String, Object>, Map<String, Object>> offsets, Instant now);

    /** Fetches and returns the records to publish; sets {@link #dueAt} for the next run. */
    public abstract List<SourceRecord> run(Instant now) throws InterruptedException;

    /** Normal cadence of the unit. */
    public abstract Duration interval();

    /** After a malformed response or a client error: skip this turn, try again at the next one. */
    public void skipTurn(Instant now) {
        nextTurn(now);
    }

    /** Due again one interval from now. */
    protected final void nextTurn(Instant now) {
        dueAt = now.plus(interval());
    }

    /** Due again at once while more pages wait (catching up), else one interval from now. */
    protected final void nextTurn(Instant now, boolean morePages) {
        dueAt = morePages ? now : now.plus(interval());
    }

    /** An epoch-millisecond field of a committed offset, or null. */
    protected static Instant instant(Map<String, Object> offset, String field) {
        Object v = offset == null ? null : offset.get(field);
        return v instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
    }

    public Instant dueAt() {
        return dueAt;
    }

    @Override
    public String toString() {
        return name;
    }
}
