package io.carbonstream.connect.common;

import io.carbonstream.schema.IntensityForecast;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One forecast as a feed issues it: what every interval of it shares (its series, the time it was
 * made). Each interval becomes one IntensityForecast record of the issue's source partition and
 * offset.
 */
public record ForecastIssue(
        Map<String, ?> partition,
        Map<String, ?> offset,
        String topic,
        Series series,
        Instant madeAt) {

    /** Whose forecast it is: zone, signal, emission-factor type and source of every interval. */
    public record Series(String zone, String signal, String factor, String source) {}

    /** The record of the interval [from, to) at {@code gPerKwh}. */
    public SourceRecord interval(Instant from, Instant to, double gPerKwh) {
        IntensityForecast f =
                IntensityForecast.newBuilder()
                        .setZone(series.zone())
                        .setValidFrom(from)
                        .setValidTo(to)
                        .setCarbonIntensity(gPerKwh)
                        .setSignal(series.signal())
                        .setEmissionFactorType(series.factor())
                        .setForecastMadeAt(madeAt)
                        .setSource(series.source())
                        .build();
        return IntensityRecords.forecast(partition, offset, topic, f);
    }
}
