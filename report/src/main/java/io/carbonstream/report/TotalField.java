package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import java.math.BigDecimal;
import java.util.function.Function;

/**
 * The figures of a total, in the order every writer prints them. One list for totals.csv,
 * summary.json and the HTML tables, so that the three carry the same names, the same numbers and
 * the same formatting. Names are the ledger's column names (units in the name).
 *
 * <p>A figure is either a sum over the rows (exact, see {@link Decimals}) or a ratio of two sums
 * (energy-weighted means): a mean of hourly means would weigh a quiet hour like a busy one.
 */
public enum TotalField {
    ROWS(
            "rows",
            Kind.COUNT,
            "datacenter-hours",
            e -> BigDecimal.ONE,
            "Ledger rows in the total: one per datacenter and UTC hour."),
    REQUESTS(
            "requests",
            Kind.COUNT,
            "requests",
            e -> BigDecimal.valueOf(e.getRequests()),
            "Inference requests served. A candidate functional unit (R) of the SCI."),
    INPUT_TOKENS(
            "input_tokens",
            Kind.COUNT,
            "tokens",
            e -> BigDecimal.valueOf(e.getInputTokens()),
            "Prompt tokens processed."),
    OUTPUT_TOKENS(
            "output_tokens",
            Kind.COUNT,
            "tokens",
            e -> BigDecimal.valueOf(e.getOutputTokens()),
            "Tokens generated. Input plus output tokens per 1,000 is the SCI unit of language"
                    + " models."),
    IMAGES(
            "images",
            Kind.COUNT,
            "images",
            e -> BigDecimal.valueOf(e.getImages()),
            "Images generated: the SCI unit of image models."),
    MEDIA_SECONDS(
            "media_seconds",
            Kind.SUM,
            "s",
            e -> Decimals.exact(e.getMediaSeconds()),
            "Seconds of video or audio generated: the SCI unit of media models."),
    FACILITY_KWH(
            "facility_kwh",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getFacilityKwh()),
            "Electricity drawn by the facility for the requests, PUE included: the activity data of"
                    + " Scope 2 and E of the SCI."),
    FACILITY_KWH_LOW(
            "facility_kwh_low",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getFacilityKwhLow()),
            "Low end of facility_kwh's range (meter range for measured energy, the catalog's range"
                    + " for estimates). facility_kwh stays the figure to file."),
    FACILITY_KWH_HIGH(
            "facility_kwh_high",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getFacilityKwhHigh()),
            "High end of facility_kwh's range."),
    LOCATION_GCO2E(
            "location_gco2e",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getLocationGco2e()),
            "Location-based Scope 2 emissions: each hour's energy at its zone's grid-average"
                + " intensity (factor type: emission_factor_type). Filed beside the market-based"
                + " figure (dual reporting); E x I of the SCI."),
    LOCATION_GCO2E_LOW(
            "location_gco2e_low",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getLocationGco2eLow()),
            "location_gco2e priced on facility_kwh_low."),
    LOCATION_GCO2E_HIGH(
            "location_gco2e_high",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getLocationGco2eHigh()),
            "location_gco2e priced on facility_kwh_high."),
    MEAN_INTENSITY(
            "mean_intensity_g_per_kwh",
            Kind.RATIO,
            "gCO2e/kWh",
            null,
            "Energy-weighted location-based intensity: location_gco2e / facility_kwh (0 without"
                    + " energy)."),
    CERTIFICATE_KWH(
            "certificate_kwh",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getCertificateKwh()),
            "Energy attribute certificates and PPA deliveries of the same hour and grid boundary"
                + " counted for the datacenter (retired for it, plus its share of those retired for"
                + " its organisation)."),
    CERTIFICATES(
            "certificates",
            Kind.COUNT,
            "certificates",
            e -> BigDecimal.valueOf(e.getCertificates()),
            "Certificates that contributed, summed over rows (one shared by an organisation's"
                    + " datacenters counts in each)."),
    MATCHED_KWH(
            "matched_kwh",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getMatchedKwh()),
            "Load covered by certificates of the same hour and boundary: hourly matching, as the"
                    + " Scope 2 revision requires."),
    UNMATCHED_KWH(
            "unmatched_kwh",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getUnmatchedKwh()),
            "Load not covered in its own hour: priced at the residual mix."),
    SURPLUS_KWH(
            "surplus_kwh",
            Kind.SUM,
            "kWh",
            e -> Decimals.exact(e.getSurplusKwh()),
            "Certificates beyond the load of their hour: reported, never carried to another hour or"
                    + " boundary."),
    CERTIFICATE_GCO2E(
            "certificate_gco2e",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getCertificateGco2e()),
            "Emissions conveyed by the matched certificates at their own factors (0 for"
                    + " renewables)."),
    MARKET_GCO2E(
            "market_gco2e",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getMarketGco2e()),
            "Market-based Scope 2 emissions under hourly matching: certificate_gco2e +"
                    + " unmatched_kwh x residual mix. The market-based figure of this report."),
    SUPPLIER_MARKET_GCO2E(
            "supplier_market_gco2e",
            Kind.SUM,
            "gCO2e",
            e ->
                    e.getSupplierMarketGco2e() == null
                            ? BigDecimal.ZERO
                            : Decimals.exact(e.getSupplierMarketGco2e()),
            "Market-based emissions at a supplier rate from the registry, over the rows that have"
                + " one (supplier_rate_rows); an alternative instrument kept beside market_gco2e,"
                + " not added to it."),
    SUPPLIER_RATE_ROWS(
            "supplier_rate_rows",
            Kind.COUNT,
            "rows",
            e -> e.getSupplierMarketGco2e() == null ? BigDecimal.ZERO : BigDecimal.ONE,
            "Rows with a supplier rate: supplier_market_gco2e covers these rows only."),
    WATER_L(
            "water_l",
            Kind.SUM,
            "L",
            e -> Decimals.exact(e.getWaterL()),
            "Water consumed for the requests (the registry's water usage effectiveness). Not a"
                    + " Scope 2 figure; reported beside it."),
    EMBODIED_GCO2E(
            "embodied_gco2e",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getEmbodiedGco2e()),
            "The requests' time share of the hardware's embodied emissions: M of the SCI. Not Scope"
                    + " 2 (capital goods belong to Scope 3)."),
    SCI_GCO2E(
            "sci_gco2e",
            Kind.SUM,
            "gCO2e",
            e -> Decimals.exact(e.getSciGco2e()),
            "SCI numerator O + M = location_gco2e + embodied_gco2e (ISO/IEC 21031 excludes market"
                    + " instruments)."),
    RESTATEMENTS(
            "restatements",
            Kind.COUNT,
            "revisions",
            e -> BigDecimal.valueOf(e.getRestatements()),
            "Revisions of the rows' hourly aggregates that were restatements (an intensity"
                    + " correction, a registry change), summed over rows."),
    MEASURED_ENERGY_SHARE(
            "measured_energy_share",
            Kind.RATIO,
            "fraction",
            null,
            "Energy-weighted share of the energy that was measured rather than estimated."),
    FALLBACK_SHARE(
            "fallback_share",
            Kind.RATIO,
            "fraction",
            null,
            "Energy-weighted share of the energy priced with a FALLBACK intensity (no live signal"
                    + " for the zone)."),
    STALE_SHARE(
            "stale_share",
            Kind.RATIO,
            "fraction",
            null,
            "Energy-weighted share of the energy priced with a STALE intensity.");

    /** The heading a figure is shown under in the HTML totals table. */
    public String group() {
        return switch (this) {
            case ROWS, REQUESTS, INPUT_TOKENS, OUTPUT_TOKENS, IMAGES, MEDIA_SECONDS -> "Activity";
            case FACILITY_KWH, FACILITY_KWH_LOW, FACILITY_KWH_HIGH -> "Energy";
            case LOCATION_GCO2E, LOCATION_GCO2E_LOW, LOCATION_GCO2E_HIGH, MEAN_INTENSITY ->
                    "Scope 2, location-based";
            case CERTIFICATE_KWH,
                    CERTIFICATES,
                    MATCHED_KWH,
                    UNMATCHED_KWH,
                    SURPLUS_KWH,
                    CERTIFICATE_GCO2E,
                    MARKET_GCO2E,
                    SUPPLIER_MARKET_GCO2E,
                    SUPPLIER_RATE_ROWS ->
                    "Scope 2, market-based (hourly matching)";
            case WATER_L, EMBODIED_GCO2E, SCI_GCO2E -> "Water, embodied emissions, SCI numerator";
            case RESTATEMENTS, MEASURED_ENERGY_SHARE, FALLBACK_SHARE, STALE_SHARE -> "Data quality";
        };
    }

    /**
     * COUNT: an integer sum, printed without decimals. SUM: a real sum. RATIO: a quotient of sums.
     */
    public enum Kind {
        COUNT,
        SUM,
        RATIO
    }

    public final String column;
    public final Kind kind;
    public final String unit;

    /** What the figure means for a Scope 2 / SCI filing: the HTML legend and docs/reports.md. */
    public final String meaning;

    final Function<LedgerEntry, BigDecimal> ofRow;

    TotalField(
            String column,
            Kind kind,
            String unit,
            Function<LedgerEntry, BigDecimal> ofRow,
            String meaning) {
        this.column = column;
        this.kind = kind;
        this.unit = unit;
        this.ofRow = ofRow;
        this.meaning = meaning;
    }

    /** The printed form of a value of this field: an integer, or {@link Decimals#format}. */
    public String format(BigDecimal value) {
        return kind == Kind.COUNT ? value.toBigIntegerExact().toString() : Decimals.format(value);
    }

    /** The value as JSON carries it: the printed number. */
    public BigDecimal printed(BigDecimal value) {
        return kind == Kind.COUNT ? value : Decimals.rounded(value);
    }
}
