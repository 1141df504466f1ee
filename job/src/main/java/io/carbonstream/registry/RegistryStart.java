package io.carbonstream.registry;

import java.io.Serializable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * The registry as the job starts: the registry file, overlaid per datacenter by everything the
 * registry topic held up to its end offsets at start (read before the job is submitted).
 *
 * <p>Why: a broadcast input has no event time that could hold requests back, so a request read
 * before the registry stream delivered its datacenter used to be dead-lettered at random (and
 * differently on each run). With the topic's content read before any request, no request is ever
 * judged against a registry that has not been read. The registry source still reads the topic from
 * its beginning (its bad records reach the dead letters), but records below these end offsets are
 * already in the snapshot and are not applied a second time.
 */
public final class RegistryStart implements Serializable {

    private final Map<String, DatacenterHistory> histories;

    /** Partition -> first offset not in the snapshot. */
    private final Map<Integer, Long> endOffsets;

    public RegistryStart(Map<String, DatacenterHistory> histories, Map<Integer, Long> endOffsets) {
        this.histories = Map.copyOf(histories);
        this.endOffsets = Map.copyOf(endOffsets);
    }

    /** Only a registry file (or nothing): every registry record read from the topic is applied. */
    public static RegistryStart ofFile(Map<String, DatacenterHistory> file) {
        return new RegistryStart(file, Map.of());
    }

    public DatacenterHistory get(String datacenterId) {
        return histories.get(datacenterId);
    }

    public Map<String, DatacenterHistory> histories() {
        return histories;
    }

    /** Whether a record of the registry topic at this position is already part of the snapshot. */
    public boolean includes(int partition, long offset) {
        Long end = endOffsets.get(partition);
        return end != null && offset >= 0 && offset < end;
    }

    /**
     * Applies a registry record the running job read (an upsert, or the tombstone of {@code
     * deletedId}) to an operator's broadcast registry: the snapshot's history of the datacenter
     * overlaid with it. A record already in this snapshot, or no registry record at all (both
     * null), changes nothing.
     */
    public void apply(
            BroadcastState<String, DatacenterHistory> state,
            DatacenterProfile upsert,
            String deletedId,
            int partition,
            long offset)
            throws Exception {
        if (upsert == null && deletedId == null) return;
        if (partition >= 0 && includes(partition, offset)) return;
        String id = upsert != null ? upsert.datacenterId : deletedId;
        DatacenterHistory h = state.get(id);
        if (h == null) h = get(id) != null ? get(id).copy() : new DatacenterHistory();
        if (upsert != null) h.upsert(upsert);
        else h.deleted = true;
        state.put(id, h);
    }

    /**
     * Every datacenter's version in force at t: this snapshot overlaid with the broadcast registry
     * of later records.
     */
    public Map<String, DatacenterProfile> asOf(
            long t, ReadOnlyBroadcastState<String, DatacenterHistory> later) throws Exception {
        Map<String, DatacenterHistory> all = new HashMap<>(histories);
        for (Map.Entry<String, DatacenterHistory> e : later.immutableEntries())
            all.put(e.getKey(), e.getValue());
        Map<String, DatacenterProfile> at = new HashMap<>();
        all.forEach(
                (id, h) -> {
                    DatacenterProfile p =
                            h.asOf(t); // a datacenter deleted since still had its load then
                    if (p != null) at.put(id, p);
                });
        return at;
    }

    /** Builds the snapshot: the file's datacenters, then the topic's records in offset order. */
    public static final class Builder {
        private final Map<String, DatacenterHistory> histories = new LinkedHashMap<>();
        private final Map<Integer, Long> endOffsets = new HashMap<>();

        public Builder(Map<String, DatacenterHistory> file) {
            file.forEach((id, h) -> histories.put(id, h.copy()));
        }

        /**
         * A valid registry record of the topic: it replaces the version with the same
         * effective_from (for unversioned records: the file's entry), and adds any other version,
         * exactly as a record read later by the running job does.
         */
        public void put(DatacenterProfile p) {
            histories.computeIfAbsent(p.datacenterId, id -> new DatacenterHistory()).upsert(p);
        }

        /** A tombstone of the topic. */
        public void delete(String datacenterId) {
            DatacenterHistory gone = new DatacenterHistory();
            gone.deleted = true;
            histories.put(datacenterId, gone);
        }

        public void endOffset(int partition, long offset) {
            endOffsets.put(partition, offset);
        }

        public RegistryStart build() {
            return new RegistryStart(histories, endOffsets);
        }
    }
}
