package io.carbonstream.connect.electricitymaps;

import io.carbonstream.connect.common.CarbonSourceConnector;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * Electricity Maps API v3 to carbonstream: /v3/carbon-intensity/latest polled, /past-range refetched at set ages
 * (restatements flow in as corrections), /forecast to the forecast topic. Zones are spread over the tasks.
 */
public class ElectricityMapsSourceConnector extends CarbonSourceConnector {
    static final String KIND = "electricitymaps";

    @Override
    protected List<String> workItems(Map<String, String> props) {
        return new ElectricityMapsConfig(props).zones();
    }

    @Override
    protected String kind() {
        return KIND;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return ElectricityMapsSourceTask.class;
    }

    @Override
    public ConfigDef config() {
        return ElectricityMapsConfig.CONFIG_DEF;
    }
}
