package io.carbonstream.report;

import static io.carbonstream.report.Rows.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.LedgerEntry;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The 2015-style annual matching against figures worked out by hand. */
class AnnualMatchingTest {

    @Test
    void certificatesCountOverThePeriodRegardlessOfHour() {
        // dc-a's three hours of LedgerPeriodTest: load 10 + 2 + 4 = 16 kWh, certificates 4 + 5 = 9
        // kWh.
        List<AnnualMatching.Result> results = AnnualMatching.compute(LedgerPeriodTest.dcA());
        assertThat(results).hasSize(1);
        AnnualMatching.Result r = results.get(0);
        assertThat(r.datacenterId()).isEqualTo("dc-a");
        assertThat(r.year()).isEqualTo(2026);
        assertThat(r.rows()).isEqualTo(3);
        assertThat(Decimals.format(r.loadKwh())).isEqualTo("16.000000");
        assertThat(Decimals.format(r.certificateKwh())).isEqualTo("9.000000");
        // The surplus hour's 3 kWh now cover load of other hours: all 9 kWh match, 7 stay
        // unmatched.
        assertThat(Decimals.format(r.matchedKwh())).isEqualTo("9.000000");
        assertThat(Decimals.format(r.unmatchedKwh())).isEqualTo("7.000000");
        assertThat(Decimals.format(r.surplusKwh())).isEqualTo("0.000000");
        // Residual mix weighted by each hour's energy: (300 x 10 + 400 x 2 + 300 x 4) / 16 (the
        // GRID_AVERAGE hour at its own 300).
        assertThat(Decimals.format(r.residualMixGPerKwh())).isEqualTo("312.500000");
        assertThat(r.residualMixSources()).containsExactly("GRID_AVERAGE", "TABLE:AIB-2024");
        // Certificates conveyed 300 g for 6 kWh matched hour by hour: 50 g/kWh, on 9 kWh annually.
        assertThat(Decimals.format(r.certificateFactorGPerKwh())).isEqualTo("50.000000");
        assertThat(Decimals.format(r.certificateGco2e())).isEqualTo("450.000000");
        assertThat(Decimals.format(r.unmatchedGco2e())).isEqualTo("2187.500000"); // 7 x 312.5
        assertThat(Decimals.format(r.marketGco2e())).isEqualTo("2637.500000");
        // Beside it, the primary (hourly) figure: the surplus could not help other hours.
        assertThat(Decimals.format(r.hourlyMarketGco2e())).isEqualTo("3300.000000");
    }

    @Test
    void oneResultPerCalendarYearWithinThePeriod() {
        List<AnnualMatching.Result> results =
                compute(
                        "2026-12-31T22:00:00Z",
                        "2027-01-01T02:00:00Z",
                        row("dc-x", "2026-12-31T23:00:00Z")
                                .kwh(1)
                                .certificates(3, 1, 0)
                                .residual(500, "TABLE:AIB-2024"),
                        row("dc-x", "2027-01-01T00:00:00Z").kwh(2).residual(400, "TABLE:AIB-2024"),
                        row("dc-x", "2027-01-01T01:00:00Z")
                                .kwh(3)
                                .intensity(200)
                                .residual(200, "GRID_AVERAGE"));
        assertThat(results).extracting(AnnualMatching.Result::year).containsExactly(2026, 2027);

        AnnualMatching.Result y2026 = results.get(0);
        assertThat(y2026.from()).isEqualTo(Instant.parse("2026-12-31T22:00:00Z"));
        assertThat(y2026.to()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(Decimals.format(y2026.matchedKwh())).isEqualTo("1.000000");
        // 2026's surplus is not carried into 2027.
        assertThat(Decimals.format(y2026.surplusKwh())).isEqualTo("2.000000");
        assertThat(Decimals.format(y2026.marketGco2e())).isEqualTo("0.000000");

        AnnualMatching.Result y2027 = results.get(1);
        assertThat(y2027.from()).isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(y2027.to()).isEqualTo(Instant.parse("2027-01-01T02:00:00Z"));
        assertThat(Decimals.format(y2027.unmatchedKwh())).isEqualTo("5.000000");
        assertThat(Decimals.format(y2027.residualMixGPerKwh()))
                .isEqualTo("280.000000"); // (400 x 2 + 200 x 3) / 5
        assertThat(Decimals.format(y2027.marketGco2e())).isEqualTo("1400.000000");
        assertThat(Decimals.format(y2027.hourlyMarketGco2e())).isEqualTo("1400.000000");
    }

    @Test
    void withoutAnyHourlyMatchTheCertificateFactorIsTakenAsZero() {
        AnnualMatching.Result r =
                compute(
                                "2026-12-01T00:00:00Z",
                                "2026-12-01T02:00:00Z",
                                // Certificates in an hour without load: all surplus hour by hour,
                                // so no factor reaches the ledger.
                                row("dc-y", "2026-12-01T00:00:00Z")
                                        .kwh(0)
                                        .certificates(5, 1, 30)
                                        .residual(100, "TABLE:AIB-2024"),
                                row("dc-y", "2026-12-01T01:00:00Z")
                                        .kwh(4)
                                        .residual(100, "TABLE:AIB-2024"))
                        .get(0);
        assertThat(Decimals.format(r.matchedKwh())).isEqualTo("4.000000");
        assertThat(Decimals.format(r.surplusKwh())).isEqualTo("1.000000");
        assertThat(Decimals.format(r.residualMixGPerKwh())).isEqualTo("100.000000");
        assertThat(Decimals.format(r.certificateFactorGPerKwh())).isEqualTo("0.000000");
        assertThat(Decimals.format(r.marketGco2e())).isEqualTo("0.000000");
        assertThat(Decimals.format(r.hourlyMarketGco2e())).isEqualTo("400.000000");
    }

    /** The annual matching of the rows, unfiltered, over the period [fromIso, toIso). */
    private static List<AnnualMatching.Result> compute(
            String fromIso, String toIso, Rows.Row... rows) {
        ReportPeriod period = new ReportPeriod(Instant.parse(fromIso), Instant.parse(toIso));
        List<LedgerEntry> entries = Arrays.stream(rows).map(Rows.Row::build).toList();
        return AnnualMatching.compute(new LedgerPeriod(period, ReportFilter.ALL, entries));
    }
}
