package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.Restatement;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * report.html: one self-contained page (inline CSS and SVG, no script, font, image or link to
 * load), so that it opens the same offline, in an archive, or attached to a filing.
 *
 * <p>Every figure is printed by the same {@link TotalField#format} as totals.csv and summary.json.
 * The totals table's value cells carry {@code id="total-<column>"} and {@code data-field}, the
 * per-datacenter and per-organisation cells {@code data-datacenter} / {@code data-organisation} and
 * {@code data-field}, so a test (or an importer) can read them without scraping text.
 */
public final class HtmlReport {

    public static final String FILE = "report.html";

    private static final String CSS =
            """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1000px;color:#222;line-height:1.4}
            h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
            table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}thead th{background:#f3f3f3}
            .meta{color:#555}.warn{background:#fff4e0;border-left:4px solid #e0a030;padding:.4em .8em}
            .annual{border:2px dashed #999;padding:0 1em 1em;margin-top:2em}dl dt{font-weight:bold;font-family:monospace}dl dd{margin:0 0 .6em 1.5em}
            .wide{overflow-x:auto}tr.group th{background:#eef3f8;font-weight:600}#scope2 td{font-size:1.15em}
            """;

    private HtmlReport() {}

    public static void write(Report report, Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE), render(report), StandardCharsets.UTF_8);
    }

    static String render(Report report) {
        LedgerPeriod ledger = report.ledger();
        ReportPeriod p = ledger.period();
        Totals totals = ledger.totals();
        String period = CsvWriter.instant(p.from()) + " to " + CsvWriter.instant(p.to());
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(Report.TITLE + ", " + period))
                .append("</title>\n<style>\n")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(escape(Report.TITLE)).append("</h1>\n");
        h.append("<p class=\"meta\" id=\"period\" data-from=\"")
                .append(CsvWriter.instant(p.from()))
                .append("\" data-to=\"")
                .append(CsvWriter.instant(p.to()))
                .append("\">Period ")
                .append(escape(period))
                .append(" (UTC, end excluded, ")
                .append(p.hours())
                .append(" hours). Datacenters: ")
                .append(
                        escape(
                                ledger.filter().datacenters().isEmpty()
                                        ? "all"
                                        : String.join(", ", ledger.filter().datacenters())))
                .append(". Organisation: ")
                .append(
                        escape(
                                ledger.filter().organisation() == null
                                        ? "all"
                                        : ledger.filter().organisation()))
                .append(". Ledger topic ")
                .append(escape(report.ledgerTopic()))
                .append(", ")
                .append(ledger.rows().size())
                .append(" rows (all in ledger.csv).</p>\n");
        for (String w : report.warnings(totals))
            h.append("<p class=\"warn\">").append(escape(w)).append("</p>\n");

        h.append(
                        "<h2>Totals</h2>\n"
                            + "<p>Location-based and market-based (hourly matching) Scope 2 figures"
                            + " are reported side by side. Location-based factor type: ")
                .append(escape(joined(totals.emissionFactorTypes())))
                .append(". Residual mix: ")
                .append(escape(joined(totals.residualMixSources())))
                .append(". Real numbers: ")
                .append(Decimals.SCALE)
                .append(
                        " decimals, rounded half-up; totals are exact sums of the rows, rounded"
                                + " once.</p>\n");
        h.append(
                        "<table id=\"scope2\">\n"
                                + "<thead><tr><th>Scope 2, dual"
                                + " reporting</th><th>tCO2e</th></tr></thead>\n"
                                + "<tbody>\n")
                .append("<tr><th>location-based</th><td class=\"n\" id=\"scope2-location_tco2e\">")
                .append(Decimals.format(Decimals.tonnes(totals.value(TotalField.LOCATION_GCO2E))))
                .append("</td></tr>\n")
                .append(
                        "<tr><th>market-based, hourly matching</th><td class=\"n\""
                                + " id=\"scope2-market_tco2e\">")
                .append(Decimals.format(Decimals.tonnes(totals.value(TotalField.MARKET_GCO2E))))
                .append("</td></tr>\n</tbody>\n</table>\n");
        h.append(
                "<table id=\"totals\">\n"
                        + "<thead><tr><th>figure</th><th>total</th><th>unit</th></tr></thead>\n"
                        + "<tbody>\n");
        String group = null;
        for (TotalField f : TotalField.values()) {
            if (!f.group().equals(group)) {
                group = f.group();
                h.append("<tr class=\"group\"><th colspan=\"3\">")
                        .append(escape(group))
                        .append("</th></tr>\n");
            }
            h.append("<tr><th>")
                    .append(f.column)
                    .append("</th><td class=\"n\" id=\"total-")
                    .append(f.column)
                    .append("\" data-field=\"")
                    .append(f.column)
                    .append("\">")
                    .append(totals.text(f))
                    .append("</td><td>")
                    .append(escape(f.unit))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table>\n");

        h.append("<h2>Per datacenter</h2>\n");
        breakdown(h, "datacenter", ledger.byDatacenter());
        h.append("<h2>Per organisation</h2>\n");
        breakdown(h, "organisation", ledger.byOrganisation());

        h.append("<h2>Hourly location-based emissions and intensity</h2>\n<p>Per ")
                .append(SvgCharts.bucketName(p))
                .append(
                        ": bars are location-based gCO2e (left axis), the line the energy-weighted"
                                + " mean intensity (right axis).</p>\n");
        Map<String, List<LedgerEntry>> byDc = new TreeMap<>();
        for (LedgerEntry row : ledger.rows())
            byDc.computeIfAbsent(row.getDatacenterId(), k -> new ArrayList<>()).add(row);
        if (byDc.isEmpty()) h.append("<p>No rows in the period.</p>\n");
        byDc.forEach(
                (dc, rows) ->
                        h.append("<h3>")
                                .append(escape(dc))
                                .append(" (")
                                .append(escape(joined(ledger.zonesByDatacenter().get(dc))))
                                .append(")</h3>\n<div class=\"wide\">")
                                .append(SvgCharts.emissionsAndIntensity(p, dc, rows))
                                .append("</div>\n"));

        h.append("<h2>Matched and unmatched load</h2>\n<p>Per ")
                .append(SvgCharts.bucketName(p))
                .append(
                        ", all datacenters of the report: load matched by certificates of the same"
                            + " hour and grid boundary, the unmatched rest (priced at the residual"
                            + " mix), and below the axis the surplus certificates, which are"
                            + " reported and never carried to another hour.</p>\n"
                            + "<div class=\"wide\">")
                .append(SvgCharts.matchedUnmatched(p, ledger.rows()))
                .append("</div>\n");

        sci(h, ledger.sciPerModel());
        restatements(h, report.restatements());
        if (report.annualMatching() != null) annual(h, report.annualMatching(), totals);

        h.append(
                "<h2>Methodology versions</h2>\n"
                        + "<table id=\"methodologies\">\n"
                        + "<thead><tr><th>methodology</th><th>rows</th></tr></thead>\n"
                        + "<tbody>\n");
        totals.methodologies()
                .forEach(
                        (m, n) ->
                                h.append("<tr><td>")
                                        .append(escape(m))
                                        .append("</td><td class=\"n\">")
                                        .append(n)
                                        .append("</td></tr>\n"));
        h.append("</tbody>\n</table>\n");

        legend(h);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void breakdown(StringBuilder h, String kind, Map<String, Totals> by) {
        List<TotalField> shown =
                List.of(
                        TotalField.ROWS,
                        TotalField.FACILITY_KWH,
                        TotalField.LOCATION_GCO2E,
                        TotalField.MARKET_GCO2E,
                        TotalField.MATCHED_KWH,
                        TotalField.UNMATCHED_KWH,
                        TotalField.SURPLUS_KWH,
                        TotalField.WATER_L,
                        TotalField.EMBODIED_GCO2E,
                        TotalField.SCI_GCO2E);
        h.append("<div class=\"wide\"><table id=\"by-")
                .append(kind)
                .append("\">\n<thead><tr><th>")
                .append(kind)
                .append("</th>");
        for (TotalField f : shown) h.append("<th>").append(f.column).append("</th>");
        h.append("</tr></thead>\n<tbody>\n");
        by.forEach(
                (id, t) -> {
                    String name =
                            id.equals(LedgerPeriod.NO_ORGANISATION) && kind.equals("organisation")
                                    ? "(none)"
                                    : id;
                    h.append("<tr><th>").append(escape(name)).append("</th>");
                    for (TotalField f : shown) {
                        h.append("<td class=\"n\" data-")
                                .append(kind)
                                .append("=\"")
                                .append(escape(id))
                                .append("\" data-field=\"")
                                .append(f.column)
                                .append("\">")
                                .append(t.text(f))
                                .append("</td>");
                    }
                    h.append("</tr>\n");
                });
        h.append("</tbody>\n</table></div>\n<p>All figures of each ")
                .append(kind)
                .append(" are in totals.csv and summary.json.</p>\n");
    }

    private static void sci(StringBuilder h, List<ModelSci> models) {
        h.append(
                "<h2>SCI per model</h2>\n"
                    + "<p>SCI = (O + M) / R over the period: (location-based gCO2e + embodied"
                    + " gCO2e) / functional units, the unit as the ledger names it per model"
                    + " (TOKENS_1K: 1,000 input plus output tokens). A ratio of sums, not a mean of"
                    + " hourly ratios. Bars compare models of the same unit only.</p>\n");
        h.append(
                "<div class=\"wide\"><table id=\"sci\">\n"
                    + "<thead><tr><th>model</th><th>functional"
                    + " unit</th><th>requests</th><th>functional_units</th><th>facility_kwh</th><th>location_gco2e</th><th>embodied_gco2e</th><th>sci_gco2e</th><th>sci_g_per_unit</th></tr></thead>\n"
                    + "<tbody>\n");
        for (ModelSci m : models) {
            String key = escape(m.modelId) + "|" + escape(m.functionalUnit);
            h.append("<tr data-model=\"")
                    .append(key)
                    .append("\"><td>")
                    .append(escape(m.modelId))
                    .append("</td><td>")
                    .append(escape(m.functionalUnit))
                    .append("</td><td class=\"n\">")
                    .append(m.requests())
                    .append("</td>");
            cell(h, "functional_units", m.functionalUnits());
            cell(h, "facility_kwh", m.facilityKwh());
            cell(h, "location_gco2e", m.locationGco2e());
            cell(h, "embodied_gco2e", m.embodiedGco2e());
            cell(h, "sci_gco2e", m.sciGco2e());
            cell(h, "sci_g_per_unit", m.sciPerUnit());
            h.append("</tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
        if (!models.isEmpty())
            h.append("<div class=\"wide\">").append(SvgCharts.sciBars(models)).append("</div>\n");
    }

    private static void cell(StringBuilder h, String field, BigDecimal value) {
        h.append("<td class=\"n\" data-field=\"")
                .append(field)
                .append("\">")
                .append(Decimals.format(value))
                .append("</td>");
    }

    private static void restatements(StringBuilder h, List<Restatement> restatements) {
        h.append(
                "<h2>Restatements in the period</h2>\n"
                    + "<p>Corrections (SUMMARY records of the restatements topic) whose valid_from"
                    + " lies in the period: an intensity value or a registry version that arrived"
                    + " after requests it covers were priced. APPLIED: every covered hour was"
                    + " re-priced; PARTIALLY_APPLIED / NOT_APPLIED: part or all lay beyond the"
                    + " restatement horizon (docs/semantics.md).</p>\n");
        if (restatements.isEmpty()) {
            h.append("<p id=\"no-restatements\">None.</p>\n");
            return;
        }
        h.append(
                "<div class=\"wide\"><table id=\"restatements\">\n"
                    + "<thead><tr><th>valid_from</th><th>kind</th><th>zone / datacenter</th><th>old"
                    + " value</th><th>new"
                    + " value</th><th>unit</th><th>status</th><th>sources</th><th>correction_id</th></tr></thead>\n"
                    + "<tbody>\n");
        for (Restatement r : restatements) {
            String where = r.getZone() != null ? r.getZone() : "";
            if (r.getDatacenterId() != null)
                where = where.isEmpty() ? r.getDatacenterId() : where + " / " + r.getDatacenterId();
            h.append("<tr><td>")
                    .append(CsvWriter.instant(r.getValidFrom()))
                    .append("</td><td>")
                    .append(r.getKind())
                    .append("</td><td>")
                    .append(escape(where))
                    .append("</td><td class=\"n\">")
                    .append(r.getOldValue() == null ? "none" : Decimals.format(r.getOldValue()))
                    .append("</td><td class=\"n\">")
                    .append(Decimals.format(r.getNewValue()))
                    .append("</td><td>")
                    .append(JsonWriter.unitOf(r))
                    .append("</td><td>")
                    .append(r.getStatus())
                    .append("</td><td>")
                    .append(
                            escape(
                                    nullToEmpty(r.getOldSource())
                                            + " -> "
                                            + nullToEmpty(r.getNewSource())))
                    .append("</td><td>")
                    .append(escape(r.getCorrectionId()))
                    .append("</td></tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
    }

    private static void annual(
            StringBuilder h, List<AnnualMatching.Result> results, Totals totals) {
        h.append("<div class=\"annual\" id=\"annual-matching\">\n<h2>")
                .append(escape(JsonWriter.ANNUAL_LABEL))
                .append("</h2>\n<p>")
                .append(escape(JsonWriter.ANNUAL_METHOD))
                .append("</p>\n");
        h.append(
                "<div class=\"wide\"><table>\n"
                    + "<thead><tr><th>datacenter</th><th>year</th><th>load kWh</th><th>certificate"
                    + " kWh</th><th>matched kWh</th><th>unmatched kWh</th><th>surplus"
                    + " kWh</th><th>residual mix g/kWh</th><th>market gCO2e (annual)</th><th>market"
                    + " gCO2e (hourly, primary)</th></tr></thead>\n"
                    + "<tbody>\n");
        for (AnnualMatching.Result r : results) {
            h.append("<tr><td>")
                    .append(escape(r.datacenterId()))
                    .append("</td><td>")
                    .append(r.year())
                    .append("</td>");
            for (BigDecimal v :
                    List.of(
                            r.loadKwh(),
                            r.certificateKwh(),
                            r.matchedKwh(),
                            r.unmatchedKwh(),
                            r.surplusKwh(),
                            r.residualMixGPerKwh(),
                            r.marketGco2e(),
                            r.hourlyMarketGco2e())) {
                h.append("<td class=\"n\">").append(Decimals.format(v)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("<tr><th colspan=\"2\">all</th>");
        for (java.util.function.Function<AnnualMatching.Result, BigDecimal> f :
                List.<java.util.function.Function<AnnualMatching.Result, BigDecimal>>of(
                        AnnualMatching.Result::loadKwh,
                        AnnualMatching.Result::certificateKwh,
                        AnnualMatching.Result::matchedKwh,
                        AnnualMatching.Result::unmatchedKwh,
                        AnnualMatching.Result::surplusKwh)) {
            h.append("<td class=\"n\">")
                    .append(Decimals.format(AnnualMatching.sum(results, f)))
                    .append("</td>");
        }
        h.append("<td></td><td class=\"n\" id=\"annual-market_gco2e\">")
                .append(
                        Decimals.format(
                                AnnualMatching.sum(results, AnnualMatching.Result::marketGco2e)))
                .append("</td><td class=\"n\">")
                .append(totals.text(TotalField.MARKET_GCO2E))
                .append("</td></tr>\n");
        h.append("</tbody>\n</table></div>\n</div>\n");
    }

    private static void legend(StringBuilder h) {
        h.append(
                "<h2>What each column means for a Scope 2 / SCI filing</h2>\n<dl id=\"legend\">\n");
        for (TotalField f : TotalField.values()) {
            h.append("<dt>")
                    .append(f.column)
                    .append(" (")
                    .append(escape(f.unit))
                    .append(")</dt><dd>")
                    .append(escape(f.meaning))
                    .append("</dd>\n");
        }
        for (String[] c : LEDGER_ONLY) {
            h.append("<dt>")
                    .append(c[0])
                    .append("</dt><dd>")
                    .append(escape(c[1]))
                    .append("</dd>\n");
        }
        h.append("</dl>\n");
    }

    /** ledger.csv columns that are not totals. */
    static final String[][] LEDGER_ONLY = {
        {
            "hour_start, hour_end",
            "The UTC hour of the row: the time granularity hourly matching requires."
        },
        {
            "zone",
            "Grid zone of the datacenter: the location-based intensity's zone and the boundary"
                    + " certificates must be delivered in."
        },
        {
            "revision, aggregate_revision",
            "Revision of the ledger row, and of the hourly aggregate its figures come from (0:"
                    + " certificates only, no load yet)."
        },
        {
            "emission_factor_type",
            "lifecycle or direct: state it beside the location-based figure (lifecycle includes"
                    + " upstream emissions of generation)."
        },
        {
            "residual_mix_g_per_kwh, residual_mix_source",
            "The factor pricing unmatched load: the zone's residual mix (TABLE:source), or"
                + " GRID_AVERAGE when none is published (the hour's location-based intensity, as"
                + " the Scope 2 guidance allows)."
        },
        {
            "methodology",
            "Catalog and methodology version of the figures: state it for auditability."
        },
        {
            "alternative_factor_type, location_gco2e_alternative, alternative_priced_share"
                    + " (ledger.csv)",
            "The location-based figure at the other emission-factor type, when the feed publishes"
                + " both: present only when that type priced the whole hour (else empty; the share"
                + " says how much it priced). A disclosure beside location_gco2e, never part of the"
                + " totals, market-based figures or SCI."
        },
        {
            "functional_unit, functional_units, sci_g_per_unit (ledger-models.csv)",
            "R of the SCI per model: TOKENS_1K, IMAGE, MEDIA_SECOND or "
                    + "REQUEST; the hour's count of it; and (location + embodied) per unit."
        },
    };

    private static String joined(java.util.Collection<String> values) {
        return values == null || values.isEmpty() ? "none" : String.join(", ", values);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Text and attribute values: the five characters HTML gives a meaning. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
