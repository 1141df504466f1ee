package io.carbonstream.intensity;

import io.carbonstream.ingest.ControlEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Keeps the intensity updates that price accounting totals: the average signal of the configured
 * emission-factor type. Marginal values (what one more kWh emits) never enter location-based
 * totals, and one factor type is never mixed with the other in a zone's timeline; the others are
 * counted ({@code intensityUpdatesNotForAccounting}) and go no further. On the forecasts input
 * ({@link #forForecasts}) the same rule keeps the forecasts the early warning compares with those
 * totals' intensity; the others are counted in {@code forecastsNotUsed}.
 */
public class AccountingSignal extends RichFilterFunction<ControlEvent> {

    private final String emissionFactorType;
    private final String counter;
    private transient Counter skipped;

    public AccountingSignal(String emissionFactorType) {
        this(emissionFactorType, "intensityUpdatesNotForAccounting");
    }

    private AccountingSignal(String emissionFactorType, String counter) {
        this.emissionFactorType = emissionFactorType;
        this.counter = counter;
    }

    /** The filter of the forecasts input. */
    public static AccountingSignal forForecasts(String emissionFactorType) {
        return new AccountingSignal(emissionFactorType, "forecastsNotUsed");
    }

    @Override
    public void open(OpenContext ctx) {
        skipped = getRuntimeContext().getMetricGroup().addGroup("carbonstream").counter(counter);
    }

    @Override
    public boolean filter(ControlEvent e) {
        String signal;
        String factorType;
        if (e.intensity != null) {
            signal = e.intensity.signal;
            factorType = e.intensity.emissionFactorType;
        } else if (e.forecast != null) {
            signal = e.forecast.signal();
            factorType = e.forecast.emissionFactorType();
        } else {
            return true;
        }
        boolean keep = "average".equalsIgnoreCase(signal) && emissionFactorType.equalsIgnoreCase(factorType);
        if (!keep) skipped.inc();
        return keep;
    }
}
