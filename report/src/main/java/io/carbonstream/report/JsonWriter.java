package io.carbonstream.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbonstream.schema.Restatement;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * summary.json: period, filters, totals (all, per datacenter, per organisation), SCI per model, the
 * restatements of the period, the methodology versions and, only when asked, the annual matching
 * result. Numbers are JSON numbers printed by {@link Decimals} (6 decimals, plain), keys in a fixed
 * order, "\n" line ends: the same topic gives the same bytes.
 */
public final class JsonWriter {

    public static final String FILE = "summary.json";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonWriter() {}

    public static void write(Report report, Path dir) throws IOException {
        Files.writeString(dir.resolve(FILE), toJson(report), StandardCharsets.UTF_8);
    }

    static String toJson(Report report) throws IOException {
        ObjectMapper mapper =
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        // The default pretty printer ends lines with the platform's separator: fix it to "\n".
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter printer =
                new DefaultPrettyPrinter(
                                Separators.createDefaultInstance()
                                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                        .withObjectIndenter(indenter)
                        .withArrayIndenter(indenter);
        return mapper.writer(printer).writeValueAsString(tree(report)) + "\n";
    }

    static ObjectNode tree(Report report) {
        LedgerPeriod ledger = report.ledger();
        ObjectNode root = NODES.objectNode();
        root.put("report", Report.TITLE);
        root.put(
                "number_format",
                "Real numbers have "
                        + Decimals.SCALE
                        + " decimals, rounded half-up. Totals are exact sums of the rows' values"
                        + " (each double taken at its exact decimal value), rounded once; ratios"
                        + " are ratios of exact sums.");
        ObjectNode period = root.putObject("period");
        period.put("from", CsvWriter.instant(ledger.period().from()));
        period.put("to", CsvWriter.instant(ledger.period().to()));
        period.put("to_exclusive", true);
        period.put("hours", ledger.period().hours());
        ObjectNode filters = root.putObject("filters");
        strings(filters.putArray("datacenters"), ledger.filter().datacenters());
        filters.put("organisation", ledger.filter().organisation());
        ObjectNode source = root.putObject("source");
        source.put("ledger_topic", report.ledgerTopic());
        source.put("restatements_topic", report.restatementsTopic());
        source.put("rows", ledger.rows().size());
        source.put("rows_file", CsvWriter.LEDGER);

        Totals totals = ledger.totals();
        // The two figures a Scope 2 filing states, in the unit it states them in.
        ObjectNode scope2 = root.putObject("scope2_tco2e");
        rounded(scope2, "location_based", Decimals.tonnes(totals.value(TotalField.LOCATION_GCO2E)));
        rounded(
                scope2,
                "market_based_hourly_matching",
                Decimals.tonnes(totals.value(TotalField.MARKET_GCO2E)));
        strings(scope2.putArray("location_emission_factor_types"), totals.emissionFactorTypes());
        totals(root.putObject("totals"), totals);
        strings(root.putArray("warnings"), report.warnings(totals));

        ArrayNode byDc = root.putArray("by_datacenter");
        Map<String, java.util.SortedSet<String>> zones = ledger.zonesByDatacenter();
        ledger.byDatacenter()
                .forEach(
                        (dc, t) -> {
                            ObjectNode o = byDc.addObject();
                            o.put("datacenter_id", dc);
                            strings(o.putArray("zones"), zones.get(dc));
                            totals(o, t);
                        });
        ArrayNode byOrg = root.putArray("by_organisation");
        ledger.byOrganisation()
                .forEach(
                        (org, t) -> {
                            ObjectNode o = byOrg.addObject();
                            o.put(
                                    "organisation",
                                    org.equals(LedgerPeriod.NO_ORGANISATION) ? null : org);
                            totals(o, t);
                        });

        ArrayNode sci = root.putArray("sci_per_model");
        for (ModelSci m : ledger.sciPerModel()) {
            ObjectNode o = sci.addObject();
            o.put("model_id", m.modelId);
            o.put("functional_unit", m.functionalUnit);
            o.put("hours", m.hours());
            o.put("requests", m.requests());
            o.put("input_tokens", m.inputTokens());
            o.put("output_tokens", m.outputTokens());
            o.put("images", m.images());
            rounded(o, "media_seconds", m.mediaSeconds());
            rounded(o, "facility_kwh", m.facilityKwh());
            rounded(o, "location_gco2e", m.locationGco2e());
            rounded(o, "embodied_gco2e", m.embodiedGco2e());
            rounded(o, "sci_gco2e", m.sciGco2e());
            rounded(o, "functional_units", m.functionalUnits());
            rounded(o, "sci_g_per_unit", m.sciPerUnit());
        }

        ArrayNode restatements = root.putArray("restatements");
        for (Restatement r : report.restatements()) {
            ObjectNode o = restatements.addObject();
            o.put("correction_id", r.getCorrectionId());
            o.put("kind", r.getKind().name());
            o.put("status", r.getStatus().name());
            o.put("zone", r.getZone());
            o.put("datacenter_id", r.getDatacenterId());
            o.put("model_id", r.getModelId());
            o.put("valid_from", CsvWriter.instant(r.getValidFrom()));
            if (r.getOldValue() == null) o.putNull("old_value");
            else rounded(o, "old_value", Decimals.exact(r.getOldValue()));
            rounded(o, "new_value", Decimals.exact(r.getNewValue()));
            o.put("unit", unitOf(r));
            o.put("old_source", r.getOldSource());
            o.put("new_source", r.getNewSource());
            o.put("note", r.getNote());
        }

        ArrayNode methodologies = root.putArray("methodology_versions");
        totals.methodologies()
                .forEach((m, n) -> methodologies.addObject().put("methodology", m).put("rows", n));

        if (report.annualMatching() != null)
            annual(root.putObject("annual_matching"), report.annualMatching());
        return root;
    }

    /**
     * gCO2e/kWh for an intensity correction, PUE for a registry version (every field of the version
     * applies).
     */
    static String unitOf(Restatement r) {
        return switch (r.getKind()) {
            case INTENSITY -> "gCO2e/kWh";
            case REGISTRY -> "PUE";
        };
    }

    private static void totals(ObjectNode o, Totals t) {
        for (TotalField f : TotalField.values()) {
            if (f.kind == TotalField.Kind.COUNT) o.put(f.column, t.value(f).longValueExact());
            else decimal(o, f.column, f.printed(t.value(f)));
        }
        strings(o.putArray("emission_factor_types"), t.emissionFactorTypes());
        strings(o.putArray("residual_mix_sources"), t.residualMixSources());
    }

    static final String ANNUAL_LABEL =
            "ANNUAL MATCHING (GHG Protocol Scope 2 Guidance, 2015): not the primary figure";
    static final String ANNUAL_METHOD =
            "Per datacenter and calendar year (UTC) within the period: certificates of the"
                + " datacenter's boundary counted over the whole part of the year regardless of"
                + " hour (sum of certificate_kwh); matched = min(load, certificates); unmatched"
                + " priced at the energy-weighted residual mix of the rows; certificate emissions"
                + " scaled from hourly matching (certificate_gco2e / hourly matched_kwh, 0 when"
                + " none matched) to the annual matched energy. The primary market-based figure is"
                + " totals.market_gco2e (hourly matching).";

    /** A figure of an annual matching result that adds up over datacenters and years. */
    private record AnnualFigure(String column, Function<AnnualMatching.Result, BigDecimal> value) {}

    /** The energy figures, in the order of both a result's object and the totals object. */
    private static final List<AnnualFigure> ANNUAL_ENERGY =
            List.of(
                    new AnnualFigure("load_kwh", AnnualMatching.Result::loadKwh),
                    new AnnualFigure("certificate_kwh", AnnualMatching.Result::certificateKwh),
                    new AnnualFigure("matched_kwh", AnnualMatching.Result::matchedKwh),
                    new AnnualFigure("unmatched_kwh", AnnualMatching.Result::unmatchedKwh),
                    new AnnualFigure("surplus_kwh", AnnualMatching.Result::surplusKwh));

    /** The two market-based emissions, last in both a result's object and the totals object. */
    private static final List<AnnualFigure> ANNUAL_MARKET =
            List.of(
                    new AnnualFigure("market_gco2e_annual", AnnualMatching.Result::marketGco2e),
                    new AnnualFigure(
                            "market_gco2e_hourly", AnnualMatching.Result::hourlyMarketGco2e));

    private static void annual(ObjectNode o, List<AnnualMatching.Result> results) {
        o.put("label", ANNUAL_LABEL);
        o.put("primary", false);
        o.put("method", ANNUAL_METHOD);
        ArrayNode rows = o.putArray("by_datacenter_year");
        for (AnnualMatching.Result r : results) {
            ObjectNode x = rows.addObject();
            x.put("datacenter_id", r.datacenterId());
            x.put("year", r.year());
            x.put("from", CsvWriter.instant(r.from()));
            x.put("to", CsvWriter.instant(r.to()));
            x.put("rows", r.rows());
            annualFigures(x, ANNUAL_ENERGY, List.of(r));
            rounded(x, "residual_mix_g_per_kwh", r.residualMixGPerKwh());
            strings(x.putArray("residual_mix_sources"), r.residualMixSources());
            rounded(x, "certificate_factor_g_per_kwh", r.certificateFactorGPerKwh());
            rounded(x, "certificate_gco2e", r.certificateGco2e());
            rounded(x, "unmatched_gco2e", r.unmatchedGco2e());
            annualFigures(x, ANNUAL_MARKET, List.of(r));
        }
        ObjectNode total = o.putObject("totals");
        annualFigures(total, ANNUAL_ENERGY, results);
        annualFigures(total, ANNUAL_MARKET, results);
    }

    /**
     * Each figure summed over the results: one result writes its own figures, all of them the
     * totals, so that both name and compute a column the same way.
     */
    private static void annualFigures(
            ObjectNode o, List<AnnualFigure> figures, List<AnnualMatching.Result> results) {
        for (AnnualFigure f : figures)
            rounded(o, f.column(), AnnualMatching.sum(results, f.value()));
    }

    private static void rounded(ObjectNode o, String name, BigDecimal value) {
        decimal(o, name, Decimals.rounded(value));
    }

    /**
     * A number as printed (scale 6). Set as a DecimalNode directly: the node factory's
     * put(BigDecimal) strips trailing zeros, and 12.500000 would print as 12.5.
     */
    private static void decimal(ObjectNode o, String name, BigDecimal value) {
        o.set(name, DecimalNode.valueOf(value));
    }

    private static void strings(ArrayNode array, Collection<String> values) {
        values.forEach(array::add);
    }
}
