package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.schema.Alert;
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
 * Two grid spikes in one zone and a budget breach in one datacenter produce exactly the expected
 * alert sequence; ids, exposure and severities are computed independently here.
 */
class AlertsIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long BASE = Scenario.BASE;
    static final double BUDGET =
            150.0; // gCO2e per hour for dc-de: ~4 g/h normally, ~270 g/h with the burst in the

    // trailing hour

    @Test
    void spikesAndBudgetBreachRaiseAndClearExactlyAsExpected(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "alerts.");
        Scenario s = new Scenario(1, 0, MIN, 0); // only for its datacenter list
        List<Scenario.Upd> updates = new ArrayList<>();
        TreeMap<Long, Double> cal = new TreeMap<>();
        for (long m = 0; m < 180; m += 5) {
            double g = (m >= 60 && m < 80) ? 320 : (m >= 120 && m < 145) ? 340 : 200;
            updates.add(new Scenario.Upd("US-CAL-CISO", BASE + m * MIN, g, false));
            updates.add(new Scenario.Upd("DE", BASE + m * MIN, 300, false));
            cal.put(BASE + m * MIN, g);
        }
        List<Scenario.Req> requests = new ArrayList<>();
        for (long t = BASE; t < BASE + 180 * MIN; t += 10_000) {
            requests.add(
                    Scenario.text("cal-" + t, t, "dc-cal-1", "llama-3.1-8b", 100, 500, 1, 1_000));
            requests.add(Scenario.text("de-" + t, t, "dc-de", "llama-3.1-8b", 100, 500, 1, 1_000));
            if (t >= BASE + 90 * MIN && t < BASE + 100 * MIN) {
                for (int i = 0; i < 40; i++) {
                    requests.add(
                            Scenario.text(
                                    "burst-" + t + "-" + i,
                                    t + i,
                                    "dc-de",
                                    "llama-3.1-70b",
                                    100,
                                    800,
                                    4,
                                    1_000));
                }
            }
        }
        f.produceIntensity(updates);
        f.produce("events", requests.stream().map(JobFixture::event).toList());
        Path registry = tmp.resolve("registry.json");
        Files.writeString(
                registry,
                """
                [{"datacenter_id":"dc-cal-1","zone":"US-CAL-CISO","pue":1.1,"wue_l_per_kwh":0.3},
                 {"datacenter_id":"dc-de","zone":"DE","pue":1.2,"wue_l_per_kwh":1.0,"emission_budget_g_per_hour":%s}]
                """
                        .formatted(BUDGET));

        JobFixture.runBounded(
                "carbonstream-alerts",
                f.config(registry, Map.of("bounded", "true", "alerts.min-dwell", "15 min")));

        List<Alert> alerts = f.records("alerts", Alert.class);

        // Grid spikes: baseline 200 (median of the zone's updates), enter at 260, exit below 235,
        // 15 min dwell.
        List<Alert> spikes =
                alerts.stream().filter(a -> a.getSubject().equals("US-CAL-CISO")).toList();
        String first = "GRID_SPIKE:US-CAL-CISO:" + Instant.ofEpochMilli(BASE + 60 * MIN);
        String second = "GRID_SPIKE:US-CAL-CISO:" + Instant.ofEpochMilli(BASE + 120 * MIN);
        assertThat(spikes)
                .extracting(AlertStep::of)
                .containsExactly(
                        new AlertStep(first, true, BASE + 60 * MIN),
                        new AlertStep(first, false, BASE + 80 * MIN),
                        new AlertStep(second, true, BASE + 120 * MIN),
                        new AlertStep(second, false, BASE + 145 * MIN));
        for (Alert raised : List.of(spikes.get(0), spikes.get(2))) {
            long at = raised.getEventTime().toEpochMilli();
            double kwhPerMinute = facilityKwh(requests, "dc-cal-1", 1.1, at - 5 * MIN, at) / 5;
            assertThat(raised.getBaseline()).isEqualTo(200.0);
            assertThat(raised.getThreshold()).isCloseTo(260.0, within(1e-9));
            assertThat(raised.getDatacenters()).hasSize(1);
            assertThat(raised.getDatacenters().get(0).getDatacenterId()).isEqualTo("dc-cal-1");
            assertThat(raised.getDatacenters().get(0).getKwhPerMinute())
                    .isCloseTo(kwhPerMinute, within(kwhPerMinute * 1e-9));
            assertThat(raised.getExtraGPerHour())
                    .isCloseTo(
                            kwhPerMinute * 60 * (cal.floorEntry(at).getValue() - 200),
                            within(raised.getExtraGPerHour() * 1e-9));
        }

        // Budget: the trailing-hour rate of dc-de at every minute end, with the same discipline.
        List<AlertStep> budget = new ArrayList<>();
        Long raisedAt = null;
        for (long end = BASE + MIN; end <= BASE + 300 * MIN; end += MIN) {
            double rate =
                    facilityKwh(requests, "dc-de", 1.2, end - 60 * MIN, end)
                            * 300; // DE is 300 g/kWh throughout
            if (raisedAt == null && rate >= BUDGET) {
                raisedAt = end;
                budget.add(
                        new AlertStep(
                                "EMISSION_BUDGET:dc-de:" + Instant.ofEpochMilli(end), true, end));
            } else if (raisedAt != null && rate < 0.9 * BUDGET && end - raisedAt >= 15 * MIN) {
                budget.add(
                        new AlertStep(
                                "EMISSION_BUDGET:dc-de:" + Instant.ofEpochMilli(raisedAt),
                                false,
                                end));
                raisedAt = null;
            }
        }
        assertThat(budget).hasSize(2);
        List<Alert> actualBudget =
                alerts.stream().filter(a -> a.getSubject().equals("dc-de")).toList();
        assertThat(actualBudget).extracting(AlertStep::of).containsExactlyElementsOf(budget);
        assertThat(alerts).hasSize(spikes.size() + actualBudget.size());
    }

    /** Facility kWh of a datacenter's requests in [from, to), from the published figures. */
    static double facilityKwh(
            List<Scenario.Req> requests, String dc, double pue, long from, long to) {
        double kwh = 0;
        for (Scenario.Req r : requests) {
            if (r.dc().equals(dc) && r.t() >= from && r.t() < to)
                kwh += gpuJoules(r) * Reference.IT_OVERHEAD * pue / 3.6e6;
        }
        return kwh;
    }

    static double gpuJoules(Scenario.Req r) {
        return r.model().equals("llama-3.1-70b") ? 0.80 * r.out() : Reference.gpuJoules(r);
    }
}
