package io.carbonstream.ingest;

/**
 * One decoded intensity forecast (IntensityForecast): a zone's expected intensity, gCO2e/kWh, over
 * [validFrom, validTo), as the source saw it at {@code madeAt}, from which on (event time) the job
 * may use it. Informs early warnings only; never prices a total. Immutable; a Flink POJO (record).
 *
 * @param signal average or marginal
 * @param emissionFactorType lifecycle or direct
 */
public record ForecastReading(
        String zone,
        long validFrom,
        long validTo,
        double gPerKwh,
        String signal,
        String emissionFactorType,
        long madeAt,
        String source) {

    /** An average, lifecycle forecast of an unnamed source. */
    public ForecastReading(String zone, long validFrom, long validTo, double gPerKwh, long madeAt) {
        this(zone, validFrom, validTo, gPerKwh, "average", "lifecycle", madeAt, "unknown");
    }
}
