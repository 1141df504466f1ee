package io.carbonstream.report;

import io.carbonstream.schema.Restatement;
import java.util.List;

/**
 * Everything the files are written from, read once: the period's rows and their totals, the
 * restatements that concern them, and (with --annual-matching only) the annual-matching result.
 *
 * @param annualMatching null unless asked for: the files then say nothing about it
 */
public record Report(
        LedgerPeriod ledger,
        String ledgerTopic,
        String restatementsTopic,
        List<Restatement> restatements,
        List<AnnualMatching.Result> annualMatching) {

    public static final String TITLE = "carbonstream Scope 2 / SCI report";

    /** Caveats the reader must see beside the totals; the same in summary.json and report.html. */
    public List<String> warnings(Totals totals) {
        List<String> w = new java.util.ArrayList<>();
        if (ledger.rows().isEmpty()) {
            w.add("No ledger rows in the period for these filters: every total is 0.");
        }
        if (totals.emissionFactorTypes().size() > 1) {
            w.add(
                    "The location-based total mixes emission-factor types "
                            + totals.emissionFactorTypes()
                            + " (the job's factor type changed in the period): report each type on"
                            + " its own.");
        }
        long supplierRows = totals.value(TotalField.SUPPLIER_RATE_ROWS).longValueExact();
        long rows = totals.value(TotalField.ROWS).longValueExact();
        if (supplierRows > 0 && supplierRows < rows) {
            w.add(
                    "supplier_market_gco2e covers "
                            + supplierRows
                            + " of "
                            + rows
                            + " rows only (the others have no supplier rate).");
        }
        if (totals.residualMixSources().contains("GRID_AVERAGE")) {
            w.add(
                    "Some unmatched load was priced at the grid average (GRID_AVERAGE): its zone"
                            + " has no residual mix in the table.");
        }
        return w;
    }
}
