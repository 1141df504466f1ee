package io.carbonstream.demo.generator;

import java.time.Duration;
import picocli.CommandLine;

/** Reads "90s", "10m", "1h30m", "500ms", a plain number of seconds, or ISO-8601 ("PT10M"). */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String v = value.trim().toLowerCase().replace(" ", "");
        if (v.startsWith("pt") || v.startsWith("p")) return Duration.parse(v.toUpperCase());
        if (v.matches("\\d+(\\.\\d+)?"))
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        var m = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)").matcher(v);
        long ms = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) break;
            double n = Double.parseDouble(m.group(1));
            ms +=
                    Math.round(
                            n
                                    * switch (m.group(2)) {
                                        case "ms" -> 1;
                                        case "s" -> 1_000;
                                        case "m" -> 60_000;
                                        case "h" -> 3_600_000;
                                        default -> 86_400_000;
                                    });
            end = m.end();
        }
        if (end != v.length() || end == 0) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration; use e.g. 90s, 10m, 1h30m");
        }
        return Duration.ofMillis(ms);
    }
}
