package io.carbonstream.connect.carbonintensity;

import static io.carbonstream.connect.common.TaskHarness.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbonstream.connect.common.FixtureServer;
import io.carbonstream.connect.common.FixtureServer.Response;
import io.carbonstream.connect.common.FixtureTaskTest;
import io.carbonstream.connect.common.TaskHarness;
import io.carbonstream.connect.common.Times;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.source.SourceRecord;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The UK Carbon Intensity task driven through poll() on a fake clock against the fixture server.
 */
class CarbonIntensityUkSourceTaskTest extends FixtureTaskTest<CarbonIntensityUkSourceTask> {
    static final Instant T0 = Instant.parse("2026-11-30T10:10:00Z");

    volatile String national = "national-asof-20261130T1010.json";

    CarbonIntensityUkSourceTaskTest() {
        super(
                T0,
                (clock, sleeper) -> new CarbonIntensityUkSourceTask(clock, sleeper, new Random(3)));
    }

    @BeforeEach
    void setUp() {
        // GET /intensity/{from}/{to} and /regional/intensity/{from}/{to}/regionid/{id}: the
        // half-hours of the
        // current fixture overlapping the range, including the one that ends at {from}, as the API
        // does.
        server.route(
                "/intensity/",
                r -> {
                    String[] p = r.path().split("/");
                    return Response.json(slice("carbonintensity/" + national, p[2], p[3], false));
                });
        server.route(
                "/regional/intensity/",
                r -> {
                    String[] p = r.path().split("/");
                    return Response.json(
                            slice("carbonintensity/regional-" + p[6] + ".json", p[3], p[4], true));
                });
    }

    static String slice(String file, String from, String to, boolean regional) {
        Instant start = Times.parseOrNull(from);
        Instant end = Times.parseOrNull(to);
        return FixtureServer.keepData(
                file,
                doc -> {
                    doc.remove("_comment");
                    return regional ? (ObjectNode) doc.get("data") : doc;
                },
                period ->
                        !Times.parseOrNull(period.get("to").asText()).isBefore(start)
                                && Times.parseOrNull(period.get("from").asText()).isBefore(end));
    }

    Map<String, String> props(String... overrides) {
        return TaskHarness.props(
                Map.of(
                        "carbonintensity.base.url", server.baseUrl(),
                        "carbonintensity.lookback", "2h",
                        "carbonintensity.actual.wait", "2h"),
                overrides);
    }

    /** Region 13 (London) and no national series, with {@code overrides} as in props(). */
    Map<String, String> londonOnly(String... overrides) {
        return TaskHarness.props(
                props("carbonintensity.national", "false", "carbonintensity.regions", "13"),
                overrides);
    }

    static Instant at(String hhmm) {
        return Instant.parse("2026-11-30T" + hhmm + ":00Z");
    }

    static List<SourceRecord> onTopic(List<SourceRecord> records, String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    static List<SourceRecord> intensities(List<SourceRecord> records) {
        return onTopic(records, "carbonstream.intensity");
    }

    /**
     * The updates the records carry are {@code expected}, (valid_from, g/kWh, estimated), in order.
     */
    static void assertUpdates(List<SourceRecord> records, Tuple... expected) {
        assertThat(records).extracting(TaskHarness::updateValue).containsExactly(expected);
    }

    @Test
    void forecastIsTheEstimateAndTheActualItsCorrectionInOrderWithHolesPassedOver()
            throws Exception {
        start(props());
        List<SourceRecord> first = intensities(harness.drain());
        // Actuals in order up to the first half-hour without one (09:30); estimates for the started
        // half-hours without actual.
        assertUpdates(
                first,
                tuple(at("08:30"), 208.0, false),
                tuple(at("09:00"), 214.0, false),
                tuple(at("09:30"), 219.0, true),
                tuple(at("10:00"), 224.0, true));
        IntensityUpdate estimate = update(first.get(2));
        assertThat(estimate.getZone()).isEqualTo("GB");
        assertThat(estimate.getSource()).isEqualTo("carbonintensity.org.uk");
        assertThat(estimate.getSignal()).isEqualTo("average");
        assertThat(estimate.getEmissionFactorType()).isEqualTo("direct");
        assertThat(estimate.getEstimationMethod()).isEqualTo("FORECAST");
        assertThat(estimate.getUpdatedAt()).isEqualTo(T0);
        assertThat(new String((byte[]) first.get(2).key(), StandardCharsets.UTF_8)).isEqualTo("GB");

        // 09:30's actual arrives: published as its correction; 10:30 has started: its estimate.
        harness.runUntil(at("10:40"));
        national = "national-asof-20261130T1040.json";
        assertUpdates(
                intensities(harness.runUntil(at("10:45"))),
                tuple(at("09:30"), 221.0, false),
                tuple(at("10:30"), 229.0, true));
        List<IntensityUpdate> nineThirty =
                intensities(harness.records).stream()
                        .map(TaskHarness::update)
                        .filter(u -> u.getValidFrom().equals(at("09:30")))
                        .toList();
        assertThat(nineThirty)
                .extracting(IntensityUpdate::getEstimated)
                .containsExactly(true, false);
        assertThat(nineThirty.get(1).getUpdatedAt()).isAfter(nineThirty.get(0).getUpdatedAt());
        assertThat(nineThirty).extracting(IntensityUpdate::getZone).containsOnly("GB");

        // Restart: nothing again.
        harness.restart();
        assertThat(intensities(harness.runUntil(at("11:00")))).isEmpty();

        // 13:10: 10:00 never got an actual; more than actual.wait after its end it is passed over
        // (its estimate
        // stands) and the later actuals follow; 12:00 on have no actual yet: estimates.
        clock.set(at("13:10"));
        national = "national-asof-20261130T1310.json";
        assertUpdates(
                intensities(harness.drain()),
                tuple(at("10:30"), 230.0, false),
                tuple(at("11:00"), 226.0, false),
                tuple(at("11:30"), 222.0, false),
                tuple(at("12:00"), 228.0, true),
                tuple(at("12:30"), 225.0, true),
                tuple(at("13:00"), 221.0, true));
        harness.restart();
        assertThat(intensities(harness.drain())).isEmpty();
        assertThat(intensities(harness.records))
                .extracting(r -> tuple(update(r).getValidFrom(), update(r).getEstimated()))
                .doesNotHaveDuplicates();
    }

    @Test
    void halfHoursAheadGoToTheForecastTopicOncePerInterval() throws Exception {
        start(props());
        List<SourceRecord> forecasts = onTopic(harness.drain(), "carbonstream.forecasts");
        List<IntensityForecast> f = forecasts.stream().map(TaskHarness::forecast).toList();
        assertThat(forecasts)
                .extracting(TaskHarness::forecastValue)
                .containsExactly(
                        tuple(at("10:30"), at("11:00"), 228.0),
                        tuple(at("11:00"), at("11:30"), 231.0),
                        tuple(at("11:30"), at("12:00"), 233.0));
        assertThat(f)
                .allSatisfy(
                        x -> {
                            assertThat(x.getZone()).isEqualTo("GB");
                            assertThat(x.getForecastMadeAt()).isEqualTo(T0);
                            assertThat(x.getSource()).isEqualTo("carbonintensity.org.uk");
                        });
        assertThat(new String((byte[]) forecasts.get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo("GB|average|direct|" + at("10:30").toEpochMilli());
        assertThat(intensities(harness.records))
                .allSatisfy(r -> assertThat(update(r).getValidFrom()).isBeforeOrEqualTo(T0));
        List<FixtureServer.Request> asked =
                server.requests.stream()
                        .filter(r -> r.path().endsWith("/2026-12-02T10:10Z"))
                        .toList();
        assertThat(asked).as("the forecast asks 48 h ahead").hasSize(1);

        // Within the interval (1 h), and after a restart within it, no second batch.
        harness.runUntil(at("10:50"));
        harness.restart();
        harness.runUntil(at("11:05"));
        assertThat(onTopic(harness.records, "carbonstream.forecasts")).hasSize(3);
        // One interval after the first (11:10): a new batch, of the half-hours after 11:10 (the
        // fixture ends at 12:00).
        List<SourceRecord> next = onTopic(harness.runUntil(at("11:15")), "carbonstream.forecasts");
        assertThat(next)
                .extracting(TaskHarness::forecast)
                .extracting(IntensityForecast::getValidFrom, IntensityForecast::getForecastMadeAt)
                .containsExactly(tuple(at("11:30"), at("11:10")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void regionsAreZonesGbDashIdOrMappedAndStayEstimates() throws Exception {
        start(londonOnly("carbonintensity.forecast.enabled", "false"));
        List<SourceRecord> out = harness.drain();
        assertThat(out)
                .extracting(
                        r ->
                                tuple(
                                        update(r).getZone(),
                                        update(r).getValidFrom(),
                                        update(r).getCarbonIntensity(),
                                        update(r).getEstimated()))
                .containsExactly(
                        tuple("GB-13", at("09:30"), 180.0, true),
                        tuple("GB-13", at("10:00"), 184.0, true));
        assertThat(server.requests.get(0).path())
                .isEqualTo("/regional/intensity/2026-11-30T08:10Z/2026-11-30T10:40Z/regionid/13");
        assertThat((Map<String, Object>) (Map<String, ?>) out.get(0).sourcePartition())
                .containsEntry("zone", "GB-13")
                .containsEntry("endpoint", "regional");
        harness.stop();

        start(londonOnly("carbonintensity.zone.map", "13=GB-LONDON"));
        assertThat(intensities(harness.drain()))
                .extracting(r -> update(r).getZone())
                .containsOnly("GB-LONDON");
    }

    @Test
    void aServerErrorIsRetriedAndTheTaskGoesOn() throws Exception {
        start(props("carbonintensity.forecast.enabled", "false"));
        server.failNext("/intensity/", Response.status(500, "<html>Internal Server Error</html>"));
        assertThat(harness.poll()).isEmpty();
        harness.runUntil(T0.plusSeconds(30));
        assertThat(harness.records).hasSize(4);
        assertThat(harness.task().metrics().retries()).isEqualTo(1);
    }
}
