package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.schema.Alert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * AlertsIT's input and the alerts it must raise, computed independently: two grid spikes in
 * California (minutes 60-80 at 320 and 120-145 at 340 over a 200 baseline) under dc-cal-1's steady
 * load, and a 10-minute burst in dc-de against its emission budget. Shared by the Kafka test and
 * the in-memory one, so both judge the same thing.
 */
final class AlertsScenario {

    static final long MIN = Scenario.MIN;
    static final long BASE = Scenario.BASE;

    /** gCO2e per hour for dc-de: ~4 g/h normally, ~270 g/h with the burst in the trailing hour. */
    static final double BUDGET = 150.0;

    final List<Scenario.Upd> updates = new ArrayList<>();
    final List<Scenario.Req> requests = new ArrayList<>();
    private final TreeMap<Long, Double> cal = new TreeMap<>();

    AlertsScenario() {
        for (long m = 0; m < 180; m += 5) {
            double g = (m >= 60 && m < 80) ? 320 : (m >= 120 && m < 145) ? 340 : 200;
            updates.add(new Scenario.Upd("US-CAL-CISO", BASE + m * MIN, g, false));
            updates.add(new Scenario.Upd("DE", BASE + m * MIN, 300, false));
            cal.put(BASE + m * MIN, g);
        }
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
    }

    /** The registry of the two datacenters, dc-de with its budget. */
    static Path writeRegistry(Path dir) throws IOException {
        return Files.writeString(
                dir.resolve("registry.json"),
                """
                [{"datacenter_id":"dc-cal-1","zone":"US-CAL-CISO","pue":1.1,"wue_l_per_kwh":0.3},
                 {"datacenter_id":"dc-de","zone":"DE","pue":1.2,"wue_l_per_kwh":1.0,"emission_budget_g_per_hour":%s}]
                """
                        .formatted(BUDGET));
    }

    /**
     * The alerts of a run with {@code alerts.min-dwell} 15 min are exactly the expected ones: the
     * spikes (baseline 200, enter at 260, exit below 235) and the budget breach.
     */
    void assertAlerts(List<Alert> alerts) {
        // One subject's alerts come from one subtask, in order.
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
            // DE is 300 g/kWh throughout.
            double rate = facilityKwh(requests, "dc-de", 1.2, end - 60 * MIN, end) * 300;
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
