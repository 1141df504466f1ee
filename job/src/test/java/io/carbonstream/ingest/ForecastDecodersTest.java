package io.carbonstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The forecasts topic: a valid forecast, or a dead letter with its reason, bytes and coordinates.
 */
class ForecastDecodersTest {

    static final long NOW = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
    static final long H = 3_600_000;
    final Decoders.Forecasts forecasts = new Decoders.Forecasts(Limits.defaults());

    static IntensityForecast.Builder valid() {
        return IntensityForecast.newBuilder()
                .setZone("DE")
                .setValidFrom(Instant.ofEpochMilli(NOW + H))
                .setValidTo(Instant.ofEpochMilli(NOW + 2 * H))
                .setCarbonIntensity(350)
                .setForecastMadeAt(Instant.ofEpochMilli(NOW - 60_000))
                .setSource("electricitymaps");
    }

    ControlEvent decode(byte[] value) {
        return forecasts.decode(
                new ConsumerRecord<>(
                        "carbonstream.forecasts",
                        0,
                        42L,
                        "DE|average|lifecycle|1".getBytes(StandardCharsets.UTF_8),
                        value),
                NOW);
    }

    Reason reason(IntensityForecast f) {
        ControlEvent e = decode(AvroCodec.encodeOne(f));
        return e.rejected == null ? null : e.rejected.reason;
    }

    @Test
    void aValidForecastDecodes() {
        ControlEvent e =
                decode(
                        AvroCodec.encodeOne(
                                valid().setSignal("marginal")
                                        .setEmissionFactorType("direct")
                                        .build()));
        assertThat(e.rejected).isNull();
        assertThat(e.intensity)
                .isNull(); // never an intensity update: forecasts cannot reach pricing
        assertThat(e.forecast)
                .isEqualTo(
                        new ForecastReading(
                                "DE",
                                NOW + H,
                                NOW + 2 * H,
                                350.0,
                                "marginal",
                                "direct",
                                NOW - 60_000,
                                "electricitymaps"));
    }

    @Test
    void everyKindOfBadForecastGetsItsReasonAndKeepsItsBytes() {
        byte[] good = AvroCodec.encodeOne(valid().build());
        ControlEvent truncated = decode(Arrays.copyOf(good, good.length - 2));
        assertThat(truncated.rejected.reason).isEqualTo(Reason.UNDECODABLE);
        assertThat(truncated.rejected.sourceTopic).isEqualTo("carbonstream.forecasts");
        assertThat(truncated.rejected.sourceOffset).isEqualTo(42L);
        assertThat(truncated.rejected.value).hasSize(good.length - 2);
        assertThat(decode(null).rejected.reason).isEqualTo(Reason.NULL_VALUE);
        // An intensity update on the forecasts topic is not a forecast.
        assertThat(
                        decode(
                                        AvroCodec.encodeOne(
                                                IntensityUpdate.newBuilder()
                                                        .setZone("DE")
                                                        .setValidFrom(Instant.ofEpochMilli(NOW))
                                                        .setCarbonIntensity(300)
                                                        .build()))
                                .rejected)
                .isNotNull();

        assertThat(reason(valid().setZone("").build())).isEqualTo(Reason.MISSING_FIELD);
        assertThat(reason(valid().setZone("Z".repeat(300)).build()))
                .isEqualTo(Reason.OVERSIZED_STRING);
        assertThat(reason(valid().setCarbonIntensity(-1).build())).isEqualTo(Reason.INVALID_VALUE);
        assertThat(reason(valid().setCarbonIntensity(Double.NaN).build()))
                .isEqualTo(Reason.INVALID_VALUE);
        assertThat(reason(valid().setCarbonIntensity(4_000).build()))
                .isEqualTo(Reason.ABSURD_VALUE);
        assertThat(reason(valid().setValidTo(Instant.ofEpochMilli(NOW + H)).build()))
                .isEqualTo(Reason.INVALID_INTERVAL);
        assertThat(reason(valid().setValidTo(Instant.ofEpochMilli(NOW + 30 * H)).build()))
                .isEqualTo(Reason.INVALID_INTERVAL);
        assertThat(
                        reason(
                                valid().setValidFrom(Instant.ofEpochMilli(NOW + 15 * 24 * H))
                                        .setValidTo(Instant.ofEpochMilli(NOW + 15 * 24 * H + H))
                                        .build()))
                .isEqualTo(Reason.FORECAST_TOO_FAR_AHEAD);
        assertThat(reason(valid().setForecastMadeAt(Instant.ofEpochMilli(NOW + H)).build()))
                .isEqualTo(Reason.EVENT_TIME_IN_FUTURE);
        assertThat(
                        reason(
                                valid().setValidFrom(Instant.parse("2019-06-01T00:00:00Z"))
                                        .setValidTo(Instant.parse("2019-06-01T01:00:00Z"))
                                        .setForecastMadeAt(Instant.parse("2019-05-31T00:00:00Z"))
                                        .build()))
                .isEqualTo(Reason.EVENT_TIME_BEFORE_FLOOR);
        // A forecast for a time already past (a late delivery) is no error: it simply informs
        // nothing ahead.
        assertThat(
                        reason(
                                valid().setValidFrom(Instant.ofEpochMilli(NOW - 3 * H))
                                        .setValidTo(Instant.ofEpochMilli(NOW - 2 * H))
                                        .setForecastMadeAt(Instant.ofEpochMilli(NOW - 4 * H))
                                        .build()))
                .isNull();
    }
}
