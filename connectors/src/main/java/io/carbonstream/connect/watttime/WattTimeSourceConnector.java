package io.carbonstream.connect.watttime;

import io.carbonstream.connect.common.CarbonSourceConnector;

/**
 * WattTime v3 to carbonstream: the marginal signal (MOER) of each region as IntensityUpdate records
 * with signal "marginal", converted from lbs/MWh to g/kWh, never mixed with the average signal the
 * job prices totals with; its forecast to the forecast topic.
 */
public class WattTimeSourceConnector extends CarbonSourceConnector {
    static final String KIND = "watttime";

    public WattTimeSourceConnector() {
        super(KIND, WattTimeSourceTask.class, WattTimeConfig.CONFIG_DEF, WattTimeConfig::new);
    }
}
