package io.carbonstream.connect.watttime;

import static io.carbonstream.connect.common.TaskHarness.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.connect.common.FixtureServer;
import io.carbonstream.connect.common.FixtureServer.Response;
import io.carbonstream.connect.common.FixtureTaskTest;
import io.carbonstream.connect.common.TaskHarness;
import io.carbonstream.connect.common.Times;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WattTime task driven through poll() on a fake clock against the fixture server. */
class WattTimeSourceTaskTest extends FixtureTaskTest<WattTimeSourceTask> {
    static final String USER = "carbonstream-ci";
    static final String PASSWORD = "wt-pass-5c4b3a29";
    static final String BEARER =
            "wt-bearer-7e1d0c9b8a6f5e4d"; // the token of fixtures/watttime/login.json
    static final Instant T0 = Instant.parse("2026-11-30T10:17:00Z");

    WattTimeSourceTaskTest() {
        super(T0, (clock, sleeper) -> new WattTimeSourceTask(clock, sleeper, new Random(5)));
    }

    @BeforeEach
    void setUp() {
        String basic =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        server.route(
                "/login",
                r ->
                        basic.equals(r.header("Authorization"))
                                ? Response.json(FixtureServer.resource("watttime/login.json"))
                                : Response.status(
                                        401, "{\"error\":\"Invalid username or password\"}"));
        server.route(
                "/v3/historical",
                r ->
                        bearer(r)
                                ? Response.json(slice("watttime/historical-caiso-north.json", r))
                                : Response.status(401, "{\"error\":\"token expired\"}"));
        server.route(
                "/v3/forecast",
                r ->
                        bearer(r)
                                ? Response.json(
                                        FixtureServer.resource(
                                                "watttime/forecast-caiso-north.json"))
                                : Response.status(401, "{}"));
    }

    static boolean bearer(FixtureServer.Request r) {
        return ("Bearer " + BEARER).equals(r.header("Authorization"));
    }

    /** /v3/historical: the fixture's points within [start, end]. */
    static String slice(String file, FixtureServer.Request r) {
        Instant start = Times.parseOrNull(r.query().get("start"));
        Instant end = Times.parseOrNull(r.query().get("end"));
        return FixtureServer.keepData(
                file,
                doc -> doc,
                p -> {
                    Instant t = Times.parseOrNull(p.get("point_time").asText());
                    return !t.isBefore(start) && !t.isAfter(end);
                });
    }

    @Override
    protected void afterStop() {
        assertThat(logs.containing(PASSWORD)).isEmpty();
        assertThat(logs.containing(BEARER)).isEmpty();
        assertThat(
                        logs.containing(
                                Base64.getEncoder()
                                        .encodeToString(
                                                (USER + ":" + PASSWORD)
                                                        .getBytes(StandardCharsets.UTF_8))))
                .isEmpty();
    }

    Map<String, String> props(String... overrides) {
        return TaskHarness.props(
                Map.of(
                        "watttime.base.url",
                        server.baseUrl(),
                        "watttime.username",
                        USER,
                        "watttime.password",
                        PASSWORD,
                        "watttime.regions",
                        "CAISO_NORTH",
                        "watttime.zone.map",
                        "CAISO_NORTH=US-CAL-CISO"),
                overrides);
    }

    @Test
    void poundsPerMegawattHourBecomeGramsPerKilowattHour() {
        assertThat(WattTimeSourceTask.toGramsPerKwh(1000, "lbs_co2_per_mwh"))
                .isCloseTo(453.59237, within(1e-9));
        assertThat(WattTimeSourceTask.toGramsPerKwh(850, "lbs_co2_per_mwh"))
                .isCloseTo(385.5535145, within(1e-9));
        assertThat(WattTimeSourceTask.toGramsPerKwh(400, "kg_co2_per_mwh")).isEqualTo(400.0);
        assertThat(WattTimeSourceTask.toGramsPerKwh(1, "furlongs")).isNull();
    }

    @Test
    void theMarginalSignalIsPublishedApartFromTheAverageWithItsForecast() throws Exception {
        start(props());
        List<SourceRecord> out = harness.drain();

        List<SourceRecord> updates =
                out.stream().filter(r -> r.topic().equals("carbonstream.intensity")).toList();
        assertThat(updates).hasSize(12); // 09:20 .. 10:15, every 5 min, after the 1 h lookback
        IntensityUpdate firstUpdate = update(updates.get(0));
        assertThat(firstUpdate.getValidFrom()).isEqualTo(Instant.parse("2026-11-30T09:20:00Z"));
        assertThat(firstUpdate.getCarbonIntensity()).isCloseTo(850.0 * 0.45359237, within(1e-9));
        assertThat(firstUpdate.getMarginalIntensity()).isCloseTo(850.0 * 0.45359237, within(1e-9));
        assertThat(updates)
                .allSatisfy(
                        r -> {
                            IntensityUpdate u = update(r);
                            assertThat(u.getSignal()).isEqualTo("marginal");
                            assertThat(u.getEmissionFactorType()).isEqualTo("direct");
                            assertThat(u.getSource()).isEqualTo("watttime");
                            assertThat(u.getZone()).isEqualTo("US-CAL-CISO");
                            assertThat(u.getEstimated()).isFalse();
                            assertThat(new String((byte[]) r.key(), StandardCharsets.UTF_8))
                                    .isEqualTo("US-CAL-CISO");
                        });

        List<IntensityForecast> forecasts =
                out.stream()
                        .filter(r -> r.topic().equals("carbonstream.forecasts"))
                        .map(TaskHarness::forecast)
                        .toList();
        assertThat(forecasts).hasSize(6);
        assertThat(forecasts)
                .allSatisfy(
                        f -> {
                            assertThat(f.getSignal()).isEqualTo("marginal");
                            assertThat(f.getForecastMadeAt())
                                    .isEqualTo(Instant.parse("2026-11-30T10:15:00Z"));
                            assertThat(Duration.between(f.getValidFrom(), f.getValidTo()))
                                    .isEqualTo(Duration.ofMinutes(5));
                        });
        assertThat(forecasts.get(0).getCarbonIntensity())
                .isCloseTo(900.0 * 0.45359237, within(1e-9));

        // One login, basic auth; data requests carry the bearer token.
        assertThat(server.requestsTo("/login")).hasSize(1);
        assertThat(server.requestsTo("/v3/"))
                .allSatisfy(
                        r -> assertThat(r.header("Authorization")).isEqualTo("Bearer " + BEARER));
        assertThat(server.requestsTo("/v3/historical").get(0).query())
                .containsEntry("region", "CAISO_NORTH")
                .containsEntry("signal_type", "co2_moer");

        // Nothing new in the fixture, and a restart: nothing again.
        harness.runUntil(T0.plus(Duration.ofMinutes(20)));
        harness.restart();
        harness.runUntil(T0.plus(Duration.ofMinutes(40)));
        assertThat(harness.records).hasSize(12 + 6);
    }

    @Test
    void anExpiredTokenMeansOneNewLogin() throws Exception {
        start(props("watttime.forecast.enabled", "false"));
        server.failNext("/v3/historical", Response.status(401, "{\"error\":\"token expired\"}"));
        assertThat(harness.drain()).hasSize(12);
        assertThat(server.requestsTo("/login")).hasSize(2);
        assertThat(server.requestsTo("/v3/historical")).hasSize(2);
    }

    @Test
    void wrongCredentialsFailTheTaskNamingBothSettings() throws Exception {
        start(props("watttime.password", "not-the-password-1234"));
        assertThatThrownBy(() -> harness.poll())
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("watttime.username")
                .hasMessageContaining("watttime.password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-password-1234"));
        assertThat(logs.containing("not-the-password-1234")).isEmpty();
    }

    @Test
    void aRegionOutsideThePlanFailsTheTaskNamingTheRegionsSetting() throws Exception {
        start(props());
        server.failNext(
                "/v3/historical",
                Response.status(403, "{\"error\":\"This account is not allowed region PJM\"}"));
        assertThatThrownBy(() -> harness.poll())
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("403")
                .hasMessageContaining("watttime.regions");
    }
}
