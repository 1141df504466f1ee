package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.AlertKind;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forecasts, marginal intensity and events on a real broker, the job on a MiniCluster: a forecast
 * spike of a busy datacenter's zone raises exactly one FORECAST_SPIKE, whose lead time and
 * avoidable grams equal the computation written here (minute by minute, from the published
 * figures); it clears once a newer forecast no longer shows the spike. A marginal spike under the
 * same datacenter raises and clears one MARGINAL_SPIKE, and never reaches the totals. Bad forecast
 * records are dead letters; forecasts of the marginal signal or of the other factor type are not
 * used.
 */
class ForecastAlertsIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long H = 60 * MIN;
    static final long BASE = Scenario.BASE;
    static final String CAL = "US-CAL-CISO";

    /** dc-cal-1's zone, and the zones of the registry's other datacenters. */
    static final Map<String, String> REGISTRY =
            Map.of("dc-cal-1", CAL, "dc-de", "DE", "dc-fr", "FR", "dc-se", "SE");

    static final double PUE_CAL = 1.1;

    record Fc(String zone, long from, long to, double g, long madeAt) {}

    static IntensityForecast forecast(Fc f, String signal, String factor) {
        return IntensityForecast.newBuilder()
                .setZone(f.zone())
                .setValidFrom(Instant.ofEpochMilli(f.from()))
                .setValidTo(Instant.ofEpochMilli(f.to()))
                .setCarbonIntensity(f.g())
                .setSignal(signal)
                .setEmissionFactorType(factor)
                .setForecastMadeAt(Instant.ofEpochMilli(f.madeAt()))
                .setSource("test")
                .build();
    }

    static KafkaIO.Raw raw(IntensityForecast f) {
        String key =
                f.getZone()
                        + "|"
                        + f.getSignal()
                        + "|"
                        + f.getEmissionFactorType()
                        + "|"
                        + f.getValidFrom().toEpochMilli();
        return new KafkaIO.Raw(JobFixture.utf8(key), Avro.encode(f));
    }

    @Test
    void aForecastSpikeWarnsOnceWithTheLeadTimeAndAvoidableGramsComputedHere(@TempDir Path tmp)
            throws Exception {
        JobFixture f = new JobFixture(kafka, "forecasts.");

        // Actual (average) intensity: flat, so each zone's baseline is its value. Marginal: a spike
        // from minute 100 to 130.
        List<Scenario.Upd> updates = new ArrayList<>();
        List<KafkaIO.Raw> intensity = new ArrayList<>();
        for (long m = 0; m < 180; m += 5) {
            long t = BASE + m * MIN;
            updates.add(new Scenario.Upd(CAL, t, 200, false));
            if (m % 15 == 0) {
                updates.add(new Scenario.Upd("DE", t, 300, false));
                updates.add(new Scenario.Upd("FR", t, 44, false));
                updates.add(new Scenario.Upd("SE", t, 36, false));
            }
        }
        for (Scenario.Upd u : updates) intensity.add(JobFixture.update(u));
        TreeMap<Long, Double> marginal = new TreeMap<>();
        for (long m = 0; m < 180; m += 5) {
            double g = m >= 100 && m < 130 ? 950 : 450;
            marginal.put(BASE + m * MIN, g);
            intensity.add(
                    new KafkaIO.Raw(
                            JobFixture.utf8(CAL),
                            Avro.encode(
                                    IntensityUpdate.newBuilder()
                                            .setZone(CAL)
                                            .setValidFrom(Instant.ofEpochMilli(BASE + m * MIN))
                                            .setCarbonIntensity(g)
                                            .setMarginalIntensity(g)
                                            .setSignal("marginal")
                                            .setEmissionFactorType("direct")
                                            .setSource("watttime")
                                            .build())));
        }
        f.produce("intensity", intensity);

        // Forecasts of the accounting signal: California's first two issues show a spike from hour
        // 4 to 6, the third does not.
        List<Fc> forecasts = new ArrayList<>();
        long[] issues = {40, 90, 150};
        double[] spike = {340, 350, 210};
        for (int i = 0; i < issues.length; i++) {
            for (int hr = 1; hr < 12; hr++) {
                forecasts.add(
                        new Fc(
                                CAL,
                                BASE + hr * H,
                                BASE + (hr + 1) * H,
                                hr >= 4 && hr < 6 ? spike[i] : 210,
                                BASE + issues[i] * MIN));
            }
        }
        for (int hr = 1; hr < 4; hr++)
            forecasts.add(new Fc("FR", BASE + hr * H, BASE + (hr + 1) * H, 20, BASE + 30 * MIN));
        for (int hr = 0; hr < 12; hr++)
            forecasts.add(new Fc("DE", BASE + hr * H, BASE + (hr + 1) * H, 300, BASE + 30 * MIN));
        List<KafkaIO.Raw> forecastRecords = new ArrayList<>();
        for (Fc fc : forecasts) forecastRecords.add(raw(forecast(fc, "average", "lifecycle")));
        // Not for the early warning: a marginal forecast and one of the other factor type, both
        // with a huge spike.
        Fc huge = new Fc(CAL, BASE + 2 * H, BASE + 3 * H, 900, BASE + 10 * MIN);
        forecastRecords.add(raw(forecast(huge, "marginal", "direct")));
        forecastRecords.add(raw(forecast(huge, "average", "direct")));
        // Bad records: bytes of no forecast, an interval that ends where it starts.
        forecastRecords.add(new KafkaIO.Raw(JobFixture.utf8("garbage"), new byte[] {1, 2, 3}));
        forecastRecords.add(
                raw(
                        forecast(
                                new Fc(CAL, BASE + 2 * H, BASE + 2 * H, 300, BASE),
                                "average",
                                "lifecycle")));
        f.produce("forecasts", forecastRecords);

        List<Scenario.Req> requests = new ArrayList<>();
        for (long t = BASE; t < BASE + 180 * MIN; t += 10_000) {
            requests.add(
                    Scenario.text("cal-" + t, t, "dc-cal-1", "llama-3.1-8b", 100, 500, 1, 1_000));
        }
        f.produce("events", requests.stream().map(JobFixture::event).toList());
        Path registry = tmp.resolve("registry.json");
        Files.writeString(
                registry,
                """
                [{"datacenter_id":"dc-cal-1","zone":"US-CAL-CISO","pue":1.1,"wue_l_per_kwh":0.3},
                 {"datacenter_id":"dc-de","zone":"DE","pue":1.2,"wue_l_per_kwh":1.0},
                 {"datacenter_id":"dc-fr","zone":"FR","pue":1.1,"wue_l_per_kwh":1.0},
                 {"datacenter_id":"dc-se","zone":"SE","pue":1.1,"wue_l_per_kwh":1.0}]
                """);

        JobFixture.runBounded(
                "carbonstream-forecast-alerts",
                f.config(
                        registry,
                        Map.of(
                                "bounded",
                                "true",
                                "alerts.min-dwell",
                                "15 min",
                                "forecast.horizon",
                                "6 h")));

        List<Alert> alerts = f.records("alerts", Alert.class);

        // ---- FORECAST_SPIKE, simulated minute end by minute end with the rules of
        // docs/semantics.md ----
        List<AlertStep> expected = new ArrayList<>();
        Long raisedAt = null;
        double[] raiseFigures = null;
        for (long now = BASE + MIN; now <= BASE + 190 * MIN; now += MIN) {
            double kwhPerMinute =
                    AlertsScenario.facilityKwh(requests, "dc-cal-1", PUE_CAL, now - 5 * MIN, now)
                            / 5;
            double enter = enter(updates, now);
            double[] fig = outlook(forecasts, updates, now, kwhPerMinute * 60, enter);
            double peak = fig[0];
            if (raisedAt == null && peak >= enter && kwhPerMinute > 0) {
                raisedAt = now;
                expected.add(
                        new AlertStep(
                                "FORECAST_SPIKE:dc-cal-1:" + Instant.ofEpochMilli(now), true, now));
                raiseFigures = fig;
            } else if (raisedAt != null && !(peak >= enter - 25) && now - raisedAt >= 15 * MIN) {
                expected.add(
                        new AlertStep(
                                "FORECAST_SPIKE:dc-cal-1:" + Instant.ofEpochMilli(raisedAt),
                                false,
                                now));
                raisedAt = null;
            }
        }
        assertThat(expected).hasSize(2);
        assertThat(expected.get(0).at())
                .isEqualTo(BASE + 40 * MIN); // the first issue showing the spike
        assertThat(expected.get(1).at())
                .isEqualTo(BASE + 150 * MIN); // the issue that no longer shows it
        List<Alert> early =
                alerts.stream().filter(a -> a.getKind() == AlertKind.FORECAST_SPIKE).toList();
        assertThat(early).extracting(AlertStep::of).containsExactlyElementsOf(expected);
        Alert raised = early.get(0);
        assertThat(raised.getSubject()).isEqualTo("dc-cal-1");
        assertThat(raised.getLeadTimeMs()).isEqualTo((long) raiseFigures[1]);
        assertThat(raised.getLeadTimeMs()).isEqualTo(4 * H - 40 * MIN);
        assertThat(raised.getProjectedGco2e())
                .isCloseTo(raiseFigures[2], within(raiseFigures[2] * 1e-9));
        assertThat(raised.getAlternativeZone()).isEqualTo("FR");
        assertThat(raised.getAvoidableGco2e())
                .isCloseTo(raiseFigures[3], within(raiseFigures[3] * 1e-9));
        assertThat(raised.getAvoidableGco2e()).isGreaterThan(0);
        assertThat(raised.getValue()).isEqualTo(340.0);
        assertThat(raised.getMessage())
                .contains("lead time 200 min")
                .contains("kgCO2e avoidable in FR");

        // ---- MARGINAL_SPIKE: median of the marginal values, enter at min(1000, 1.5 x 450), exit
        // 50 g lower ----
        String marginalId = "MARGINAL_SPIKE:" + CAL + ":" + Instant.ofEpochMilli(BASE + 100 * MIN);
        List<Alert> marginalAlerts =
                alerts.stream().filter(a -> a.getKind() == AlertKind.MARGINAL_SPIKE).toList();
        assertThat(marginalAlerts)
                .extracting(AlertStep::of)
                .containsExactly(
                        new AlertStep(marginalId, true, BASE + 100 * MIN),
                        new AlertStep(marginalId, false, BASE + 130 * MIN));
        double kwhPerMinute =
                AlertsScenario.facilityKwh(
                                requests, "dc-cal-1", PUE_CAL, BASE + 95 * MIN, BASE + 100 * MIN)
                        / 5;
        assertThat(marginalAlerts.get(0).getThreshold()).isCloseTo(675.0, within(1e-9));
        assertThat(marginalAlerts.get(0).getExtraGPerHour())
                .isCloseTo(kwhPerMinute * 60 * (950 - 450), within(1e-6));
        assertThat(alerts)
                .hasSize(
                        early.size()
                                + marginalAlerts
                                        .size()); // no grid spike (flat averages), no budget

        // Marginal values never price anything: every minute of dc-cal-1 is priced at California's
        // 200 g.
        int minutes = 0;
        for (Map.Entry<String, Aggregate> e : f.latestAggregates().entrySet()) {
            if (!e.getKey().startsWith("MINUTE|DATACENTER|dc-cal-1|")) continue;
            minutes++;
            assertThat(e.getValue().getMinIntensity()).as(e.getKey()).isEqualTo(200.0);
            assertThat(e.getValue().getMaxIntensity()).as(e.getKey()).isEqualTo(200.0);
        }
        assertThat(minutes).isEqualTo(180);

        // Bad forecasts are dead letters of the forecasts topic; the others were read and used or
        // left aside.
        List<DeadLetter> rejected =
                f.deadLetters("dlq").stream()
                        .filter(d -> d.getSourceTopic().equals("forecasts.forecasts"))
                        .toList();
        assertThat(rejected)
                .extracting(d -> d.getReason())
                .containsExactlyInAnyOrder("UNDECODABLE", "INVALID_INTERVAL");
    }

    /**
     * The enter threshold at now: the spike rule on California's latest evaluation (baseline:
     * median of the updates before it).
     */
    static double enter(List<Scenario.Upd> updates, long now) {
        long at = Long.MIN_VALUE;
        for (Scenario.Upd u : updates)
            if (u.zone().equals(CAL) && u.validFrom() <= now) at = Math.max(at, u.validFrom());
        List<Double> before = new ArrayList<>();
        for (Scenario.Upd u : updates)
            if (u.zone().equals(CAL) && u.validFrom() < at && u.validFrom() >= at - 24 * H)
                before.add(u.g());
        if (before.size() < 6) return 800;
        double[] s = before.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median =
                s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return Math.min(800, median * 1.3);
    }

    /** A zone's actual intensity in force at now (NaN: none). */
    static double current(List<Scenario.Upd> updates, String zone, long now) {
        long at = Long.MIN_VALUE;
        double g = Double.NaN;
        for (Scenario.Upd u : updates) {
            if (u.zone().equals(zone) && u.validFrom() <= now && u.validFrom() >= at) {
                at = u.validFrom();
                g = u.g();
            }
        }
        return g;
    }

    /** The forecasts known at now: per zone and interval start, the newest issued by then. */
    static List<Fc> known(List<Fc> forecasts, long now) {
        List<Fc> out = new ArrayList<>();
        for (Fc c : forecasts) {
            if (c.madeAt() > now) continue;
            boolean newer =
                    forecasts.stream()
                            .anyMatch(
                                    o ->
                                            o.zone().equals(c.zone())
                                                    && o.from() == c.from()
                                                    && o.madeAt() <= now
                                                    && o.madeAt() > c.madeAt());
            if (!newer) out.add(c);
        }
        return out;
    }

    /**
     * The known forecast of zone at minute t (of the intervals covering t, the one starting last),
     * or NaN.
     */
    static double forecastAt(List<Fc> known, String zone, long t) {
        Fc best = null;
        for (Fc c : known) {
            if (c.zone().equals(zone)
                    && c.from() <= t
                    && t < c.to()
                    && (best == null || c.from() > best.from())) best = c;
        }
        return best == null ? Double.NaN : best.g();
    }

    /**
     * {peak, lead time ms (NaN without a spike), projected g, avoidable g} over the 6 hours from
     * now, minute by minute.
     */
    static double[] outlook(
            List<Fc> forecasts,
            List<Scenario.Upd> updates,
            long now,
            double kwhPerHour,
            double enter) {
        List<Fc> known = known(forecasts, now);
        double peak = Double.NaN;
        double lead = Double.NaN;
        double projected = 0;
        Map<String, Double> alternatives = new TreeMap<>();
        for (String z : REGISTRY.values()) if (!z.equals(CAL)) alternatives.put(z, 0.0);
        for (long t = now; t < now + 6 * H; t += MIN) {
            double fc = forecastAt(known, CAL, t);
            if (!Double.isNaN(fc)) {
                peak = Double.isNaN(peak) ? fc : Math.max(peak, fc);
                if (Double.isNaN(lead) && fc >= enter) lead = t - now;
            }
            double own = Double.isNaN(fc) ? current(updates, CAL, now) : fc;
            projected += kwhPerHour / 60 * own;
            for (String z : alternatives.keySet()) {
                double zf = forecastAt(known, z, t);
                alternatives.merge(
                        z,
                        kwhPerHour / 60 * (Double.isNaN(zf) ? current(updates, z, now) : zf),
                        Double::sum);
            }
        }
        double cleanest =
                alternatives.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        return new double[] {peak, lead, projected, Math.max(0, projected - cleanest)};
    }
}
