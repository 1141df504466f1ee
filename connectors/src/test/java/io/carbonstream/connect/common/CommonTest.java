package io.carbonstream.connect.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbonstream.schema.IntensityUpdate;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CommonTest {

    @Test
    void durationsReadShortAndIsoFormsAndNameRefetchAgesStably() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("48h")).isEqualTo(Duration.ofHours(48));
        assertThat(Durations.parse("90d")).isEqualTo(Duration.ofDays(90));
        assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("P7D")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.format(Durations.parse("2d"))).isEqualTo("48h");
        assertThat(Durations.format(Durations.parse("168h"))).isEqualTo("7d");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
    }

    @Test
    void retryAfterIsDeltaSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-11-30T10:00:00Z");
        assertThat(HttpJson.parseRetryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(HttpJson.parseRetryAfter(" 0 ", now)).isEqualTo(Duration.ZERO);
        assertThat(HttpJson.parseRetryAfter("Mon, 30 Nov 2026 10:05:00 GMT", now))
                .isEqualTo(Duration.ofMinutes(5));
        assertThat(HttpJson.parseRetryAfter("Mon, 30 Nov 2026 09:00:00 GMT", now))
                .as("a date in the past")
                .isEqualTo(Duration.ZERO);
        assertThat(HttpJson.parseRetryAfter("tomorrow", now)).isNull();
        assertThat(HttpJson.parseRetryAfter("-5", now)).isNull();
    }

    @Test
    void backoffDoublesWithEqualJitterUpToTheMaximumAndHonoursACappedRetryAfter() {
        Backoff b =
                new Backoff(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(60),
                        Duration.ofMinutes(10),
                        new Random(1));
        for (int i = 0; i < 200; i++) {
            assertThat(b.delay(1, null)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
            assertThat(b.delay(3, null)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
            assertThat(b.delay(30, null)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
        }
        assertThat(b.delay(1, Duration.ofSeconds(90))).isEqualTo(Duration.ofSeconds(90));
        assertThat(b.delay(1, Duration.ofDays(2)))
                .as("a Retry-After beyond retry.after.max")
                .isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void theWireFormatIsPlainAvroBinaryWithoutAHeader() throws Exception {
        IntensityUpdate u =
                IntensityUpdate.newBuilder()
                        .setZone("DE")
                        .setValidFrom(Instant.parse("2026-11-30T10:00:00Z"))
                        .setCarbonIntensity(302)
                        .setMarginalIntensity(null)
                        .setEstimated(true)
                        .setSource("electricitymaps")
                        .setEmissionFactorType("lifecycle")
                        .setSignal("average")
                        .setEstimationMethod("TIME_SLICER_AVERAGE")
                        .setUpdatedAt(Instant.parse("2026-11-30T10:04:12Z"))
                        .build();
        byte[] bytes = AvroWire.encode(u);
        assertThat(AvroWire.decode(bytes, IntensityUpdate.class)).isEqualTo(u);
        // Plain binary starts with the zone: length 2 (zig-zag 4), 'D', 'E'; single-object encoding
        // starts C3 01.
        assertThat(bytes).startsWith(4, 'D', 'E');
        ByteBuffer singleObject = u.toByteBuffer();
        assertThat(singleObject.get(0)).isEqualTo((byte) 0xC3);
        assertThat(bytes.length).isLessThan(singleObject.remaining());
    }

    @Test
    void theRedactorMasksEverySecretItKnows() {
        Redactor r = new Redactor();
        r.add("s3cr3t-token");
        r.add("abc"); // too short to mask safely: ignored
        assertThat(r.redact("header auth-token: s3cr3t-token, again s3cr3t-token"))
                .isEqualTo("header auth-token: [redacted], again [redacted]");
        assertThat(r.redact("abc")).isEqualTo("abc");
    }
}
