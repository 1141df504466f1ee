package io.carbonstream.connect.electricitymaps;

import io.carbonstream.connect.common.CarbonSourceConnector;

/**
 * Electricity Maps API v3 to carbonstream: /v3/carbon-intensity/latest polled, /past-range
 * refetched at set ages (restatements flow in as corrections), /forecast to the forecast topic.
 * Zones are spread over the tasks.
 */
public class ElectricityMapsSourceConnector extends CarbonSourceConnector {
    static final String KIND = "electricitymaps";

    public ElectricityMapsSourceConnector() {
        super(
                KIND,
                ElectricityMapsSourceTask.class,
                ElectricityMapsConfig.CONFIG_DEF,
                ElectricityMapsConfig::new);
    }
}
