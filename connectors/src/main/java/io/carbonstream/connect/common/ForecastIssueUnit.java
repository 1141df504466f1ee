package io.carbonstream.connect.common;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A forecast unit that asks its API every forecast.interval and publishes an issue only when its
 * issue time (kept in the offset field "updated_at") is newer than the last one it published: an
 * API that answers with the same issue again, or a restart, repeats nothing.
 */
public abstract class ForecastIssueUnit extends OnePartitionUnit {
    private final CommonConfig config;
    private Instant lastIssued;

    protected ForecastIssueUnit(String name, Map<String, Object> partition, CommonConfig config) {
        super(name, partition, "updated_at");
        this.config = config;
    }

    @Override
    protected final void resume(Instant last, Instant now) {
        lastIssued = last;
    }

    @Override
    public final Duration interval() {
        return config.forecastInterval();
    }

    /**
     * Whether an issue made at {@code issuedAt} is newer than the last one published; either way
     * the unit is due again an interval from now.
     */
    protected final boolean isNew(Instant issuedAt, Instant now) {
        nextTurn(now);
        return lastIssued == null || issuedAt.isAfter(lastIssued);
    }

    /** Records that the issue made at {@code issuedAt} was published. */
    protected final void published(Instant issuedAt) {
        lastIssued = issuedAt;
    }
}
