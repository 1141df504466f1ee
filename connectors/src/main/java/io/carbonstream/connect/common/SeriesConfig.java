package io.carbonstream.connect.common;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of a connector that polls each region's series from the last point it published and
 * catches up a page at a time (UK Carbon Intensity, WattTime), under its prefix: regions, zone.map,
 * emission.factor.type, poll.interval, lookback, page.
 */
public abstract class SeriesConfig extends CommonConfig {

    private final Map<String, String> zoneMap = new LinkedHashMap<>();

    protected SeriesConfig(ConfigDef def, Map<?, ?> props, String prefix) {
        super(def, props, prefix);
    }

    /**
     * Reads zone.map, entries {@code id=ZONE}; {@code form} names the entries in the error a
     * malformed one raises.
     */
    protected void readZoneMap(String form) {
        String name = key("zone.map");
        for (String e : getList(name)) {
            String[] kv = e.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank())
                throw new ConfigException(name, getList(name), "entries are " + form);
            zoneMap.put(kv[0].trim(), kv[1].trim());
        }
    }

    /** The zone zone.map gives a region, else {@code otherwise}. */
    protected String mappedZone(String region, String otherwise) {
        return zoneMap.getOrDefault(region, otherwise);
    }

    public List<String> regions() {
        return getList(key("regions")).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .distinct()
                .toList();
    }

    public String factorType() {
        return getString(key("emission.factor.type"));
    }

    public Duration pollInterval() {
        return duration(key("poll.interval"));
    }

    public Duration lookback() {
        return duration(key("lookback"));
    }

    public Duration page() {
        return duration(key("page"));
    }
}
