package io.carbonstream.connect.carbonintensity;

import io.carbonstream.connect.common.CarbonSourceConnector;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * The UK Carbon Intensity API (NESO, no key) to carbonstream: each half-hour's forecast published as an estimate
 * when the half-hour starts, its actual (national series) as the correction when it arrives, and the half-hours
 * ahead to the forecast topic. Zones: GB for the national series, GB-&lt;regionid&gt; for regions.
 */
public class CarbonIntensityUkSourceConnector extends CarbonSourceConnector {
    static final String KIND = "carbonintensity-uk";

    @Override
    protected List<String> workItems(Map<String, String> props) {
        return new CarbonIntensityUkConfig(props).items();
    }

    @Override
    protected String kind() {
        return KIND;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return CarbonIntensityUkSourceTask.class;
    }

    @Override
    public ConfigDef config() {
        return CarbonIntensityUkConfig.CONFIG_DEF;
    }
}
