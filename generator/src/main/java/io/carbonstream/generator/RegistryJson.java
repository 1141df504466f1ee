package io.carbonstream.generator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.carbonstream.schema.Datacenter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the fleet's registry in the job's --registry-file format (field names as in
 * Datacenter.avsc).
 */
public final class RegistryJson {

    private RegistryJson() {}

    public static void write(List<Datacenter> registry, Path file) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Datacenter d : registry) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("datacenter_id", d.getDatacenterId());
            m.put("zone", d.getZone());
            m.put("pue", d.getPue());
            m.put("wue_l_per_kwh", d.getWueLPerKwh());
            if (d.getItOverhead() != null) m.put("it_overhead", d.getItOverhead());
            if (d.getEmissionBudgetGPerHour() != null)
                m.put("emission_budget_g_per_hour", d.getEmissionBudgetGPerHour());
            if (d.getMarketFactorGPerKwh() != null)
                m.put("market_factor_g_per_kwh", d.getMarketFactorGPerKwh());
            if (d.getOrganisation() != null) m.put("organisation", d.getOrganisation());
            rows.add(m);
        }
        try {
            Files.write(
                    file,
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsBytes(rows));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the registry file " + file, e);
        }
    }
}
