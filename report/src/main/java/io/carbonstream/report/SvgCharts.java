package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's charts as inline SVG strings, drawn here so that the page needs no script, font or
 * network. Coordinates have 2 decimals (Locale.ROOT), values in tooltips follow {@link Decimals}:
 * the same rows give the same bytes. A period longer than 31 days is drawn per day, longer than 744
 * days per week, so that a chart keeps at most 744 bars.
 */
final class SvgCharts {

    static final int WIDTH = 960;
    static final int HEIGHT = 230;
    private static final int LEFT = 78;
    private static final int RIGHT = 78;
    private static final int TOP = 26;
    private static final int BOTTOM = 42;
    private static final int MAX_BARS = 744;

    static final String EMISSIONS = "#b5523b";
    static final String INTENSITY = "#1f4e79";
    static final String MATCHED = "#2e8b57";
    static final String UNMATCHED = "#9a9a9a";
    static final String SURPLUS = "#9fd5b3";

    private SvgCharts() {}

    /** Hours per bar: 1, 24 or 168. */
    static long bucketHours(ReportPeriod p) {
        if (p.hours() <= MAX_BARS) return 1;
        if ((p.hours() + 23) / 24 <= MAX_BARS) return 24;
        return 168;
    }

    static String bucketName(ReportPeriod p) {
        long h = bucketHours(p);
        return h == 1 ? "hour" : h == 24 ? "day" : "week";
    }

    private static int buckets(ReportPeriod p) {
        long size = bucketHours(p);
        return (int) ((p.hours() + size - 1) / size);
    }

    private static int bucketOf(ReportPeriod p, Instant t) {
        return (int) (java.time.Duration.between(p.from(), t).toHours() / bucketHours(p));
    }

    private static Instant bucketStart(ReportPeriod p, int i) {
        return p.from().plusSeconds(3600L * bucketHours(p) * i);
    }

    /**
     * Bars: location-based gCO2e per hour of one datacenter; line: its energy-weighted mean
     * intensity (right axis).
     */
    static String emissionsAndIntensity(ReportPeriod p, String datacenter, List<LedgerEntry> rows) {
        int n = buckets(p);
        BigDecimal[] gco2e = zeros(n);
        BigDecimal[] kwh = zeros(n);
        for (LedgerEntry r : rows) {
            int i = bucketOf(p, r.getHourStart());
            gco2e[i] = gco2e[i].add(Decimals.exact(r.getLocationGco2e()));
            kwh[i] = kwh[i].add(Decimals.exact(r.getFacilityKwh()));
        }
        double[] bars = new double[n];
        Double[] line = new Double[n];
        for (int i = 0; i < n; i++) {
            bars[i] = gco2e[i].doubleValue();
            line[i] = kwh[i].signum() == 0 ? null : Decimals.ratio(gco2e[i], kwh[i]).doubleValue();
        }
        BigDecimal topBound = niceCeiling(max(bars));
        BigDecimal lineBound = niceCeiling(max(line));
        double top = topBound.doubleValue();
        double lineTop = lineBound.doubleValue();
        StringBuilder svg =
                open(
                        "Location-based emissions per "
                                + bucketName(p)
                                + " and mean intensity, "
                                + datacenter);
        axes(svg, p, n, topBound, BigDecimal.ZERO, "gCO2e", lineBound, "gCO2e/kWh");
        double slot = plotWidth() / n;
        for (int i = 0; i < n; i++) {
            if (bars[i] <= 0) continue;
            double h = bars[i] / top * plotHeight();
            rect(
                    svg,
                    LEFT + i * slot + gap(slot),
                    zeroY(top, 0) - h,
                    slot - 2 * gap(slot),
                    h,
                    EMISSIONS,
                    label(p, i) + ": " + Decimals.format(gco2e[i]) + " gCO2e");
        }
        // The intensity line, broken over hours without energy (no intensity was paid there).
        StringBuilder points = new StringBuilder();
        for (int i = 0; i <= n; i++) {
            if (i < n && line[i] != null) {
                double x = LEFT + (i + 0.5) * slot;
                double y = zeroY(top, 0) - line[i] / lineTop * plotHeight();
                points.append(points.length() == 0 ? "" : " ")
                        .append(num(x))
                        .append(',')
                        .append(num(y));
            } else if (points.length() > 0) {
                svg.append("<polyline fill=\"none\" stroke=\"")
                        .append(INTENSITY)
                        .append("\" stroke-width=\"1.5\" points=\"")
                        .append(points)
                        .append("\"/>\n");
                points.setLength(0);
            }
        }
        legend(
                svg,
                List.of(EMISSIONS, INTENSITY),
                List.of("location-based gCO2e (left)", "mean intensity gCO2e/kWh (right)"));
        return svg.append("</svg>\n").toString();
    }

    /**
     * Stacked bars of matched and unmatched load per hour over all rows; surplus certificates below
     * the axis.
     */
    static String matchedUnmatched(ReportPeriod p, List<LedgerEntry> rows) {
        int n = buckets(p);
        BigDecimal[] matched = zeros(n);
        BigDecimal[] unmatched = zeros(n);
        BigDecimal[] surplus = zeros(n);
        for (LedgerEntry r : rows) {
            int i = bucketOf(p, r.getHourStart());
            matched[i] = matched[i].add(Decimals.exact(r.getMatchedKwh()));
            unmatched[i] = unmatched[i].add(Decimals.exact(r.getUnmatchedKwh()));
            surplus[i] = surplus[i].add(Decimals.exact(r.getSurplusKwh()));
        }
        double[] load = new double[n];
        double[] below = new double[n];
        for (int i = 0; i < n; i++) {
            load[i] = matched[i].add(unmatched[i]).doubleValue();
            below[i] = surplus[i].doubleValue();
        }
        BigDecimal topBound = niceCeiling(max(load));
        BigDecimal bottomBound = max(below) > 0 ? niceCeiling(max(below)) : BigDecimal.ZERO;
        double top = topBound.doubleValue();
        double bottom = bottomBound.doubleValue();
        StringBuilder svg =
                open(
                        "Matched and unmatched load per "
                                + bucketName(p)
                                + ", surplus certificates below the axis");
        axes(svg, p, n, topBound, bottomBound, "kWh", null, null);
        double slot = plotWidth() / n;
        double scale = plotHeight() / (top + bottom);
        double zero = zeroY(top, bottom);
        for (int i = 0; i < n; i++) {
            double x = LEFT + i * slot + gap(slot);
            double w = slot - 2 * gap(slot);
            double hm = matched[i].doubleValue() * scale;
            double hu = unmatched[i].doubleValue() * scale;
            if (hm > 0)
                rect(
                        svg,
                        x,
                        zero - hm,
                        w,
                        hm,
                        MATCHED,
                        label(p, i) + ": matched " + Decimals.format(matched[i]) + " kWh");
            if (hu > 0)
                rect(
                        svg,
                        x,
                        zero - hm - hu,
                        w,
                        hu,
                        UNMATCHED,
                        label(p, i) + ": unmatched " + Decimals.format(unmatched[i]) + " kWh");
            if (below[i] > 0)
                rect(
                        svg,
                        x,
                        zero,
                        w,
                        below[i] * scale,
                        SURPLUS,
                        label(p, i) + ": surplus " + Decimals.format(surplus[i]) + " kWh");
        }
        legend(
                svg,
                List.of(MATCHED, UNMATCHED, SURPLUS),
                List.of(
                        "matched in its hour",
                        "unmatched (residual mix)",
                        "surplus certificates (not carried)"));
        return svg.append("</svg>\n").toString();
    }

    /**
     * Horizontal bars of SCI per unit, grouped by functional unit: a bar is scaled within its
     * group, since grams per image and grams per 1,000 tokens do not compare.
     */
    static String sciBars(List<ModelSci> models) {
        Map<String, List<ModelSci>> byUnit = new java.util.TreeMap<>();
        for (ModelSci m : models)
            byUnit.computeIfAbsent(m.functionalUnit, k -> new java.util.ArrayList<>()).add(m);
        int rowHeight = 22;
        int height = 10 + rowHeight * (models.size() + byUnit.size());
        int labelWidth = 300;
        int barWidth = WIDTH - labelWidth - 200;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\" aria-label=\"SCI per model per functional unit\">\n")
                .append("<g font-family=\"sans-serif\" font-size=\"12\" fill=\"#333\">\n");
        double y = 4;
        for (Map.Entry<String, List<ModelSci>> unit : byUnit.entrySet()) {
            text(svg, 8, y + 15, "start", "gCO2e per " + unit.getKey());
            y += rowHeight;
            double unitMax = 0;
            for (ModelSci m : unit.getValue())
                unitMax = Math.max(unitMax, m.sciPerUnit().doubleValue());
            for (ModelSci m : unit.getValue()) {
                double w = unitMax > 0 ? m.sciPerUnit().doubleValue() / unitMax * barWidth : 0;
                text(svg, labelWidth - 8, y + 15, "end", m.modelId);
                rect(
                        svg,
                        labelWidth,
                        y + 3,
                        w,
                        rowHeight - 6,
                        EMISSIONS,
                        m.modelId
                                + ": "
                                + Decimals.format(m.sciPerUnit())
                                + " gCO2e per "
                                + m.functionalUnit);
                text(svg, labelWidth + w + 6, y + 15, "start", Decimals.format(m.sciPerUnit()));
                y += rowHeight;
            }
        }
        return svg.append("</g>\n</svg>\n").toString();
    }

    // ---- drawing helpers ----

    private static StringBuilder open(String title) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(HEIGHT)
                .append("\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" aria-label=\"")
                .append(HtmlReport.escape(title))
                .append("\">\n");
        return svg;
    }

    private static double plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private static double plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    /**
     * The y of value 0: the plot is split between the positive range (top) and the negative one
     * (bottom).
     */
    private static double zeroY(double top, double bottom) {
        double h = HEIGHT - TOP - BOTTOM;
        return TOP + h * top / (top + bottom);
    }

    private static double gap(double slot) {
        return slot >= 4 ? slot * 0.1 : 0;
    }

    private static void axes(
            StringBuilder svg,
            ReportPeriod p,
            int n,
            BigDecimal top,
            BigDecimal bottom,
            String unit,
            BigDecimal rightTop,
            String rightUnit) {
        double zero = zeroY(top.doubleValue(), bottom.doubleValue());
        double plotBottom = HEIGHT - BOTTOM;
        svg.append("<g font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">\n");
        line(svg, LEFT, TOP, LEFT, plotBottom, "#555");
        line(svg, LEFT, zero, WIDTH - RIGHT, zero, "#555");
        text(svg, LEFT - 6, TOP + 4, "end", axisNumber(top));
        text(svg, LEFT - 6, zero + 4, "end", "0");
        // Below the axis the bars are magnitudes too (surplus kWh), not negative values.
        if (bottom.signum() > 0) text(svg, LEFT - 6, plotBottom, "end", axisNumber(bottom));
        text(svg, LEFT, TOP - 12, "middle", unit);
        if (rightUnit != null) {
            line(svg, WIDTH - RIGHT, TOP, WIDTH - RIGHT, plotBottom, "#555");
            text(svg, WIDTH - RIGHT + 6, TOP + 4, "start", axisNumber(rightTop));
            text(svg, WIDTH - RIGHT + 6, zero + 4, "start", "0");
            text(svg, WIDTH - RIGHT, TOP - 12, "middle", rightUnit);
        }
        // At most 8 time labels, on bar boundaries.
        int step = Math.max(1, (n + 7) / 8);
        double slot = plotWidth() / n;
        for (int i = 0; i < n; i += step) {
            double x = LEFT + i * slot;
            line(svg, x, plotBottom, x, plotBottom + 4, "#555");
            text(svg, x, plotBottom + 16, "middle", tick(p, i));
        }
        svg.append("</g>\n");
    }

    private static void legend(StringBuilder svg, List<String> colours, List<String> names) {
        double x = LEFT;
        double y = HEIGHT - 8;
        svg.append("<g font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\">\n");
        for (int i = 0; i < colours.size(); i++) {
            svg.append("<rect x=\"")
                    .append(num(x))
                    .append("\" y=\"")
                    .append(num(y - 9))
                    .append("\" width=\"10\" height=\"10\" fill=\"")
                    .append(colours.get(i))
                    .append("\"/>");
            text(svg, x + 14, y, "start", names.get(i));
            x += 24 + 6.2 * names.get(i).length();
        }
        svg.append("</g>\n");
    }

    private static void rect(
            StringBuilder svg, double x, double y, double w, double h, String fill, String title) {
        svg.append("<rect x=\"")
                .append(num(x))
                .append("\" y=\"")
                .append(num(y))
                .append("\" width=\"")
                .append(num(w))
                .append("\" height=\"")
                .append(num(h))
                .append("\" fill=\"")
                .append(fill)
                .append("\"><title>")
                .append(HtmlReport.escape(title))
                .append("</title></rect>\n");
    }

    private static void line(
            StringBuilder svg, double x1, double y1, double x2, double y2, String stroke) {
        svg.append("<line x1=\"")
                .append(num(x1))
                .append("\" y1=\"")
                .append(num(y1))
                .append("\" x2=\"")
                .append(num(x2))
                .append("\" y2=\"")
                .append(num(y2))
                .append("\" stroke=\"")
                .append(stroke)
                .append("\"/>\n");
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String s) {
        svg.append("<text x=\"")
                .append(num(x))
                .append("\" y=\"")
                .append(num(y))
                .append("\" text-anchor=\"")
                .append(anchor)
                .append("\">")
                .append(HtmlReport.escape(s))
                .append("</text>\n");
    }

    private static final DateTimeFormatter TICK =
            DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT).withZone(ZoneOffset.UTC);

    private static String tick(ReportPeriod p, int i) {
        return bucketHours(p) == 1 ? TICK.format(bucketStart(p, i)) : DAY.format(bucketStart(p, i));
    }

    private static String label(ReportPeriod p, int i) {
        return CsvWriter.instant(bucketStart(p, i))
                + (bucketHours(p) == 1 ? "" : " (" + bucketName(p) + ")");
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /**
     * 1, 2 or 5 times a power of ten, at least v (1 when v is 0: an empty chart still has a scale).
     */
    static BigDecimal niceCeiling(double v) {
        if (!(v > 0)) return BigDecimal.ONE;
        BigDecimal exact = new BigDecimal(v);
        BigDecimal magnitude =
                BigDecimal.ONE.scaleByPowerOfTen((int) Math.floor(Math.log10(v)) - 1);
        while (true) {
            for (int m : new int[] {1, 2, 5}) {
                BigDecimal candidate = magnitude.multiply(BigDecimal.valueOf(m));
                if (candidate.compareTo(exact) >= 0) return candidate;
            }
            magnitude = magnitude.scaleByPowerOfTen(1);
        }
    }

    /** An axis bound: a 1-2-5 value with no more digits than it has. */
    static String axisNumber(BigDecimal v) {
        return v.stripTrailingZeros().toPlainString();
    }

    private static BigDecimal[] zeros(int n) {
        BigDecimal[] a = new BigDecimal[n];
        java.util.Arrays.fill(a, BigDecimal.ZERO);
        return a;
    }

    private static double max(double[] values) {
        double m = 0;
        for (double v : values) m = Math.max(m, v);
        return m;
    }

    private static double max(Double[] values) {
        double m = 0;
        for (Double v : values) if (v != null) m = Math.max(m, v);
        return m;
    }
}
