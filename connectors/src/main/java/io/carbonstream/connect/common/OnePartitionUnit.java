package io.carbonstream.connect.common;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A unit with one source partition whose offset says, in one epoch-millisecond field, how far it
 * has published: it resumes from that field (null on a first start, or after an operator deleted
 * the offset).
 */
public abstract class OnePartitionUnit extends FetchUnit {
    protected final Map<String, Object> partition;
    private final String resumeField;

    protected OnePartitionUnit(String name, Map<String, Object> partition, String resumeField) {
        super(name);
        this.partition = partition;
        this.resumeField = resumeField;
    }

    @Override
    public final List<Map<String, Object>> partitions() {
        return List.of(partition);
    }

    @Override
    public final void restore(Map<Map<String, Object>, Map<String, Object>> offsets, Instant now) {
        resume(instant(offsets.get(partition), resumeField), now);
    }

    /** Sets the unit's position from the committed {@code last} (null: none). */
    protected abstract void resume(Instant last, Instant now);

    /** The offset that says this unit has published up to {@code at}: what it resumes from. */
    protected final Map<String, Object> offsetAt(Instant at) {
        return Map.of(resumeField, at.toEpochMilli());
    }

    /** A forecast made at {@code madeAt}, published with this unit's partition and offset. */
    protected final ForecastIssue issue(String topic, ForecastIssue.Series series, Instant madeAt) {
        return new ForecastIssue(partition, offsetAt(madeAt), topic, series, madeAt);
    }
}
