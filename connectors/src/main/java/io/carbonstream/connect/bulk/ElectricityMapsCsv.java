package io.carbonstream.connect.bulk;

import io.carbonstream.connect.common.Times;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Reads Electricity Maps' public hourly CSV files one line at a time (bounded memory whatever the
 * file size). The columns are found by name, as the files' vintages spell them differently:
 * "Datetime (UTC)"; "Zone id" or "Zone Id"; "Carbon intensity gCO₂eq/kWh (direct)"; "... (Life
 * cycle)" or "... (LCA)"; "Data estimated"; "Data estimation method". Lines starting with '#' are
 * comments.
 */
public final class ElectricityMapsCsv {
    private static final DateTimeFormatter SPACE_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm[:ss]");

    /**
     * One line: both intensities may be absent (the files leave a cell empty when the value is
     * unknown).
     */
    public record Row(
            long line,
            String zone,
            Instant datetime,
            Double direct,
            Double lifecycle,
            boolean estimated,
            String estimationMethod) {}

    /** Lines read, rows produced, and lines skipped with the first reasons. */
    public static final class Stats {
        public long lines;
        public long rows;
        public long skipped;
        public final List<String> reasons = new ArrayList<>();

        void skip(long line, String why) {
            skipped++;
            if (reasons.size() < 20) reasons.add("line " + line + ": " + why);
        }
    }

    private ElectricityMapsCsv() {}

    /**
     * Reads every data line, giving each usable one to {@code sink}. {@code zoneOverride} replaces
     * or supplies the zone.
     */
    public static Stats read(Reader reader, String zoneOverride, Consumer<Row> sink)
            throws IOException {
        Stats stats = new Stats();
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        int iDatetime = -1,
                iZone = -1,
                iDirect = -1,
                iLifecycle = -1,
                iEstimated = -1,
                iMethod = -1;
        boolean header = false;
        String line;
        long n = 0;
        while ((line = in.readLine()) != null) {
            n++;
            if (n == 1 && line.startsWith("\uFEFF")) line = line.substring(1); // a byte-order mark
            if (line.isBlank() || line.startsWith("#")) continue;
            List<String> cells = split(line);
            if (!header) {
                for (int i = 0; i < cells.size(); i++) {
                    String h = normalise(cells.get(i));
                    if (h.startsWith("datetime")) iDatetime = i;
                    else if (h.equals("zone id")) iZone = i;
                    else if (h.startsWith("carbon intensity") && h.contains("(direct)"))
                        iDirect = i;
                    else if (h.startsWith("carbon intensity")
                            && (h.contains("life cycle")
                                    || h.contains("lifecycle")
                                    || h.contains("(lca)"))) iLifecycle = i;
                    else if (h.equals("data estimated")) iEstimated = i;
                    else if (h.equals("data estimation method")) iMethod = i;
                }
                if (iDatetime < 0
                        || (iZone < 0 && zoneOverride == null)
                        || (iDirect < 0 && iLifecycle < 0)) {
                    throw new IOException(
                            "line "
                                    + n
                                    + ": not an Electricity Maps CSV header (need \"Datetime"
                                    + " (UTC)\", \"Zone id\" and a \"Carbon intensity gCO2eq/kWh"
                                    + " (...)\" column): "
                                    + line);
                }
                header = true;
                continue;
            }
            stats.lines++;
            Instant t = parseTime(cell(cells, iDatetime));
            if (t == null) {
                stats.skip(n, "no datetime in '" + cell(cells, iDatetime) + "'");
                continue;
            }
            String zone = zoneOverride != null ? zoneOverride : cell(cells, iZone);
            if (zone == null || zone.isEmpty()) {
                stats.skip(n, "no zone id");
                continue;
            }
            Double direct = number(cell(cells, iDirect));
            Double lifecycle = number(cell(cells, iLifecycle));
            if (direct == null && lifecycle == null) {
                stats.skip(n, "no carbon intensity");
                continue;
            }
            String est = cell(cells, iEstimated);
            boolean estimated =
                    est != null
                            && (est.equalsIgnoreCase("true")
                                    || est.equals("1")
                                    || est.equalsIgnoreCase("yes"));
            String method = cell(cells, iMethod);
            stats.rows++;
            sink.accept(
                    new Row(
                            n,
                            zone,
                            t,
                            direct,
                            lifecycle,
                            estimated,
                            method == null || method.isEmpty() ? null : method));
        }
        if (!header) throw new IOException("empty file: no header line");
        return stats;
    }

    static String normalise(String header) {
        return header.replace("\uFEFF", "")
                .replace("₂", "2")
                .trim()
                .toLowerCase(Locale.ROOT)
                .replaceAll("\\s+", " ");
    }

    static Instant parseTime(String s) {
        if (s == null || s.isEmpty()) return null;
        Instant t = Times.parseOrNull(s);
        if (t != null) return t;
        try {
            return LocalDateTime.parse(s.replace('T', ' '), SPACE_SECONDS)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static Double number(String s) {
        if (s == null || s.isEmpty()) return null;
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) && d >= 0 ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String cell(List<String> cells, int i) {
        return i < 0 || i >= cells.size() ? null : cells.get(i).trim();
    }

    /** RFC 4180 fields of one line: commas, quoted fields, doubled quotes. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }
}
