package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The 2015 GHG Protocol Scope 2 Guidance's annual matching, kept beside the hourly result because
 * reports during the transition to the revised standard need both. The hourly result (the ledger's
 * market_gco2e) stays the primary figure.
 *
 * <p>Per datacenter and calendar year (UTC) within the period: the certificates of its boundary are
 * counted over the whole (part of the) year regardless of their hour (the sum of the rows'
 * certificate_kwh), matched = min(load, certificates), and the unmatched rest is priced at the
 * energy-weighted residual mix of its rows (sum of residual_mix x facility_kwh / sum of
 * facility_kwh: the annual method does not say which hours stayed unmatched). The certificates' own
 * emissions are scaled from what they conveyed under hourly matching to the annual matched energy:
 * certificate_gco2e / hourly matched_kwh x annual matched_kwh. When nothing matched hour by hour,
 * the ledger carries no certificate factor and it is taken as 0 (renewable instruments).
 */
public final class AnnualMatching {

    /**
     * One datacenter and calendar year: the annual result, and the hourly market figure beside it.
     */
    public record Result(
            String datacenterId,
            int year,
            Instant from,
            Instant to,
            long rows,
            BigDecimal loadKwh,
            BigDecimal certificateKwh,
            BigDecimal matchedKwh,
            BigDecimal unmatchedKwh,
            BigDecimal surplusKwh,
            BigDecimal residualMixGPerKwh,
            BigDecimal certificateFactorGPerKwh,
            BigDecimal certificateGco2e,
            BigDecimal unmatchedGco2e,
            BigDecimal marketGco2e,
            BigDecimal hourlyMarketGco2e,
            SortedSet<String> residualMixSources) {}

    private AnnualMatching() {}

    public static List<Result> compute(LedgerPeriod period) {
        // (datacenter, year) in order; rows arrive in hour order, so each group is in hour order
        // too.
        Map<String, Map<Integer, List<LedgerEntry>>> groups = new TreeMap<>();
        for (LedgerEntry row : period.rows()) {
            int year = row.getHourStart().atZone(ZoneOffset.UTC).getYear();
            groups.computeIfAbsent(row.getDatacenterId(), k -> new TreeMap<>())
                    .computeIfAbsent(year, k -> new ArrayList<>())
                    .add(row);
        }
        List<Result> results = new ArrayList<>();
        groups.forEach(
                (dc, years) ->
                        years.forEach(
                                (year, rows) ->
                                        results.add(result(dc, year, rows, period.period()))));
        return results;
    }

    /** The exact sum of one figure over results (datacenters and years). */
    public static BigDecimal sum(
            List<Result> results, java.util.function.Function<Result, BigDecimal> figure) {
        BigDecimal s = BigDecimal.ZERO;
        for (Result r : results) s = s.add(figure.apply(r));
        return s;
    }

    static Result result(
            String datacenterId, int year, List<LedgerEntry> rows, ReportPeriod period) {
        BigDecimal load = BigDecimal.ZERO;
        BigDecimal certificates = BigDecimal.ZERO;
        BigDecimal residualWeighted = BigDecimal.ZERO;
        BigDecimal hourlyMatched = BigDecimal.ZERO;
        BigDecimal hourlyCertificateGco2e = BigDecimal.ZERO;
        BigDecimal hourlyMarket = BigDecimal.ZERO;
        SortedSet<String> sources = new TreeSet<>();
        for (LedgerEntry row : rows) {
            BigDecimal kwh = Decimals.exact(row.getFacilityKwh());
            load = load.add(kwh);
            certificates = certificates.add(Decimals.exact(row.getCertificateKwh()));
            residualWeighted =
                    residualWeighted.add(Decimals.exact(row.getResidualMixGPerKwh()).multiply(kwh));
            hourlyMatched = hourlyMatched.add(Decimals.exact(row.getMatchedKwh()));
            hourlyCertificateGco2e =
                    hourlyCertificateGco2e.add(Decimals.exact(row.getCertificateGco2e()));
            hourlyMarket = hourlyMarket.add(Decimals.exact(row.getMarketGco2e()));
            if (row.getFacilityKwh() > 0) sources.add(row.getResidualMixSource());
        }
        BigDecimal matched = load.min(certificates);
        BigDecimal unmatched = load.subtract(matched);
        BigDecimal surplus = certificates.subtract(matched);
        BigDecimal residual = Decimals.ratio(residualWeighted, load);
        BigDecimal certificateFactor = Decimals.ratio(hourlyCertificateGco2e, hourlyMatched);
        BigDecimal certificateGco2e = certificateFactor.multiply(matched, Decimals.QUOTIENT);
        BigDecimal unmatchedGco2e = residual.multiply(unmatched, Decimals.QUOTIENT);
        Instant yearStart = LocalDate.of(year, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant yearEnd = LocalDate.of(year + 1, 1, 1).atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant from = period.from().isAfter(yearStart) ? period.from() : yearStart;
        Instant to = period.to().isBefore(yearEnd) ? period.to() : yearEnd;
        return new Result(
                datacenterId,
                year,
                from,
                to,
                rows.size(),
                load,
                certificates,
                matched,
                unmatched,
                surplus,
                residual,
                certificateFactor,
                certificateGco2e,
                unmatchedGco2e,
                certificateGco2e.add(unmatchedGco2e),
                hourlyMarket,
                java.util.Collections.unmodifiableSortedSet(sources));
    }
}
