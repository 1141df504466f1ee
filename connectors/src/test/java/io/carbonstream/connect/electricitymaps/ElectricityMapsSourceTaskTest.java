package io.carbonstream.connect.electricitymaps;

import static io.carbonstream.connect.common.TaskHarness.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.carbonstream.connect.common.FixtureServer;
import io.carbonstream.connect.common.FixtureServer.Response;
import io.carbonstream.connect.common.FixtureTaskTest;
import io.carbonstream.connect.common.TaskHarness;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Electricity Maps task driven through poll() on a fake clock against the fixture server. */
class ElectricityMapsSourceTaskTest extends FixtureTaskTest<ElectricityMapsSourceTask> {
    static final String TOKEN = "em-test-token-3f9c2a71d8";
    static final Instant T0 = Instant.parse("2026-11-30T10:20:00Z");

    FakeElectricityMaps em;

    ElectricityMapsSourceTaskTest() {
        super(T0, (clock, sleeper) -> new ElectricityMapsSourceTask(clock, sleeper, new Random(7)));
    }

    @BeforeEach
    void setUp() {
        em = new FakeElectricityMaps(server, TOKEN).latest("latest-1000.json");
        em.forecast = "forecast-1000.json";
    }

    @Override
    protected void afterStop() {
        // The token reaches the server in its header and nothing else: no log line, no exception
        // message.
        assertThat(logs.lines).isNotEmpty();
        assertThat(logs.containing(TOKEN)).isEmpty();
    }

    Map<String, String> props(String... overrides) {
        return TaskHarness.props(
                Map.of(
                        "electricitymaps.api.token", TOKEN,
                        "electricitymaps.base.url", server.baseUrl(),
                        "electricitymaps.zones", "DE",
                        "electricitymaps.emission.factor.types", "lifecycle",
                        "electricitymaps.forecast.enabled", "false"),
                overrides);
    }

    static Instant at(String t) {
        return Instant.parse(t);
    }

    @Test
    @SuppressWarnings("unchecked")
    void estimateThenCorrectionsFromTheClosingLookAndEachRefetchAgeOnceEach() throws Exception {
        start(props("electricitymaps.refetch.ages", "48h,7d"));
        em.pastRange("past-range-asof-20261130T1330.json");

        harness.runUntil(at("2026-11-30T11:05:00Z"));
        em.latest("latest-1100.json");
        harness.runUntil(at("2026-11-30T16:00:00Z"));

        // Live: what latest showed (10:00, 11:00 estimates), then each datetime's closing look 3 h
        // after it: 08:00
        // (before the first start), 10:00 and 11:00 measured, 12:00 (latest never showed it), 09:00
        // absent (a gap).
        assertThat(harness.records)
                .extracting(TaskHarness::updateValue)
                .containsExactly(
                        tuple(at("2026-11-30T10:00:00Z"), 302.0, true),
                        tuple(at("2026-11-30T11:00:00Z"), 315.0, true),
                        tuple(at("2026-11-30T08:00:00Z"), 284.0, false),
                        tuple(at("2026-11-30T10:00:00Z"), 298.0, false),
                        tuple(at("2026-11-30T11:00:00Z"), 316.0, false),
                        tuple(at("2026-11-30T12:00:00Z"), 320.0, true));
        SourceRecord first = harness.records.get(0);
        IntensityUpdate estimate = update(first);
        assertThat(first.topic()).isEqualTo("carbonstream.intensity");
        assertThat(new String((byte[]) first.key(), StandardCharsets.UTF_8)).isEqualTo("DE");
        assertThat(estimate.getZone()).isEqualTo("DE");
        assertThat(estimate.getSource()).isEqualTo("electricitymaps");
        assertThat(estimate.getSignal()).isEqualTo("average");
        assertThat(estimate.getEmissionFactorType()).isEqualTo("lifecycle");
        assertThat(estimate.getEstimationMethod()).isEqualTo("TIME_SLICER_AVERAGE");
        assertThat(estimate.getUpdatedAt()).isEqualTo(at("2026-11-30T10:04:12Z"));
        assertThat(estimate.getMarginalIntensity()).isNull();
        assertThat(update(harness.records.get(3)).getUpdatedAt())
                .isEqualTo(at("2026-11-30T10:52:00Z"));
        assertThat(update(harness.records.get(3)).getEstimationMethod()).isNull();
        assertThat(first.sourcePartition())
                .isEqualTo(
                        Map.of(
                                "connector",
                                "electricitymaps",
                                "zone",
                                "DE",
                                "signal",
                                "average",
                                "factor",
                                "lifecycle",
                                "endpoint",
                                "latest"));
        assertThat(harness.task().metrics().invalidPoints())
                .as("13:00 has no value")
                .isZero(); // not looked at yet

        // A restart repeats nothing: the live offset names what was published and which datetimes
        // are closed.
        harness.restart();
        assertThat(harness.runUntil(at("2026-11-30T17:00:00Z"))).isEmpty();

        // Two days on, 10:00 was restated (on 12-01 03:12): the +48h stage publishes it, nothing
        // else.
        clock.set(at("2026-12-02T12:00:00Z"));
        em.pastRange("past-range-asof-20261202T1200.json");
        List<SourceRecord> twoDays = harness.drain();
        assertThat(twoDays).hasSize(1);
        assertThat(update(twoDays.get(0)).getCarbonIntensity()).isEqualTo(291.0);
        assertThat((Map<String, Object>) twoDays.get(0).sourcePartition())
                .containsEntry("endpoint", "past-range")
                .containsEntry("age", "48h");
        assertThat(twoDays.get(0).sourceOffset())
                .isEqualTo(
                        Map.of(
                                "valid_from",
                                at("2026-11-30T10:00:00Z").toEpochMilli(),
                                "updated_at",
                                at("2026-12-01T03:12:00Z").toEpochMilli()));

        // A week on, restated again (12-06 09:30): the +7d stage; the +48h stage does not look at
        // 10:00 again.
        clock.set(at("2026-12-08T12:00:00Z"));
        em.pastRange("past-range-asof-20261208T1200.json");
        List<SourceRecord> week = harness.drain();
        assertThat(week).hasSize(1);
        assertThat(update(week.get(0)).getCarbonIntensity()).isEqualTo(293.0);
        assertThat((Map<String, Object>) week.get(0).sourcePartition()).containsEntry("age", "7d");

        // 10:00 as the topic holds it: the estimate, then each correction, same zone and
        // valid_from, later updated_at.
        List<IntensityUpdate> tenOClock =
                harness.records.stream()
                        .map(TaskHarness::update)
                        .filter(u -> u.getValidFrom().equals(at("2026-11-30T10:00:00Z")))
                        .toList();
        assertThat(tenOClock)
                .extracting(IntensityUpdate::getCarbonIntensity)
                .containsExactly(302.0, 298.0, 291.0, 293.0);
        assertThat(tenOClock)
                .extracting(IntensityUpdate::getUpdatedAt)
                .isSorted()
                .doesNotHaveDuplicates();
        assertThat(tenOClock)
                .allSatisfy(
                        u -> {
                            assertThat(u.getZone()).isEqualTo("DE");
                            assertThat(u.getSource()).isEqualTo("electricitymaps");
                        });

        // And a last restart: still nothing twice.
        harness.restart();
        assertThat(harness.drain()).isEmpty();
        assertThat(harness.records)
                .extracting(r -> tuple(update(r).getValidFrom(), update(r).getUpdatedAt()))
                .doesNotHaveDuplicates();
    }

    @Test
    void bothEmissionFactorTypesWithTheirParameterAndTheForecastOnItsOwnTopic() throws Exception {
        em.latest.put("direct", "latest-1000-direct.json");
        start(
                props(
                        "electricitymaps.emission.factor.types",
                        "lifecycle,direct",
                        "electricitymaps.forecast.enabled",
                        "true",
                        "electricitymaps.refetch.ages",
                        ""));
        List<SourceRecord> out = harness.drain();

        List<SourceRecord> updates =
                out.stream().filter(r -> r.topic().equals("carbonstream.intensity")).toList();
        assertThat(updates)
                .extracting(
                        r ->
                                tuple(
                                        update(r).getEmissionFactorType(),
                                        update(r).getCarbonIntensity()))
                .containsExactlyInAnyOrder(tuple("lifecycle", 302.0), tuple("direct", 251.0));
        assertThat(server.requestsTo("/v3/carbon-intensity/latest"))
                .extracting(r -> r.query().get("emissionFactorType"))
                .containsExactlyInAnyOrder("lifecycle", "direct");
        assertThat(server.requests)
                .allSatisfy(r -> assertThat(r.header("auth-token")).isEqualTo(TOKEN));

        List<SourceRecord> forecasts =
                out.stream().filter(r -> r.topic().equals("carbonstream.forecasts")).toList();
        assertThat(forecasts).hasSize(3);
        List<IntensityForecast> f = forecasts.stream().map(TaskHarness::forecast).toList();
        assertThat(forecasts)
                .extracting(TaskHarness::forecastValue)
                .containsExactly(
                        tuple(at("2026-11-30T11:00:00Z"), at("2026-11-30T12:00:00Z"), 318.0),
                        tuple(at("2026-11-30T12:00:00Z"), at("2026-11-30T13:00:00Z"), 331.0),
                        tuple(at("2026-11-30T13:00:00Z"), at("2026-11-30T14:00:00Z"), 344.0));
        assertThat(f)
                .allSatisfy(
                        x -> {
                            assertThat(x.getForecastMadeAt()).isEqualTo(at("2026-11-30T10:00:00Z"));
                            assertThat(x.getSource()).isEqualTo("electricitymaps");
                            assertThat(x.getSignal()).isEqualTo("average");
                            assertThat(x.getEmissionFactorType()).isEqualTo("lifecycle");
                        });
        assertThat(new String((byte[]) forecasts.get(0).key(), StandardCharsets.UTF_8))
                .isEqualTo("DE|average|lifecycle|" + at("2026-11-30T11:00:00Z").toEpochMilli());

        // The same forecast (same updatedAt) an hour later is not published again; a new one is.
        assertThat(
                        harness.runUntil(T0.plus(Duration.ofMinutes(90))).stream()
                                .filter(r -> r.topic().equals("carbonstream.forecasts")))
                .isEmpty();
        em.forecast = "forecast-1100.json";
        harness.restart(); // and a restart re-reads the last updatedAt published
        List<SourceRecord> later =
                harness.runUntil(T0.plus(Duration.ofMinutes(150))).stream()
                        .filter(r -> r.topic().equals("carbonstream.forecasts"))
                        .toList();
        assertThat(later).hasSize(2);
        harness.restart();
        assertThat(
                        harness.runUntil(T0.plus(Duration.ofMinutes(300))).stream()
                                .filter(r -> r.topic().equals("carbonstream.forecasts")))
                .isEmpty();
    }

    @Test
    void retryAfterInSecondsAndAsAnHttpDateIsHonoured() throws Exception {
        start(props("electricitymaps.refetch.ages", ""));
        server.failNext(
                "/v3/carbon-intensity/latest",
                Response.status(429, "{\"message\":\"rate limited\"}", "Retry-After", "120"));
        assertThat(harness.poll()).isEmpty();
        assertThat(harness.task().metrics().retries()).isEqualTo(1);

        harness.runUntil(T0.plusSeconds(200));
        List<FixtureServer.Request> latest = server.requestsTo("/v3/carbon-intensity/latest");
        assertThat(latest).hasSize(2);
        assertThat(latest.get(1).at()).isAfterOrEqualTo(T0.plusSeconds(120));
        assertThat(harness.records).hasSize(1);

        Instant t = clock.instant();
        String date =
                DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        t.plusSeconds(900).atOffset(ZoneOffset.UTC));
        server.failNext(
                "/v3/carbon-intensity/latest", Response.status(503, "", "Retry-After", date));
        harness.runUntil(t.plus(Duration.ofMinutes(30)));
        List<FixtureServer.Request> after =
                server.requestsTo("/v3/carbon-intensity/latest").stream()
                        .filter(r -> !r.at().isBefore(t))
                        .toList();
        assertThat(after.get(0).at()).as("the 503").isBefore(t.plusSeconds(900));
        assertThat(after.get(1).at())
                .as("the request after the 503 waits for the date it named")
                .isAfterOrEqualTo(t.plusSeconds(900));
        assertThat(harness.task().metrics().retries()).isEqualTo(2);
        assertThat(harness.task().metrics().httpErrors()).isEqualTo(2);
    }

    @Test
    void serverErrorsBackOffExponentiallyWithJitterBoundedByTheMaximumThenSucceed()
            throws Exception {
        start(
                props(
                        "electricitymaps.refetch.ages",
                        "",
                        "retry.backoff.initial",
                        "1s",
                        "retry.backoff.max",
                        "3s"));
        for (int i = 0; i < 4; i++)
            server.failNext(
                    "/v3/carbon-intensity/latest",
                    Response.status(500, "{\"message\":\"internal error\"}"));
        harness.runUntil(T0.plusSeconds(60));

        List<Instant> times =
                server.requestsTo("/v3/carbon-intensity/latest").stream()
                        .map(FixtureServer.Request::at)
                        .toList();
        assertThat(times).hasSizeGreaterThanOrEqualTo(5);
        // Waits after failures 1..4: [0.5, 1] s, [1, 2] s, then capped at 3 s: [1.5, 3] s twice.
        long[][] bounds = {{500, 1000}, {1000, 2000}, {1500, 3000}, {1500, 3000}};
        for (int i = 0; i < 4; i++) {
            long waited = Duration.between(times.get(i), times.get(i + 1)).toMillis();
            assertThat(waited)
                    .as("wait after failure " + (i + 1))
                    .isBetween(bounds[i][0], bounds[i][1]);
        }
        assertThat(harness.records)
                .as("the task stayed alive and published after the errors")
                .hasSize(1);
        assertThat(harness.task().metrics().retries()).isEqualTo(4);
    }

    @Test
    void unauthorisedFailsTheTaskNamingTheSettingWithoutTheToken() throws Exception {
        start(props("electricitymaps.api.token", "wrong-token-9d8e7f6a5b"));
        assertThatThrownBy(() -> harness.poll())
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("401")
                .hasMessageContaining("electricitymaps.api.token")
                .satisfies(
                        e ->
                                assertThat(e.getMessage())
                                        .doesNotContain("wrong-token-9d8e7f6a5b")
                                        .doesNotContain(TOKEN));
        assertThat(logs.containing("wrong-token-9d8e7f6a5b")).isEmpty();
    }

    @Test
    void forbiddenSaysWhichPlanAndSettingsToCheck() throws Exception {
        start(props());
        server.failNext(
                "/v3/carbon-intensity/latest",
                Response.status(403, "{\"message\":\"Forbidden: " + TOKEN + " has no access\"}"));
        assertThatThrownBy(() -> harness.poll())
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("403")
                .hasMessageContaining("electricitymaps.zones")
                .hasMessageContaining("plan")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
    }

    @Test
    void malformedJsonIsCountedAndSkippedAndAnEchoedTokenIsRedacted() throws Exception {
        start(props("electricitymaps.refetch.ages", ""));
        em.latest("malformed-latest.json");
        assertThat(harness.drain()).isEmpty();
        assertThat(harness.task().metrics().malformed()).isEqualTo(1);
        assertThat(logs.lines)
                .anyMatch(
                        l ->
                                l.startsWith("WARN")
                                        && l.contains(
                                                "malformed response to GET"
                                                        + " /v3/carbon-intensity/latest"));

        // Next turn (5 min later) the API answers properly: the task was never in trouble.
        em.latest("latest-1000.json");
        harness.runUntil(T0.plus(Duration.ofMinutes(6)));
        assertThat(harness.records).hasSize(1);

        // A 502 whose body echoes the request's auth-token header: the WARN shows it redacted.
        server.failNext(
                "/v3/carbon-intensity/latest",
                Response.status(502, "bad gateway; upstream request had auth-token: " + TOKEN));
        harness.runUntil(T0.plus(Duration.ofMinutes(12)));
        assertThat(logs.lines)
                .anyMatch(
                        l ->
                                l.startsWith("WARN")
                                        && l.contains("HTTP 502")
                                        && l.contains("auth-token: [redacted]"));
    }

    @Test
    void aClientErrorSkipsTheTurnAndOtherUnitsGoOn() throws Exception {
        start(props("electricitymaps.refetch.ages", ""));
        server.failNext(
                "/v3/carbon-intensity/latest",
                Response.status(400, "{\"message\":\"zone DE is not supported\"}"));
        assertThat(harness.drain()).isEmpty();
        assertThat(logs.lines).anyMatch(l -> l.startsWith("WARN") && l.contains("HTTP 400"));
        harness.runUntil(T0.plus(Duration.ofMinutes(6)));
        assertThat(harness.records).hasSize(1);
    }
}
