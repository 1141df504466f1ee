package io.carbonstream.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbonstream.schema.IntensityUpdate;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * The intensity replay: the recorded day comes out as the fixture says (read here with plain
 * Jackson, not through the connector's mapping), moved onto the simulated clock by whole days, each
 * version at its update time; the generator publishes it instead of its own values for the zone and
 * nothing else changes. The demo's option and view: IntensityReplayDemoTest in the demo module.
 */
class IntensityReplayTest {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;

    /** One version as the fixture file has it. */
    record Expected(
            long datetime, double value, boolean estimated, String method, long updatedAt) {}

    /**
     * Every distinct version (datetime, updatedAt) of the recording, read from the file without the
     * connector's code.
     */
    static Map<String, Expected> fixture() throws Exception {
        JsonNode root;
        try (InputStream in =
                IntensityReplayTest.class.getResourceAsStream(
                        IntensityReplay.Feed.ELECTRICITY_MAPS.resource())) {
            root = new ObjectMapper().readTree(in);
        }
        assertThat(root.path("_comment").asText())
                .contains("HAND-WRITTEN")
                .contains("NOT real data");
        Map<String, Expected> out = new LinkedHashMap<>();
        for (JsonNode exchange : root.path("exchanges")) {
            JsonNode response = exchange.path("response");
            List<JsonNode> points = new ArrayList<>();
            if (response.has("data")) response.path("data").forEach(points::add);
            else points.add(response);
            for (JsonNode p : points) {
                long datetime = Instant.parse(p.path("datetime").asText()).toEpochMilli();
                long updatedAt = Instant.parse(p.path("updatedAt").asText()).toEpochMilli();
                JsonNode method = p.get("estimationMethod");
                out.putIfAbsent(
                        datetime + "@" + updatedAt,
                        new Expected(
                                datetime,
                                p.path("carbonIntensity").asDouble(),
                                p.path("isEstimated").asBoolean(),
                                method == null || method.isNull() ? null : method.asText(),
                                updatedAt));
            }
        }
        return out;
    }

    @Test
    void replaysTheRecordedValuesWithSourceEstimatedFlagAndUpdateTimeOnTheSimulatedClock()
            throws Exception {
        Map<String, Expected> fixture = fixture();
        long recordedDay =
                fixture.values().stream().mapToLong(Expected::datetime).min().orElseThrow()
                        / DAY
                        * DAY;
        IntensityReplay replay = IntensityReplay.load(IntensityReplay.Feed.ELECTRICITY_MAPS);
        assertThat(replay.zone()).isEqualTo("DE");
        assertThat(replay.recordedDay().toEpochMilli()).isEqualTo(recordedDay);

        // A run starting half past five, a year later: day 0 from 05:00 on, day 1 whole.
        long start = Instant.parse("2026-11-20T05:30:00Z").toEpochMilli();
        long day0 = start / DAY * DAY;
        List<GeneratedRecord> got = new ArrayList<>();
        Iterator<GeneratedRecord> it = replay.records(start);
        for (GeneratedRecord r = it.next();
                r.publishAtMs() < day0 + 2 * DAY + 3 * HOUR;
                r = it.next()) got.add(r);

        Map<String, Expected> expected = new LinkedHashMap<>();
        for (int k = 0; k < 2; k++) {
            long shift = day0 + k * DAY - recordedDay;
            for (Expected e : fixture.values()) {
                if (e.datetime() + shift < start / HOUR * HOUR) continue;
                expected.put(
                        (e.datetime() + shift) + "@" + (e.updatedAt() + shift),
                        new Expected(
                                e.datetime() + shift,
                                e.value(),
                                e.estimated(),
                                e.method(),
                                e.updatedAt() + shift));
            }
        }
        List<GeneratedRecord> firstTwoDays =
                got.stream()
                        .filter(r -> r.intensity().getValidFrom().toEpochMilli() < day0 + 2 * DAY)
                        .toList();
        Map<String, Expected> actual = new LinkedHashMap<>();
        for (GeneratedRecord r : firstTwoDays) {
            IntensityUpdate u = r.intensity();
            assertThat(r.kind()).isEqualTo(GeneratedRecord.Kind.INTENSITY);
            assertThat(r.key()).isEqualTo("DE");
            assertThat(u.getZone()).isEqualTo("DE");
            assertThat(u.getSource()).isEqualTo("electricitymaps");
            assertThat(u.getSignal()).isEqualTo("average");
            assertThat(u.getEmissionFactorType()).isEqualTo("lifecycle");
            assertThat(u.getMarginalIntensity()).isNull();
            long validFrom = u.getValidFrom().toEpochMilli();
            long updatedAt = u.getUpdatedAt().toEpochMilli();
            // Published when the source made it, never before its hour nor before the run.
            assertThat(r.publishAtMs()).isEqualTo(Math.max(start, Math.max(validFrom, updatedAt)));
            assertThat(
                            actual.put(
                                    validFrom + "@" + updatedAt,
                                    new Expected(
                                            validFrom,
                                            u.getCarbonIntensity(),
                                            u.getEstimated(),
                                            u.getEstimationMethod(),
                                            updatedAt)))
                    .as("once")
                    .isNull();
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(got).extracting(GeneratedRecord::publishAtMs).isSorted();

        // The hour-of-day shape is the recording's, and every hour from the run's first on is
        // there, each day.
        assertThat(firstTwoDays)
                .extracting(
                        r -> Math.floorMod(r.intensity().getValidFrom().toEpochMilli(), DAY) % HOUR)
                .containsOnly(0L);
        assertThat(
                        firstTwoDays.stream()
                                .map(r -> r.intensity().getValidFrom().toEpochMilli())
                                .distinct()
                                .count())
                .isEqualTo(19 + 24);

        // Each hour: an estimate, then its measured value with a later update time, published
        // later.
        long corrections = 0;
        for (long h = start / HOUR * HOUR; h < day0 + 2 * DAY; h += HOUR) {
            long hour = h;
            List<IntensityUpdate> versions =
                    firstTwoDays.stream()
                            .map(GeneratedRecord::intensity)
                            .filter(u -> u.getValidFrom().toEpochMilli() == hour)
                            .toList();
            assertThat(versions).as(Instant.ofEpochMilli(h).toString()).hasSize(2);
            assertThat(versions.get(0).getEstimated()).isTrue();
            assertThat(versions.get(0).getEstimationMethod()).isNotNull();
            assertThat(versions.get(1).getEstimated()).isFalse();
            assertThat(versions.get(1).getUpdatedAt()).isAfter(versions.get(0).getUpdatedAt());
            if (!Objects.equals(
                    versions.get(0).getCarbonIntensity(), versions.get(1).getCarbonIntensity()))
                corrections++;
        }
        assertThat(corrections).isEqualTo(19 + 24);
    }

    @Test
    void theGeneratorPublishesTheReplayInsteadOfItsZonesSimulatedValuesAndNothingElseChanges() {
        Instant start = Instant.parse("2026-11-20T00:00:00Z");
        GeneratorSettings s =
                GeneratorSettings.of(7, start, 2); // 20,000 requests: about three simulated hours
        IntensityReplay replay = IntensityReplay.load(IntensityReplay.Feed.ELECTRICITY_MAPS);
        List<GeneratedRecord> plain =
                new TrafficGenerator(s).records(20_000, Duration.ofMinutes(30));
        List<GeneratedRecord> replayed =
                new TrafficGenerator(s, replay).records(20_000, Duration.ofMinutes(30));

        assertThat(replayed).extracting(GeneratedRecord::publishAtMs).isSorted();
        assertThat(ids(replayed, false)).isEqualTo(ids(plain, false));
        assertThat(ids(replayed, true)).isEqualTo(ids(plain, true));

        List<GeneratedRecord> de =
                replayed.stream().filter(r -> !r.isRequest() && r.key().equals("DE")).toList();
        assertThat(de).isNotEmpty();
        Iterator<GeneratedRecord> alone = replay.records(start.toEpochMilli());
        for (GeneratedRecord r : de) {
            GeneratedRecord x = alone.next();
            assertThat(r.publishAtMs()).isEqualTo(x.publishAtMs());
            assertThat(r.intensity()).isEqualTo(x.intensity());
        }
        // The run covers more than an hour: at least one estimate and its correction went out.
        assertThat(de).anyMatch(r -> r.intensity().getEstimated());
        assertThat(de).anyMatch(r -> !r.intensity().getEstimated());
    }

    /**
     * Requests (by id), or intensity updates of zones other than DE (zone, valid_from, value,
     * publish time).
     */
    private static List<String> ids(List<GeneratedRecord> rs, boolean intensity) {
        return rs.stream()
                .filter(r -> intensity ? !r.isRequest() && !r.key().equals("DE") : r.isRequest())
                .map(
                        r ->
                                intensity
                                        ? r.key()
                                                + "|"
                                                + r.intensity().getValidFrom()
                                                + "|"
                                                + r.intensity().getCarbonIntensity()
                                                + "|"
                                                + r.publishAtMs()
                                        : r.key() + "|" + r.publishAtMs())
                .toList();
    }
}
