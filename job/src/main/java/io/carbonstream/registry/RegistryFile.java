package io.carbonstream.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the datacenter registry file: a JSON array of profiles, field names as in Datacenter.avsc.
 */
public final class RegistryFile {

    private RegistryFile() {}

    /** The datacenters of the file; one may be listed once per effective_from (its versions). */
    public static Map<String, DatacenterHistory> read(Path file) {
        List<DatacenterProfile> list;
        try {
            list =
                    new ObjectMapper()
                            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                            .readValue(
                                    Files.readAllBytes(file),
                                    new TypeReference<List<DatacenterProfile>>() {});
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Registry file "
                            + file
                            + " is not a JSON array of datacenters (fields: datacenter_id, zone,"
                            + " pue, wue_l_per_kwh, optional it_overhead,"
                            + " emission_budget_g_per_hour, market_factor_g_per_kwh, effective_from"
                            + " as an ISO-8601 instant): "
                            + e.getMessage(),
                    e);
        }
        Map<String, DatacenterHistory> byId = new LinkedHashMap<>();
        for (DatacenterProfile p : list) {
            String problem = p.problem();
            if (problem != null) {
                throw new IllegalArgumentException(
                        "Registry file "
                                + file
                                + ": datacenter "
                                + p.datacenterId
                                + ": "
                                + problem);
            }
            DatacenterHistory h =
                    byId.computeIfAbsent(p.datacenterId, id -> new DatacenterHistory());
            int before = h.size();
            h.upsert(p);
            if (h.size() == before) {
                throw new IllegalArgumentException(
                        "Registry file "
                                + file
                                + " lists datacenter "
                                + p.datacenterId
                                + " twice with the same effective_from");
            }
        }
        return byId;
    }
}
