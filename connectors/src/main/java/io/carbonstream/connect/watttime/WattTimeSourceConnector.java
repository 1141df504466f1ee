package io.carbonstream.connect.watttime;

import io.carbonstream.connect.common.CarbonSourceConnector;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

/**
 * WattTime v3 to carbonstream: the marginal signal (MOER) of each region as IntensityUpdate records with signal
 * "marginal", converted from lbs/MWh to g/kWh, never mixed with the average signal the job prices totals with; its
 * forecast to the forecast topic.
 */
public class WattTimeSourceConnector extends CarbonSourceConnector {
    static final String KIND = "watttime";

    @Override
    protected List<String> workItems(Map<String, String> props) {
        return new WattTimeConfig(props).regions();
    }

    @Override
    protected String kind() {
        return KIND;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return WattTimeSourceTask.class;
    }

    @Override
    public ConfigDef config() {
        return WattTimeConfig.CONFIG_DEF;
    }
}
