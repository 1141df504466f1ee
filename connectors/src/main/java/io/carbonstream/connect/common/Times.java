package io.carbonstream.connect.common;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * Instants as the three APIs write them: "2019-05-21T00:00:00.000Z", "2026-04-01T00:00:00+00:00",
 * "2018-01-20T12:00Z".
 */
public final class Times {
    /** The UK Carbon Intensity API's path format: minutes, UTC. */
    public static final DateTimeFormatter MINUTES_UTC =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm'Z'").withZone(ZoneOffset.UTC);

    private Times() {}

    /** The instant, or null when the text is null, blank or not a date-time. */
    public static Instant parseOrNull(String text) {
        if (text == null || text.isBlank()) return null;
        try {
            return OffsetDateTime.parse(text.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** ISO-8601 with seconds, UTC: the query format of Electricity Maps and WattTime. */
    public static String iso(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    public static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    public static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
