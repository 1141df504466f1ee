package io.carbonstream.report;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The reporting period [from, to): whole UTC hours, since the ledger has one row per hour and a
 * period that cut an hour would have to split a row it cannot split.
 */
public record ReportPeriod(Instant from, Instant to) {

    public ReportPeriod {
        requireWholeHour("--from", from);
        requireWholeHour("--to", to);
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException(
                    "--to ("
                            + to
                            + ") must be after --from ("
                            + from
                            + "): the period is [from, to)");
        }
    }

    private static void requireWholeHour(String option, Instant t) {
        if (t == null)
            throw new IllegalArgumentException(
                    "give " + option + " as an ISO-8601 UTC hour, e.g. 2026-12-01T00:00:00Z");
        if (!t.truncatedTo(ChronoUnit.HOURS).equals(t)) {
            throw new IllegalArgumentException(
                    option
                            + " must be a whole UTC hour (minutes, seconds and fractions 0), e.g. "
                            + t.truncatedTo(ChronoUnit.HOURS)
                            + "; got "
                            + t);
        }
    }

    public boolean contains(Instant t) {
        return !t.isBefore(from) && t.isBefore(to);
    }

    public long hours() {
        return Duration.between(from, to).toHours();
    }
}
