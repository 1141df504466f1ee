package io.carbonstream.report;

import static io.carbonstream.report.Rows.model;
import static io.carbonstream.report.Rows.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Selection and sums of a period against figures worked out by hand from three crafted hours of
 * dc-a: an hour partly matched, a surplus hour, and an hour whose zone has no residual mix
 * (GRID_AVERAGE); plus rows that must be left out (another datacenter, before the period, at its
 * end).
 */
class LedgerPeriodTest {

    static final ReportPeriod PERIOD =
            new ReportPeriod(
                    Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-01T03:00:00Z"));

    // 10 kWh at 200 g/kWh; 4 kWh of certificates at 50 g/kWh; 6 kWh unmatched at a residual mix of
    // 300.
    static final LedgerEntry PARTLY_MATCHED =
            row("dc-a", "2026-12-01T00:00:00Z")
                    .kwh(10)
                    .intensity(200)
                    .certificates(4, 1, 50)
                    .residual(300, "TABLE:AIB-2024")
                    .supplier(120)
                    .water(1.5)
                    .embodied(100)
                    .shares(0.5, 0, 0)
                    .models(
                            model("llama-70b", "TOKENS_1K", 100, 60_000, 40_000, 0, 8, 1600, 80),
                            model("sdxl", "IMAGE", 20, 0, 0, 20, 2, 400, 20))
                    .build();
    // 2 kWh at 250; 5 kWh of certificates: 2 matched, 3 surplus; nothing unmatched.
    static final LedgerEntry SURPLUS =
            row("dc-a", "2026-12-01T01:00:00Z")
                    .kwh(2)
                    .intensity(250)
                    .certificates(5, 2, 50)
                    .residual(400, "TABLE:AIB-2024")
                    .water(0.25)
                    .embodied(20)
                    .shares(1, 0, 0)
                    .models(model("llama-70b", "TOKENS_1K", 10, 5_000, 6_000, 0, 2, 500, 20))
                    .build();
    // 4 kWh at 300, no certificates, no residual mix published for the zone: priced at the grid
    // average.
    static final LedgerEntry GRID_AVERAGE =
            row("dc-a", "2026-12-01T02:00:00Z")
                    .kwh(4)
                    .intensity(300)
                    .residual(300, "GRID_AVERAGE")
                    .water(0.5)
                    .embodied(40)
                    .shares(0, 0.25, 0.5)
                    .restatements(2)
                    .models(model("tiny", "REQUEST", 4, 0, 0, 0, 4, 1200, 40))
                    .build();

    static final LedgerEntry OTHER_DATACENTER =
            row("dc-b", "2026-12-01T01:00:00Z").zone("DE").org("other").kwh(1000).build();
    static final LedgerEntry BEFORE = row("dc-a", "2026-11-30T23:00:00Z").kwh(1000).build();
    static final LedgerEntry AT_END = row("dc-a", "2026-12-01T03:00:00Z").kwh(1000).build();

    static List<LedgerEntry> all() {
        return List.of(AT_END, OTHER_DATACENTER, GRID_AVERAGE, BEFORE, SURPLUS, PARTLY_MATCHED);
    }

    static LedgerPeriod dcA() {
        return new LedgerPeriod(PERIOD, ReportFilter.of(List.of("dc-a"), null), all());
    }

    @Test
    void selectsTheRowsOfThePeriodAndFilterInHourOrder() {
        assertThat(dcA().rows()).containsExactly(PARTLY_MATCHED, SURPLUS, GRID_AVERAGE);
        assertThat(new LedgerPeriod(PERIOD, ReportFilter.ALL, all()).rows())
                .containsExactly(PARTLY_MATCHED, SURPLUS, OTHER_DATACENTER, GRID_AVERAGE);
    }

    @Test
    void totalsAreTheHandComputedSums() {
        Totals t = dcA().totals();
        Map<TotalField, String> expected = new java.util.EnumMap<>(TotalField.class);
        expected.put(TotalField.ROWS, "3");
        expected.put(TotalField.REQUESTS, "134"); // 100 + 20 + 10 + 4
        expected.put(TotalField.INPUT_TOKENS, "65000");
        expected.put(TotalField.OUTPUT_TOKENS, "46000");
        expected.put(TotalField.IMAGES, "20");
        expected.put(TotalField.FACILITY_KWH, "16.000000"); // 10 + 2 + 4
        expected.put(TotalField.FACILITY_KWH_LOW, "14.400000"); // x 0.9
        expected.put(TotalField.FACILITY_KWH_HIGH, "19.200000"); // x 1.2
        expected.put(TotalField.LOCATION_GCO2E, "3700.000000"); // 2000 + 500 + 1200
        expected.put(TotalField.LOCATION_GCO2E_LOW, "3330.000000");
        expected.put(TotalField.LOCATION_GCO2E_HIGH, "4440.000000");
        expected.put(TotalField.MEAN_INTENSITY, "231.250000"); // 3700 / 16
        expected.put(TotalField.CERTIFICATE_KWH, "9.000000"); // 4 + 5
        expected.put(TotalField.CERTIFICATES, "3");
        expected.put(TotalField.MATCHED_KWH, "6.000000"); // 4 + 2
        expected.put(TotalField.UNMATCHED_KWH, "10.000000"); // 6 + 0 + 4
        expected.put(TotalField.SURPLUS_KWH, "3.000000"); // the surplus hour's, not used elsewhere
        expected.put(TotalField.CERTIFICATE_GCO2E, "300.000000"); // 6 matched kWh x 50
        expected.put(TotalField.MARKET_GCO2E, "3300.000000"); // (200 + 6 x 300) + 100 + 4 x 300
        expected.put(
                TotalField.SUPPLIER_MARKET_GCO2E,
                "1200.000000"); // 10 x 120, the one row with a supplier rate
        expected.put(TotalField.SUPPLIER_RATE_ROWS, "1");
        expected.put(TotalField.WATER_L, "2.250000");
        expected.put(TotalField.EMBODIED_GCO2E, "160.000000");
        expected.put(TotalField.SCI_GCO2E, "3860.000000"); // 3700 + 160
        expected.put(TotalField.RESTATEMENTS, "2");
        expected.put(TotalField.MEASURED_ENERGY_SHARE, "0.437500"); // (0.5 x 10 + 1 x 2) / 16
        expected.put(TotalField.FALLBACK_SHARE, "0.062500"); // 0.25 x 4 / 16
        expected.put(TotalField.STALE_SHARE, "0.125000"); // 0.5 x 4 / 16
        expected.put(TotalField.MEDIA_SECONDS, "0.000000");
        assertThat(expected).hasSize(TotalField.values().length);
        expected.forEach((f, v) -> assertThat(t.text(f)).as(f.column).isEqualTo(v));
        assertThat(t.emissionFactorTypes()).containsExactly("lifecycle");
        // The surplus hour had nothing unmatched: its residual mix priced nothing.
        assertThat(t.residualMixSources()).containsExactly("GRID_AVERAGE", "TABLE:AIB-2024");
        assertThat(t.methodologies()).containsExactly(Map.entry("catalog-2026.1", 3));
    }

    @Test
    void sciPerModelIsARatioOfSums() {
        List<ModelSci> sci = dcA().sciPerModel();
        assertThat(sci)
                .extracting(m -> m.modelId + "/" + m.functionalUnit)
                .containsExactly("llama-70b/TOKENS_1K", "sdxl/IMAGE", "tiny/REQUEST");
        // llama: (1600 + 80 + 500 + 20) g over (100 + 11) thousand tokens = 19.8198198...
        assertThat(Decimals.format(sci.get(0).sciPerUnit())).isEqualTo("19.819820");
        assertThat(Decimals.format(sci.get(0).functionalUnits())).isEqualTo("111.000000");
        assertThat(sci.get(0).hours()).isEqualTo(2);
        assertThat(Decimals.format(sci.get(1).sciPerUnit()))
                .isEqualTo("21.000000"); // 420 g / 20 images
        assertThat(Decimals.format(sci.get(2).sciPerUnit()))
                .isEqualTo("310.000000"); // 1240 g / 4 requests
    }

    @Test
    void organisationFilterAndGroups() {
        LedgerEntry acmeElsewhere = row("dc-c", "2026-12-01T00:00:00Z").zone("DE").kwh(1).build();
        LedgerEntry noOrganisation = row("dc-d", "2026-12-01T00:00:00Z").org(null).kwh(0.5).build();
        List<LedgerEntry> rows = new ArrayList<>(all());
        rows.add(acmeElsewhere);
        rows.add(noOrganisation);
        LedgerPeriod acme = new LedgerPeriod(PERIOD, ReportFilter.of(List.of(), "acme"), rows);
        assertThat(acme.rows())
                .containsExactly(PARTLY_MATCHED, acmeElsewhere, SURPLUS, GRID_AVERAGE);
        assertThat(acme.totals().text(TotalField.FACILITY_KWH)).isEqualTo("17.000000");
        // Both filters must hold.
        assertThat(
                        new LedgerPeriod(
                                        PERIOD,
                                        ReportFilter.of(List.of("dc-b", "dc-c"), "acme"),
                                        rows)
                                .rows())
                .containsExactly(acmeElsewhere);

        LedgerPeriod everything = new LedgerPeriod(PERIOD, ReportFilter.ALL, rows);
        assertThat(everything.byOrganisation().keySet())
                .containsExactly(LedgerPeriod.NO_ORGANISATION, "acme", "other");
        assertThat(everything.byOrganisation().get("acme").text(TotalField.FACILITY_KWH))
                .isEqualTo("17.000000");
        assertThat(everything.byOrganisation().get("other").text(TotalField.FACILITY_KWH))
                .isEqualTo("1000.000000");
        assertThat(
                        everything
                                .byOrganisation()
                                .get(LedgerPeriod.NO_ORGANISATION)
                                .text(TotalField.FACILITY_KWH))
                .isEqualTo("0.500000");
        assertThat(everything.byDatacenter().keySet())
                .containsExactly("dc-a", "dc-b", "dc-c", "dc-d");
        assertThat(everything.byDatacenter().get("dc-a").text(TotalField.MARKET_GCO2E))
                .isEqualTo("3300.000000");
    }

    @Test
    void sumsAreExactWhateverTheOrderOfTheRows() {
        // In doubles, 0.1 + 0.2 + 0.3 and 0.3 + 0.2 + 0.1 differ; exact sums do not.
        assertThat(0.1 + 0.2 + 0.3).isNotEqualTo(0.3 + 0.2 + 0.1);
        Random random = new Random(42);
        List<LedgerEntry> rows = new ArrayList<>();
        BigDecimal exact = BigDecimal.ZERO;
        for (int h = 0; h < 48; h++) {
            double kwh = h % 3 == 0 ? 0.1 * (h + 1) : random.nextDouble() * 1000;
            rows.add(
                    row(
                                    "dc-a",
                                    Instant.parse("2026-12-01T00:00:00Z")
                                            .plusSeconds(3600L * h)
                                            .toString())
                            .kwh(kwh)
                            .build());
            exact = exact.add(new BigDecimal(kwh));
        }
        ReportPeriod twoDays =
                new ReportPeriod(
                        Instant.parse("2026-12-01T00:00:00Z"),
                        Instant.parse("2026-12-03T00:00:00Z"));
        BigDecimal inOrder =
                new LedgerPeriod(twoDays, ReportFilter.ALL, rows)
                        .totals()
                        .value(TotalField.FACILITY_KWH);
        Totals reversed = new Totals();
        List<LedgerEntry> backwards = new ArrayList<>(rows);
        Collections.reverse(backwards);
        backwards.forEach(reversed::add);
        assertThat(inOrder).isEqualTo(exact);
        assertThat(reversed.value(TotalField.FACILITY_KWH)).isEqualTo(exact);
    }

    @Test
    void restatementsOfThePeriodThatConcernTheRows() {
        Restatement californiaIntensity =
                Rows.summary(
                        CorrectionKind.INTENSITY,
                        "US-CAL-CISO",
                        null,
                        "2026-12-01T01:00:00Z",
                        210.0,
                        250.0,
                        RestatementStatus.APPLIED);
        Restatement germanIntensity =
                Rows.summary(
                        CorrectionKind.INTENSITY,
                        "DE",
                        null,
                        "2026-12-01T01:00:00Z",
                        null,
                        380.0,
                        RestatementStatus.APPLIED);
        Restatement dcARegistry =
                Rows.summary(
                        CorrectionKind.REGISTRY,
                        null,
                        "dc-a",
                        "2026-12-01T00:00:00Z",
                        1.2,
                        1.25,
                        RestatementStatus.PARTIALLY_APPLIED);
        Restatement afterThePeriod =
                Rows.summary(
                        CorrectionKind.REGISTRY,
                        null,
                        "dc-a",
                        "2026-12-01T03:00:00Z",
                        1.25,
                        1.3,
                        RestatementStatus.APPLIED);
        Restatement pane =
                Restatement.newBuilder(californiaIntensity)
                        .setRecordType(io.carbonstream.schema.RestatementRecordType.PANE)
                        .build();
        List<Restatement> summaries =
                List.of(afterThePeriod, germanIntensity, pane, californiaIntensity, dcARegistry);
        assertThat(dcA().restatements(summaries)).containsExactly(dcARegistry, californiaIntensity);
        assertThat(new LedgerPeriod(PERIOD, ReportFilter.ALL, all()).restatements(summaries))
                .containsExactly(dcARegistry, germanIntensity, californiaIntensity);
    }

    @Test
    void periodMustBeWholeHoursAndForward() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new ReportPeriod(
                                        Instant.parse("2026-12-01T00:30:00Z"),
                                        Instant.parse("2026-12-02T00:00:00Z")))
                .hasMessageContaining("--from must be a whole UTC hour");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                new ReportPeriod(
                                        Instant.parse("2026-12-02T00:00:00Z"),
                                        Instant.parse("2026-12-01T00:00:00Z")))
                .hasMessageContaining(
                        "--to (2026-12-01T00:00:00Z) must be after --from (2026-12-02T00:00:00Z)");
        assertThat(PERIOD.hours()).isEqualTo(3);
    }
}
