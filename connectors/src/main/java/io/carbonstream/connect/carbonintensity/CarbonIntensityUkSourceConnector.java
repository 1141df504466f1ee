package io.carbonstream.connect.carbonintensity;

import io.carbonstream.connect.common.CarbonSourceConnector;

/**
 * The UK Carbon Intensity API (NESO, no key) to carbonstream: each half-hour's forecast published
 * as an estimate when the half-hour starts, its actual (national series) as the correction when it
 * arrives, and the half-hours ahead to the forecast topic. Zones: GB for the national series,
 * GB-&lt;regionid&gt; for regions.
 */
public class CarbonIntensityUkSourceConnector extends CarbonSourceConnector {
    static final String KIND = "carbonintensity-uk";

    public CarbonIntensityUkSourceConnector() {
        super(
                KIND,
                CarbonIntensityUkSourceTask.class,
                CarbonIntensityUkConfig.CONFIG_DEF,
                CarbonIntensityUkConfig::new);
    }
}
