package io.carbonstream.gpu;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4, what dcgm-exporter and
 * Triton serve on /metrics): one scrape in, its samples out. Written here because the Prometheus
 * Java libraries only write this format.
 *
 * <p>The grammar, line by line: empty lines and lines whose first non-blank character is '#' are
 * comments, except '# HELP name text' and '# TYPE name counter|gauge|histogram|summary|untyped' (at
 * most one TYPE per metric, before its samples). A sample is {@code name[{label="value",...[,]}]
 * value [timestamp]}: name [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*, each at
 * most once, label values in double quotes with the escapes \\, \" and \n (any other backslash is
 * an error), the value a Go float (NaN, +Inf, -Inf allowed), the timestamp an integer of
 * milliseconds since the epoch, tokens separated by blanks or tabs. Anything else fails the whole
 * scrape with the line number: a malformed scrape is not half-read.
 */
public final class PrometheusText {

    /** One sample line. Labels in the order written; timestampMs null when the line has none. */
    public record Sample(
            String name,
            Map<String, String> labels,
            double value,
            Long timestampMs,
            int line,
            String text) {}

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern FLOAT =
            Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");
    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,19}");
    private static final Set<String> TYPES =
            Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private PrometheusText() {}

    /**
     * All samples of a scrape, in order; throws with the line number on the first line that is not
     * the format.
     */
    public static List<Sample> parse(String text) throws IOException {
        List<Sample> out = new ArrayList<>();
        Map<String, String> typed = new HashMap<>();
        Set<String> sampled = new java.util.HashSet<>();
        int lineNo = 0;
        int from = 0;
        while (from <= text.length()) {
            int nl = text.indexOf('\n', from);
            String line = text.substring(from, nl < 0 ? text.length() : nl);
            from = nl < 0 ? text.length() + 1 : nl + 1;
            lineNo++;
            int p = skipBlanks(line, 0);
            if (p == line.length()) continue; // empty line
            try {
                if (line.charAt(p) == '#') {
                    comment(line, p + 1, typed, sampled);
                } else {
                    Sample s = sample(line, p, lineNo);
                    sampled.add(s.name());
                    out.add(s);
                }
            } catch (IOException e) {
                throw new IOException(
                        "line "
                                + lineNo
                                + ": "
                                + e.getMessage()
                                + " in '"
                                + abbreviate(line)
                                + "'");
            }
        }
        return out;
    }

    private static void comment(String line, int p, Map<String, String> typed, Set<String> sampled)
            throws IOException {
        p = skipBlanks(line, p);
        int end = token(line, p);
        String keyword = line.substring(p, end);
        if (!keyword.equals("HELP") && !keyword.equals("TYPE")) return; // any other comment
        p = skipBlanks(line, end);
        end = token(line, p);
        String name = line.substring(p, end);
        if (!METRIC_NAME.matcher(name).matches())
            throw new IOException("'" + name + "' is not a metric name after # " + keyword);
        if (keyword.equals("HELP"))
            return; // the docstring is free text (escapes \\ and \n), not needed here
        p = skipBlanks(line, end);
        end = token(line, p);
        String type = line.substring(p, end);
        if (!TYPES.contains(type))
            throw new IOException(
                    "'"
                            + type
                            + "' is not a metric type (counter, gauge, histogram, summary,"
                            + " untyped)");
        if (skipBlanks(line, end) != line.length()) throw new IOException("text after the type");
        if (typed.putIfAbsent(name, type) != null)
            throw new IOException("a second TYPE line for " + name);
        if (sampled.contains(name))
            throw new IOException("the TYPE line of " + name + " after its samples");
    }

    private static Sample sample(String line, int p, int lineNo) throws IOException {
        int end = p;
        while (end < line.length() && nameChar(line.charAt(end), end == p, true)) end++;
        String name = line.substring(p, end);
        if (name.isEmpty()) throw new IOException("a sample line must start with a metric name");
        Map<String, String> labels = Collections.emptyMap();
        p = skipBlanks(line, end); // blanks may stand between the name and its labels
        if (p < line.length() && line.charAt(p) == '{') {
            labels = new LinkedHashMap<>();
            p = skipBlanks(line, labels(line, p + 1, labels));
        } else if (p == end && p < line.length()) {
            throw new IOException("'" + line.charAt(p) + "' cannot follow the metric name " + name);
        }
        if (p == line.length()) throw new IOException("no value after the metric name and labels");
        end = token(line, p);
        double value = value(line.substring(p, end));
        p = skipBlanks(line, end);
        Long ts = null;
        if (p < line.length()) {
            if (p == end) throw new IOException("no blank between the value and the timestamp");
            end = token(line, p);
            String t = line.substring(p, end);
            if (!INTEGER.matcher(t).matches())
                throw new IOException("timestamp '" + t + "' is not an integer of milliseconds");
            try {
                ts = Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new IOException("timestamp '" + t + "' is out of range");
            }
            if (skipBlanks(line, end) != line.length())
                throw new IOException("text after the timestamp");
        }
        return new Sample(name, labels, value, ts, lineNo, line);
    }

    /** Reads label pairs after '{' up to and including '}'; returns the position after it. */
    private static int labels(String line, int p, Map<String, String> labels) throws IOException {
        while (true) {
            p = skipBlanks(line, p);
            if (p < line.length() && line.charAt(p) == '}')
                return p + 1; // empty set, or a trailing comma before it
            int start = p;
            while (p < line.length() && nameChar(line.charAt(p), p == start, false)) p++;
            String label = line.substring(start, p);
            if (label.isEmpty())
                throw new IOException("a label name expected at column " + (start + 1));
            p = skipBlanks(line, p);
            if (p >= line.length() || line.charAt(p) != '=')
                throw new IOException("'=' expected after label " + label);
            p = skipBlanks(line, p + 1);
            if (p >= line.length() || line.charAt(p) != '"')
                throw new IOException("the value of label " + label + " must be in double quotes");
            StringBuilder v = new StringBuilder();
            p++;
            while (true) {
                if (p >= line.length())
                    throw new IOException("the value of label " + label + " is not closed");
                char c = line.charAt(p++);
                if (c == '"') break;
                if (c == '\\') {
                    if (p >= line.length())
                        throw new IOException("a backslash ends the value of label " + label);
                    char e = line.charAt(p++);
                    switch (e) {
                        case '\\' -> v.append('\\');
                        case '"' -> v.append('"');
                        case 'n' -> v.append('\n');
                        default ->
                                throw new IOException(
                                        "'\\"
                                                + e
                                                + "' is not an escape of a label value (\\\\, \\\""
                                                + " or \\n"
                                                + ")");
                    }
                } else {
                    v.append(c);
                }
            }
            if (labels.put(label, v.toString()) != null)
                throw new IOException("label " + label + " given twice");
            p = skipBlanks(line, p);
            if (p >= line.length()) throw new IOException("the label set is not closed");
            char c = line.charAt(p);
            if (c == ',') {
                p++;
            } else if (c == '}') {
                return p + 1;
            } else {
                throw new IOException("',' or '}' expected after the value of label " + label);
            }
        }
    }

    /**
     * A Go float as Prometheus writes and reads it: decimal or exponent notation, NaN, +Inf, -Inf
     * (any case).
     */
    static double value(String s) throws IOException {
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        switch (lower) {
            case "nan", "+nan", "-nan":
                return Double.NaN;
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!FLOAT.matcher(s).matches())
                    throw new IOException("value '" + s + "' is not a number");
                return Double.parseDouble(s);
        }
    }

    private static boolean nameChar(char c, boolean first, boolean colon) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || c == '_'
                || (colon && c == ':')
                || (!first && c >= '0' && c <= '9');
    }

    private static int skipBlanks(String line, int p) {
        while (p < line.length() && (line.charAt(p) == ' ' || line.charAt(p) == '\t')) p++;
        return p;
    }

    private static int token(String line, int p) {
        while (p < line.length() && line.charAt(p) != ' ' && line.charAt(p) != '\t') p++;
        return p;
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }
}
