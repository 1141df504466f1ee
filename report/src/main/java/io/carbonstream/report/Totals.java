package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Exact totals of a set of ledger rows: every figure of {@link TotalField}, plus the labels a filer
 * must state beside them (emission-factor types, residual-mix sources, methodology versions). Sums
 * are {@link BigDecimal} sums of each row's exact value, so the result does not depend on the order
 * rows are added in.
 */
public final class Totals {

    private final EnumMap<TotalField, BigDecimal> sums = new EnumMap<>(TotalField.class);
    // Numerators of the energy-weighted shares: sum of share x facility_kwh.
    private BigDecimal measuredKwh = BigDecimal.ZERO;
    private BigDecimal fallbackKwh = BigDecimal.ZERO;
    private BigDecimal staleKwh = BigDecimal.ZERO;
    private final SortedSet<String> emissionFactorTypes = new TreeSet<>();
    private final SortedSet<String> residualMixSources = new TreeSet<>();
    private final SortedMap<String, Integer> methodologies = new TreeMap<>();

    public Totals() {
        for (TotalField f : TotalField.values()) {
            if (f.ofRow != null) sums.put(f, BigDecimal.ZERO);
        }
    }

    public Totals add(LedgerEntry row) {
        for (Map.Entry<TotalField, BigDecimal> e : sums.entrySet()) {
            e.setValue(e.getValue().add(e.getKey().ofRow.apply(row)));
        }
        BigDecimal kwh = Decimals.exact(row.getFacilityKwh());
        measuredKwh = measuredKwh.add(Decimals.exact(row.getMeasuredEnergyShare()).multiply(kwh));
        fallbackKwh = fallbackKwh.add(Decimals.exact(row.getFallbackShare()).multiply(kwh));
        staleKwh = staleKwh.add(Decimals.exact(row.getStaleShare()).multiply(kwh));
        // A row of certificates only (no aggregate yet) has no intensity behind it: its labels say
        // nothing.
        if (row.getAggregateRevision() > 0) emissionFactorTypes.add(row.getEmissionFactorType());
        if (row.getUnmatchedKwh() > 0) residualMixSources.add(row.getResidualMixSource());
        methodologies.merge(row.getMethodology(), 1, Integer::sum);
        return this;
    }

    /** The exact value of a figure (a quotient to 34 digits for the ratios). */
    public BigDecimal value(TotalField field) {
        BigDecimal kwh = sums.get(TotalField.FACILITY_KWH);
        return switch (field) {
            case MEAN_INTENSITY -> Decimals.ratio(sums.get(TotalField.LOCATION_GCO2E), kwh);
            case MEASURED_ENERGY_SHARE -> Decimals.ratio(measuredKwh, kwh);
            case FALLBACK_SHARE -> Decimals.ratio(fallbackKwh, kwh);
            case STALE_SHARE -> Decimals.ratio(staleKwh, kwh);
            default -> sums.get(field);
        };
    }

    /** The printed value of a figure: the same text in every file. */
    public String text(TotalField field) {
        return field.format(value(field));
    }

    /** lifecycle and/or direct: more than one means the location-based total mixes factor types. */
    public SortedSet<String> emissionFactorTypes() {
        return Collections.unmodifiableSortedSet(emissionFactorTypes);
    }

    /** Where the residual mix pricing unmatched load came from (TABLE:source, GRID_AVERAGE). */
    public SortedSet<String> residualMixSources() {
        return Collections.unmodifiableSortedSet(residualMixSources);
    }

    /** Methodology (catalog) versions of the rows, with their row counts. */
    public SortedMap<String, Integer> methodologies() {
        return Collections.unmodifiableSortedMap(methodologies);
    }
}
