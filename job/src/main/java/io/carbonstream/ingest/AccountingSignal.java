package io.carbonstream.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import org.apache.flink.metrics.Counter;

/**
 * Keeps the intensity updates that price accounting totals: the average signal of the configured
 * emission-factor type. Marginal values (what one more kWh emits) never enter location-based
 * totals, and one factor type is never mixed with the other in a zone's timeline; the others are
 * counted ({@code intensityUpdatesNotForAccounting}) and go no further. On the forecasts input
 * ({@link #forForecasts}) the same rule keeps the forecasts the early warning compares with those
 * totals' intensity; the others are counted in {@code forecastsNotUsed}. {@link #forAlternative}
 * keeps the average signal of the other factor type, which prices only the alternative figure of
 * each aggregate (its own timelines: the two types never meet in one).
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

    /**
     * The average-signal updates of the factor type that is not the accounting one (they were
     * counted by the accounting filter already: this one counts nothing).
     */
    public static AccountingSignal forAlternative(String accountingFactorType) {
        return new AccountingSignal(otherFactorType(accountingFactorType), null);
    }

    /** lifecycle for direct, direct for lifecycle: the two types an intensity update can carry. */
    public static String otherFactorType(String factorType) {
        return "direct".equalsIgnoreCase(factorType) ? "lifecycle" : "direct";
    }

    /** The filter of the forecasts input. */
    public static AccountingSignal forForecasts(String emissionFactorType) {
        return new AccountingSignal(emissionFactorType, "forecastsNotUsed");
    }

    @Override
    public void open(OpenContext ctx) {
        if (counter != null)
            skipped =
                    getRuntimeContext().getMetricGroup().addGroup("carbonstream").counter(counter);
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
        boolean keep =
                "average".equalsIgnoreCase(signal)
                        && emissionFactorType.equalsIgnoreCase(factorType);
        if (!keep && skipped != null) skipped.inc();
        return keep;
    }
}
