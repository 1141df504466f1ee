package io.carbonstream.intensity;

import io.carbonstream.ingest.ControlEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Keeps the intensity updates that price accounting totals: the average signal of the configured
 * emission-factor type. Marginal values (what one more kWh emits) never enter location-based
 * totals, and one factor type is never mixed with the other in a zone's timeline; the others are
 * counted ({@code intensityUpdatesNotForAccounting}) and go no further.
 */
public class AccountingSignal extends RichFilterFunction<ControlEvent> {

    private final String emissionFactorType;
    private transient Counter skipped;

    public AccountingSignal(String emissionFactorType) {
        this.emissionFactorType = emissionFactorType;
    }

    @Override
    public void open(OpenContext ctx) {
        skipped = getRuntimeContext().getMetricGroup().addGroup("carbonstream").counter("intensityUpdatesNotForAccounting");
    }

    @Override
    public boolean filter(ControlEvent e) {
        if (e.intensity == null) return true;
        boolean keep = "average".equalsIgnoreCase(e.intensity.signal) && emissionFactorType.equalsIgnoreCase(e.intensity.emissionFactorType);
        if (!keep) skipped.inc();
        return keep;
    }
}
