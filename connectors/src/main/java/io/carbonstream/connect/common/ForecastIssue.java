package io.carbonstream.connect.common;

import io.carbonstream.schema.IntensityForecast;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * One forecast as a feed issues it: what every interval of it shares (zone, signal, factor type,
 * source, the time it was made). Each interval becomes one IntensityForecast record of the issue's
 * source partition and offset.
 */
public record ForecastIssue(
        Map<String, ?> partition,
        Map<String, ?> offset,
        String topic,
        String zone,
        String signal,
        String factor,
        String source,
        Instant madeAt) {

    /** The record of the interval [from, to) at {@code gPerKwh}. */
    public SourceRecord interval(Instant from, Instant to, double gPerKwh) {
        IntensityForecast f =
                IntensityForecast.newBuilder()
                        .setZone(zone)
                        .setValidFrom(from)
                        .setValidTo(to)
                        .setCarbonIntensity(gPerKwh)
                        .setSignal(signal)
                        .setEmissionFactorType(factor)
                        .setForecastMadeAt(madeAt)
                        .setSource(source)
                        .build();
        return IntensityRecords.forecast(partition, offset, topic, f);
    }
}
