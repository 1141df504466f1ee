package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.LedgerModelLine;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ledger rows of a report: the latest revision of each key whose hour lies in the period and
 * that passes the filter, in (hour_start, datacenter_id) order, with their totals. Every file is
 * written from this one selection, so the files cannot disagree on which rows they cover.
 */
public final class LedgerPeriod {

    /** Rows without an organisation in the registry are grouped under this key ("" sorts first). */
    public static final String NO_ORGANISATION = "";

    static final Comparator<LedgerEntry> ORDER =
            Comparator.comparing(LedgerEntry::getHourStart)
                    .thenComparing(LedgerEntry::getDatacenterId);

    private final ReportPeriod period;
    private final ReportFilter filter;
    private final List<LedgerEntry> rows;

    public LedgerPeriod(
            ReportPeriod period, ReportFilter filter, Collection<LedgerEntry> latestRows) {
        this.period = period;
        this.filter = filter;
        List<LedgerEntry> selected = new ArrayList<>();
        for (LedgerEntry row : latestRows) {
            if (period.contains(row.getHourStart()) && filter.matches(row)) {
                requireFinite(row, row.getDatacenterId() + "|" + row.getHourStart());
                for (LedgerModelLine line : row.getModels())
                    requireFinite(
                            line,
                            row.getDatacenterId()
                                    + "|"
                                    + row.getHourStart()
                                    + " model "
                                    + line.getModelId());
                selected.add(row);
            }
        }
        selected.sort(ORDER);
        this.rows = Collections.unmodifiableList(selected);
    }

    /**
     * A figure that is not a number cannot be summed, and a total without it would be wrong: say
     * which row.
     */
    private static void requireFinite(org.apache.avro.generic.IndexedRecord record, String where) {
        for (org.apache.avro.Schema.Field f : record.getSchema().getFields()) {
            if (record.get(f.pos()) instanceof Double d && !Double.isFinite(d)) {
                throw new ReportException(
                        "ledger row "
                                + where
                                + ": "
                                + f.name()
                                + " is "
                                + d
                                + ", not a number a total can include");
            }
        }
    }

    public ReportPeriod period() {
        return period;
    }

    public ReportFilter filter() {
        return filter;
    }

    public List<LedgerEntry> rows() {
        return rows;
    }

    public Totals totals() {
        Totals t = new Totals();
        rows.forEach(t::add);
        return t;
    }

    public SortedMap<String, Totals> byDatacenter() {
        SortedMap<String, Totals> by = new TreeMap<>();
        for (LedgerEntry row : rows)
            by.computeIfAbsent(row.getDatacenterId(), k -> new Totals()).add(row);
        return by;
    }

    /** Totals per organisation; rows with none under {@link #NO_ORGANISATION}. */
    public SortedMap<String, Totals> byOrganisation() {
        SortedMap<String, Totals> by = new TreeMap<>();
        for (LedgerEntry row : rows) {
            String org = row.getOrganisation() == null ? NO_ORGANISATION : row.getOrganisation();
            by.computeIfAbsent(org, k -> new Totals()).add(row);
        }
        return by;
    }

    /** Zones each datacenter's rows were in (a registry change can move a datacenter). */
    public SortedMap<String, SortedSet<String>> zonesByDatacenter() {
        SortedMap<String, SortedSet<String>> zones = new TreeMap<>();
        for (LedgerEntry row : rows)
            zones.computeIfAbsent(row.getDatacenterId(), k -> new TreeSet<>()).add(row.getZone());
        return zones;
    }

    /** SCI per model and functional unit over the period, ordered by model then unit. */
    public List<ModelSci> sciPerModel() {
        Map<List<String>, ModelSci> by =
                new TreeMap<>(
                        Comparator.<List<String>, String>comparing(k -> k.get(0))
                                .thenComparing(k -> k.get(1)));
        for (LedgerEntry row : rows) {
            for (LedgerModelLine line : row.getModels()) {
                by.computeIfAbsent(
                                List.of(line.getModelId(), line.getFunctionalUnit()),
                                k -> new ModelSci(k.get(0), k.get(1)))
                        .add(line);
            }
        }
        return List.copyOf(by.values());
    }

    /**
     * The SUMMARY restatements that concern this report: valid_from in the period, and, when the
     * report is filtered, about a datacenter of its rows (or named by --datacenter) or a zone its
     * rows were in. Ordered by valid_from, then correction id.
     */
    public List<Restatement> restatements(Collection<Restatement> summaries) {
        SortedSet<String> datacenters = new TreeSet<>(filter.datacenters());
        SortedSet<String> zones = new TreeSet<>();
        for (LedgerEntry row : rows) {
            datacenters.add(row.getDatacenterId());
            zones.add(row.getZone());
        }
        List<Restatement> in = new ArrayList<>();
        for (Restatement r : summaries) {
            if (r.getRecordType() != RestatementRecordType.SUMMARY
                    || !period.contains(r.getValidFrom())) continue;
            boolean concerns =
                    filter.isAll()
                            || (r.getDatacenterId() != null
                                    && datacenters.contains(r.getDatacenterId()))
                            || (r.getZone() != null && zones.contains(r.getZone()));
            if (concerns) in.add(r);
        }
        in.sort(
                Comparator.comparing(Restatement::getValidFrom)
                        .thenComparing(Restatement::getCorrectionId));
        return in;
    }
}
