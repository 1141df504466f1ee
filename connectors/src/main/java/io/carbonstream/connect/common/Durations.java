package io.carbonstream.connect.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Durations in configuration: "250ms", "30s", "5m", "48h", "7d", or ISO-8601 ("PT5M", "P7D").
 * Written back as "48h", "7d", "90d" (days from a week on, else the largest exact unit), which
 * names the refetch source partitions: "2d" and "48h" are the same stage.
 */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private Durations() {}

    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) return Duration.ZERO;
        Matcher m = SHORT.matcher(s.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            Duration d = Duration.parse(s.toUpperCase(Locale.ROOT));
            if (d.isNegative()) throw new IllegalArgumentException("negative duration: " + text);
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "not a duration: '" + text + "' (use e.g. 30s, 5m, 48h, 7d or PT5M)");
        }
    }

    public static String format(Duration d) {
        long ms = d.toMillis();
        // Days from a week on (7d, 30d, 90d), hours below (48h): as people write refetch ages.
        if (ms >= 7 * 86_400_000L && ms % 86_400_000L == 0) return ms / 86_400_000L + "d";
        if (ms != 0 && ms % 3_600_000L == 0) return ms / 3_600_000L + "h";
        if (ms != 0 && ms % 60_000L == 0) return ms / 60_000L + "m";
        if (ms != 0 && ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }

    /** A ConfigDef validator for a duration, optionally at least {@code min}. */
    public static ConfigDef.Validator validator(Duration min) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                try {
                    Duration d = parse((String) value);
                    if (d.compareTo(min) < 0)
                        throw new ConfigException(name, value, "must be at least " + format(min));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, value, e.getMessage());
                }
            }

            @Override
            public String toString() {
                return "a duration such as 30s, 5m, 48h, 7d (at least " + format(min) + ")";
            }
        };
    }

    /** A ConfigDef validator for a list of durations. */
    public static ConfigDef.Validator listValidator() {
        return new ConfigDef.Validator() {
            @Override
            @SuppressWarnings("unchecked")
            public void ensureValid(String name, Object value) {
                for (String s : (java.util.List<String>) value) {
                    try {
                        parse(s);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(name, value, e.getMessage());
                    }
                }
            }

            @Override
            public String toString() {
                return "a comma-separated list of durations such as 48h,7d,30d,90d (empty: none)";
            }
        };
    }
}
