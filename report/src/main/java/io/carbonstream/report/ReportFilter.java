package io.carbonstream.report;

import io.carbonstream.schema.LedgerEntry;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which rows a report covers: some datacenters (none given: all) and/or one organisation. Both must
 * hold.
 */
public record ReportFilter(SortedSet<String> datacenters, String organisation) {

    public static final ReportFilter ALL = new ReportFilter(Collections.emptySortedSet(), null);

    public static ReportFilter of(Collection<String> datacenters, String organisation) {
        return new ReportFilter(
                Collections.unmodifiableSortedSet(
                        new TreeSet<>(datacenters == null ? java.util.List.of() : datacenters)),
                organisation);
    }

    public boolean matches(LedgerEntry row) {
        return (datacenters.isEmpty() || datacenters.contains(row.getDatacenterId()))
                && (organisation == null || organisation.equals(row.getOrganisation()));
    }

    public boolean isAll() {
        return datacenters.isEmpty() && organisation == null;
    }
}
