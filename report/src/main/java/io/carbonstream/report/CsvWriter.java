package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.LedgerModelLine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * ledger.csv (the exact rows the report used, every scalar column), ledger-models.csv (their
 * per-model lines) and totals.csv (the totals: all rows, per datacenter, per organisation). RFC
 * 4180 quoting, UTF-8, "\n" line ends, numbers by {@link Decimals}; an absent value
 * (supplier_market_gco2e without a supplier rate, no organisation) is an empty field.
 */
public final class CsvWriter {

    public static final String LEDGER = "ledger.csv";
    public static final String MODELS = "ledger-models.csv";
    public static final String TOTALS = "totals.csv";

    private record Column<T>(String header, Function<T, String> value) {}

    /** Every scalar column of LedgerEntry, in schema order; units in the names. */
    static final List<Column<LedgerEntry>> LEDGER_COLUMNS =
            List.of(
                    new Column<>("hour_start", e -> instant(e.getHourStart())),
                    new Column<>("hour_end", e -> instant(e.getHourEnd())),
                    new Column<>("datacenter_id", LedgerEntry::getDatacenterId),
                    new Column<>("zone", LedgerEntry::getZone),
                    new Column<>(
                            "organisation",
                            e -> e.getOrganisation() == null ? "" : e.getOrganisation()),
                    new Column<>("revision", e -> Integer.toString(e.getRevision())),
                    new Column<>(
                            "aggregate_revision", e -> Integer.toString(e.getAggregateRevision())),
                    new Column<>("restatements", e -> Integer.toString(e.getRestatements())),
                    new Column<>("requests", e -> Long.toString(e.getRequests())),
                    new Column<>("input_tokens", e -> Long.toString(e.getInputTokens())),
                    new Column<>("output_tokens", e -> Long.toString(e.getOutputTokens())),
                    new Column<>("images", e -> Long.toString(e.getImages())),
                    new Column<>("media_seconds", e -> Decimals.format(e.getMediaSeconds())),
                    new Column<>("facility_kwh", e -> Decimals.format(e.getFacilityKwh())),
                    new Column<>("facility_kwh_low", e -> Decimals.format(e.getFacilityKwhLow())),
                    new Column<>("facility_kwh_high", e -> Decimals.format(e.getFacilityKwhHigh())),
                    new Column<>("emission_factor_type", LedgerEntry::getEmissionFactorType),
                    new Column<>(
                            "mean_intensity_g_per_kwh", e -> Decimals.format(e.getMeanIntensity())),
                    new Column<>("location_gco2e", e -> Decimals.format(e.getLocationGco2e())),
                    new Column<>(
                            "location_gco2e_low", e -> Decimals.format(e.getLocationGco2eLow())),
                    new Column<>(
                            "location_gco2e_high", e -> Decimals.format(e.getLocationGco2eHigh())),
                    new Column<>("certificate_kwh", e -> Decimals.format(e.getCertificateKwh())),
                    new Column<>("certificates", e -> Integer.toString(e.getCertificates())),
                    new Column<>("matched_kwh", e -> Decimals.format(e.getMatchedKwh())),
                    new Column<>("unmatched_kwh", e -> Decimals.format(e.getUnmatchedKwh())),
                    new Column<>("surplus_kwh", e -> Decimals.format(e.getSurplusKwh())),
                    new Column<>(
                            "certificate_gco2e", e -> Decimals.format(e.getCertificateGco2e())),
                    new Column<>(
                            "residual_mix_g_per_kwh",
                            e -> Decimals.format(e.getResidualMixGPerKwh())),
                    new Column<>("residual_mix_source", LedgerEntry::getResidualMixSource),
                    new Column<>("market_gco2e", e -> Decimals.format(e.getMarketGco2e())),
                    new Column<>(
                            "supplier_market_gco2e",
                            e ->
                                    e.getSupplierMarketGco2e() == null
                                            ? ""
                                            : Decimals.format(e.getSupplierMarketGco2e())),
                    new Column<>("water_l", e -> Decimals.format(e.getWaterL())),
                    new Column<>("embodied_gco2e", e -> Decimals.format(e.getEmbodiedGco2e())),
                    new Column<>("sci_gco2e", e -> Decimals.format(e.getSciGco2e())),
                    new Column<>(
                            "measured_energy_share",
                            e -> Decimals.format(e.getMeasuredEnergyShare())),
                    new Column<>("fallback_share", e -> Decimals.format(e.getFallbackShare())),
                    new Column<>("stale_share", e -> Decimals.format(e.getStaleShare())),
                    new Column<>("methodology", LedgerEntry::getMethodology),
                    // The other emission-factor type, beside the accounting figure (empty when it
                    // did not price the whole hour).
                    new Column<>(
                            "alternative_factor_type",
                            e ->
                                    e.getAlternativeFactorType() == null
                                            ? ""
                                            : e.getAlternativeFactorType()),
                    new Column<>(
                            "location_gco2e_alternative",
                            e ->
                                    e.getLocationGco2eAlternative() == null
                                            ? ""
                                            : Decimals.format(e.getLocationGco2eAlternative())),
                    new Column<>(
                            "alternative_priced_share",
                            e -> Decimals.format(e.getAlternativePricedShare())));

    private record ModelRow(LedgerEntry row, LedgerModelLine line) {}

    static final List<Column<ModelRow>> MODEL_COLUMNS =
            List.of(
                    new Column<>("hour_start", m -> instant(m.row.getHourStart())),
                    new Column<>("datacenter_id", m -> m.row.getDatacenterId()),
                    new Column<>("model_id", m -> m.line.getModelId()),
                    new Column<>("requests", m -> Long.toString(m.line.getRequests())),
                    new Column<>("input_tokens", m -> Long.toString(m.line.getInputTokens())),
                    new Column<>("output_tokens", m -> Long.toString(m.line.getOutputTokens())),
                    new Column<>("images", m -> Long.toString(m.line.getImages())),
                    new Column<>("media_seconds", m -> Decimals.format(m.line.getMediaSeconds())),
                    new Column<>("facility_kwh", m -> Decimals.format(m.line.getFacilityKwh())),
                    new Column<>("location_gco2e", m -> Decimals.format(m.line.getLocationGco2e())),
                    new Column<>("embodied_gco2e", m -> Decimals.format(m.line.getEmbodiedGco2e())),
                    new Column<>("functional_unit", m -> m.line.getFunctionalUnit()),
                    new Column<>(
                            "functional_units", m -> Decimals.format(m.line.getFunctionalUnits())),
                    new Column<>("sci_g_per_unit", m -> Decimals.format(m.line.getSciGPerUnit())));

    private CsvWriter() {}

    public static void write(Report report, Path dir) throws IOException {
        List<LedgerEntry> rows = report.ledger().rows();
        Files.writeString(dir.resolve(LEDGER), table(LEDGER_COLUMNS, rows), StandardCharsets.UTF_8);
        List<ModelRow> lines = new ArrayList<>();
        for (LedgerEntry row : rows) {
            // The array's order is the producer's; by model id the file does not depend on it.
            row.getModels().stream()
                    .sorted(
                            Comparator.comparing(LedgerModelLine::getModelId)
                                    .thenComparing(LedgerModelLine::getFunctionalUnit))
                    .forEach(line -> lines.add(new ModelRow(row, line)));
        }
        Files.writeString(dir.resolve(MODELS), table(MODEL_COLUMNS, lines), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(TOTALS), totals(report.ledger()), StandardCharsets.UTF_8);
    }

    /**
     * scope,id,figures...: one line "all", then one per datacenter and per organisation ("" when
     * none).
     */
    static String totals(LedgerPeriod ledger) {
        StringBuilder out = new StringBuilder("scope,id");
        for (TotalField f : TotalField.values()) out.append(',').append(f.column);
        out.append('\n');
        totalsLine(out, "all", "", ledger.totals());
        for (Map.Entry<String, Totals> e : ledger.byDatacenter().entrySet())
            totalsLine(out, "datacenter", e.getKey(), e.getValue());
        for (Map.Entry<String, Totals> e : ledger.byOrganisation().entrySet())
            totalsLine(out, "organisation", e.getKey(), e.getValue());
        return out.toString();
    }

    private static void totalsLine(StringBuilder out, String scope, String id, Totals t) {
        out.append(scope).append(',').append(field(id));
        for (TotalField f : TotalField.values()) out.append(',').append(t.text(f));
        out.append('\n');
    }

    private static <T> String table(List<Column<T>> columns, List<T> items) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", columns.stream().map(Column::header).toList())).append('\n');
        for (T item : items) {
            for (int i = 0; i < columns.size(); i++) {
                if (i > 0) out.append(',');
                out.append(field(columns.get(i).value().apply(item)));
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled. */
    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0)
            return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    static String instant(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t);
    }
}
