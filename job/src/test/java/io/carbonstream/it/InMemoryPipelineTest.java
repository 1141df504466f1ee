package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.InMemoryPipeline;
import io.carbonstream.InMemoryPipeline.Input;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.config.JobConfig;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.AlertState;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lateness, restatements and alerts of the whole pipeline on in-memory inputs, no broker: the cases
 * of {@link LateEventsIT}, {@link RestatementIT} and {@link AlertsIT}, with the same inputs built
 * the same way (the test kit's wire format through the job's decoders) and the same independent
 * {@link Reference}, in seconds. Each "late" or "after the fact" input waits at a gate for an
 * aggregate that proves how far the watermark has gone (see {@link InMemoryPipeline}), so the
 * outcome, revision numbers included, does not depend on how the inputs interleave. What only a
 * broker shows (exactly-once, dead-letter bytes and coordinates, SASL, the schema registry) stays
 * in the ITs.
 */
class InMemoryPipelineTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final long MIN = Scenario.MIN;
    static final long HOUR = 60 * MIN;
    static final long BASE = Scenario.BASE;

    /** The options of a run without a broker; {@code extra} adds or overrides. */
    static JobConfig config(Path registry, Map<String, String> extra) {
        Map<String, String> c = new HashMap<>();
        c.put("bootstrap-servers", "unused:9092"); // required, never contacted: no Kafka source
        c.put("registry-file", registry.toString());
        c.put("parallelism", "1");
        // Finished tasks wait for a last checkpoint before the job ends: keep that wait short.
        c.put("checkpoint-interval", "100 ms");
        c.put("intensity.max-age", "20 min");
        c.put("intensity.zone-defaults", "XX-NODATA:600");
        c.putAll(extra);
        return JobConfig.fromMap(c);
    }

    static Scenario.Req at(String id, long t) {
        return new Scenario.Req(
                id, t, "dc-de", "llama-3.1-8b", "TEXT", 100, 200, 0, 0, 0, 1, 1_000, null, null);
    }

    @Test
    void lateWithinLatenessRevisesBeyondGoesToLateEventsAndNothingIsLost(@TempDir Path tmp)
            throws Exception {
        Scenario s = new Scenario(21, 3_000, 20 * MIN, 4_000);
        JobConfig cfg =
                config(writeRegistry(tmp, s.datacenters), Map.of("allowed-lateness", "2 min"));
        // The scenario (minutes 0-19, at most 4 s out of order: none behind the watermark), a
        // request at minute 21 that moves the events' watermark to 21 min - 5 s - 1 ms, then,
        // once minute 19 has been emitted (the watermark of pricing is past 20 min - 1 ms, and at
        // most the events' one), a request in minute 19 (its window ended less than the 2 min
        // lateness ago) and one in minute 10 (more than 2 min ago).
        Scenario.Req pusher = at("pusher", BASE + 21 * MIN);
        Scenario.Req withinLateness = at("late-ok", BASE + 19 * MIN + 30_000);
        Scenario.Req beyondLateness = at("late-too", BASE + 10 * MIN + 1_000);
        Input<RequestEnvelope> events = InMemoryPipeline.input();
        events.addAll(InMemoryPipeline.requests(cfg, 0, s.requests));
        events.addAll(InMemoryPipeline.requests(cfg, events.size(), List.of(pusher)));
        events.awaitAggregate(
                "minute 19 emitted",
                a -> a.window == WindowKind.MINUTE && a.windowStart == BASE + 19 * MIN);
        events.addAll(
                InMemoryPipeline.requests(
                        cfg, events.size(), List.of(withinLateness, beyondLateness)));
        Input<ControlEvent> intensity =
                InMemoryPipeline.<ControlEvent>input()
                        .addAll(InMemoryPipeline.intensity(cfg, 0, s.intensity));

        InMemoryPipeline.Result r =
                InMemoryPipeline.run(cfg, events, intensity, InMemoryPipeline.input());

        List<Scenario.Req> counted = new ArrayList<>(s.requests);
        counted.add(pusher);
        counted.add(withinLateness);
        Map<String, Aggregate> latest = r.latestAggregates();
        // The end of input closes every window: all of them, at their final revision.
        assertAggregatesEqual(latest, reference(s, s.intensity).aggregates(counted));

        String minute19 = "MINUTE|DATACENTER_MODEL|dc-de|llama-3.1-8b|" + (BASE + 19 * MIN);
        Aggregate first19 = r.firstAggregates().get(minute19);
        assertThat(first19.getRevision()).isEqualTo(1);
        assertThat(latest.get(minute19).getRevision()).isEqualTo(2);
        assertThat(latest.get(minute19).getRevisionReason()).isEqualTo("LATE_REQUEST");
        assertThat(latest.get(minute19).getRequests()).isEqualTo(first19.getRequests() + 1);
        assertThat(latest.get("MINUTE|DATACENTER|dc-de||" + (BASE + 19 * MIN)).getRevision())
                .isEqualTo(2);
        // The hour was still open when the late request came: one emission, with it.
        assertThat(latest.get("HOUR|DATACENTER|dc-de||" + BASE).getRevision()).isEqualTo(1);

        List<DeadLetter> late = r.lateEvents();
        assertThat(late).hasSize(1);
        DeadLetter d = late.get(0);
        assertThat(d.getReason()).isEqualTo("LATE");
        assertThat(d.getSourceTopic()).isEqualTo("carbonstream.events");
        assertThat(d.getDetectedAtWatermark())
                .isBetween(BASE + 20 * MIN - 1, BASE + 21 * MIN - 5_000 - 1);
        assertThat(new String(d.getKey().array(), StandardCharsets.UTF_8)).isEqualTo("late-too");
        assertThat(Avro.decode(d.getValue().array(), InferenceEvent.class))
                .isEqualTo(Avro.event(beyondLateness));
        assertThat(r.deadLetters()).isEmpty();

        // Conservation: every request read is in the hour's aggregates or is the late event.
        long aggregated =
                latest.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("HOUR|DATACENTER|"))
                        .mapToLong(e -> e.getValue().getRequests())
                        .sum();
        assertThat(aggregated + late.size()).isEqualTo(s.requests.size() + 3);
        assertThat(aggregated).isEqualTo(counted.size());
    }

    static final List<String> ZONES = List.of("US-CAL-CISO", "DE", "PL");

    /** The estimates of every zone every 15 minutes, from..to inclusive. */
    static List<Scenario.Upd> estimates(long from, long to) {
        List<Scenario.Upd> out = new ArrayList<>();
        for (long v = from; v <= to; v += 15 * MIN)
            for (String zone : ZONES) out.add(new Scenario.Upd(zone, v, estimate(zone, v), true));
        return out;
    }

    @Test
    void intensityCorrectionsOfEmittedHoursRestateThemToTheCorrectedFigures(@TempDir Path tmp)
            throws Exception {
        Scenario s = new Scenario(51, 2_000, 2 * HOUR, 4_000);
        JobConfig cfg =
                config(writeRegistry(tmp, s.datacenters), Map.of("restatement.horizon", "90 min"));
        // Intensity: the estimates up to the end of the first hour; once that hour is emitted
        // (the watermark of pricing is then exactly 1 h - 1 ms: the intensity's own), two
        // corrections inside it: a measured value replacing an estimate and a new version inside
        // an interval; then the second hour's estimates; once that hour is emitted (the watermark
        // is between 2 h and 2 h 15 min), a correction of minutes 0-14, beyond the 90 min horizon.
        List<Scenario.Upd> firstHour = estimates(BASE - 15 * MIN, BASE + HOUR);
        Scenario.Upd de =
                new Scenario.Upd(
                        "DE", BASE + 30 * MIN, estimate("DE", BASE + 30 * MIN) + 25, false);
        Scenario.Upd cal = new Scenario.Upd("US-CAL-CISO", BASE + 52 * MIN, 500, false);
        List<Scenario.Upd> secondHour =
                estimates(BASE + HOUR + 15 * MIN, BASE + 2 * HOUR + 15 * MIN);
        Scenario.Upd tooOld = new Scenario.Upd("US-CAL-CISO", BASE, 999, false);

        Input<ControlEvent> intensity = InMemoryPipeline.input();
        intensity.addAll(InMemoryPipeline.intensity(cfg, 0, firstHour));
        intensity.awaitAggregate(
                "the first hour emitted",
                a -> a.window == WindowKind.HOUR && a.windowStart == BASE);
        intensity.addAll(InMemoryPipeline.intensity(cfg, intensity.size(), List.of(de, cal)));
        intensity.addAll(InMemoryPipeline.intensity(cfg, intensity.size(), secondHour));
        intensity.awaitAggregate(
                "the second hour emitted",
                a -> a.window == WindowKind.HOUR && a.windowStart == BASE + HOUR);
        intensity.addAll(InMemoryPipeline.intensity(cfg, intensity.size(), List.of(tooOld)));
        Input<RequestEnvelope> events =
                InMemoryPipeline.<RequestEnvelope>input()
                        .addAll(InMemoryPipeline.requests(cfg, 0, s.requests));

        InMemoryPipeline.Result r =
                InMemoryPipeline.run(cfg, events, intensity, InMemoryPipeline.input());

        List<Scenario.Upd> estimated = new ArrayList<>(firstHour);
        estimated.addAll(secondHour);
        List<Scenario.Upd> corrected = new ArrayList<>(estimated);
        corrected.add(de);
        corrected.add(cal);
        Map<String, Reference.Agg> before = reference(s, estimated).aggregates(s.requests);
        Map<String, Reference.Agg> after = reference(s, corrected).aggregates(s.requests);

        // Final figures: priced with the corrections (not the one beyond the horizon).
        Map<String, Aggregate> latest = r.latestAggregates();
        assertAggregatesEqual(latest, after);
        // First figures of the first hour: priced with the estimates, before the corrections.
        Map<String, Aggregate> first = endingBy(r.firstAggregates(), BASE + HOUR);
        assertAggregatesEqual(first, endingBy(before, BASE + HOUR));

        // The corrections as restatement records: one summary each, the two inside the horizon
        // applied at the watermark they came at, the third recorded as not applied.
        List<Restatement> records = r.restatements();
        Map<String, Restatement> summaries = new HashMap<>();
        for (Restatement x : records)
            if (x.getRecordType() == RestatementRecordType.SUMMARY)
                assertThat(summaries.put(x.getCorrectionId(), x)).isNull();
        assertThat(summaries).hasSize(3);
        Restatement deSummary = summary(summaries, de);
        assertThat(deSummary.getStatus()).isEqualTo(RestatementStatus.APPLIED);
        assertThat(deSummary.getWatermark().toEpochMilli()).isEqualTo(BASE + HOUR - 1);
        assertThat(deSummary.getOldValue()).isEqualTo(estimate("DE", BASE + 30 * MIN));
        assertThat(deSummary.getNewValue()).isEqualTo(de.g());
        Restatement calSummary = summary(summaries, cal);
        assertThat(calSummary.getStatus()).isEqualTo(RestatementStatus.APPLIED);
        assertThat(calSummary.getWatermark().toEpochMilli()).isEqualTo(BASE + HOUR - 1);
        Restatement notApplied = summary(summaries, tooOld);
        assertThat(notApplied.getStatus()).isEqualTo(RestatementStatus.NOT_APPLIED);
        List<Restatement> panes =
                records.stream()
                        .filter(x -> x.getRecordType() == RestatementRecordType.PANE)
                        .toList();
        assertThat(panes)
                .extracting(Restatement::getCorrectionId)
                .containsOnly(deSummary.getCorrectionId(), calSummary.getCorrectionId());

        // Every window of the first hour: revised exactly when the corrections change it, by the
        // sum of its pane restatements, which is the reference's difference.
        int restated = 0;
        for (Map.Entry<String, Aggregate> e : first.entrySet()) {
            String key = e.getKey();
            Aggregate was = e.getValue();
            Aggregate is = latest.get(key);
            double delta = after.get(key).g - before.get(key).g;
            double fromPanes = paneDelta(panes, key);
            double scale = Math.max(1e-6, Math.abs(is.getLocationGco2e()));
            assertThat(is.getLocationGco2e() - was.getLocationGco2e())
                    .as(key)
                    .isCloseTo(delta, within(1e-9 * scale));
            assertThat(fromPanes).as(key + " panes").isCloseTo(delta, within(1e-9 * scale));
            if (Math.abs(delta) > 1e-9 * scale) {
                restated++;
                assertThat(is.getRevision()).as(key).isGreaterThan(1);
                assertThat(is.getRevisionReason()).as(key).contains("INTENSITY_RESTATEMENT");
            } else {
                assertThat(is.getRevision()).as(key).isEqualTo(1);
            }
        }
        assertThat(restated).isGreaterThan(10);
        assertThat(latest.get("HOUR|DATACENTER|dc-de||" + BASE).getRevision()).isEqualTo(2);
        assertThat(r.lateEvents()).isEmpty();
        assertThat(r.deadLetters()).isEmpty();
    }

    static Reference reference(Scenario s, List<Scenario.Upd> updates) {
        return new Reference(s.datacenters, updates, Map.of("XX-NODATA", 600.0), 473.0, 20 * MIN);
    }

    static Restatement summary(Map<String, Restatement> summaries, Scenario.Upd u) {
        String id = "INTENSITY|" + u.zone() + "|" + u.validFrom() + "|" + u.g();
        assertThat(summaries).containsKey(id);
        return summaries.get(id);
    }

    /** The location-based grams of the pane restatements inside a window (key as aggregates'). */
    static double paneDelta(List<Restatement> panes, String key) {
        String[] k = key.split("\\|", -1);
        long start = Long.parseLong(k[4]);
        long end = windowEnd(key);
        double g = 0;
        for (Restatement p : panes) {
            long m = p.getMinuteStart().toEpochMilli();
            if (m < start || m >= end) continue;
            if (!k[2].isEmpty() && !k[2].equals(p.getDatacenterId())) continue;
            if (!k[3].isEmpty() && !k[3].equals(p.getModelId())) continue;
            g += p.getDeltaLocationGco2e();
        }
        return g;
    }

    record Expected(String id, boolean raised, long at) {}

    @Test
    void gridSpikesUnderABusyDatacenterAndABudgetBreachRaiseAndClearAsInAlertsIT(@TempDir Path tmp)
            throws Exception {
        // AlertsIT's input: two spikes in California (minutes 60-80 at 320 and 120-145 at 340 over
        // a 200 baseline) under dc-cal-1's steady load, and a 10 min burst in dc-de against its
        // budget; a bounded run at parallelism 2, as there.
        double budget = 150.0;
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
            requests.add(req("cal-" + t, t, "dc-cal-1", "llama-3.1-8b", 500, 1));
            requests.add(req("de-" + t, t, "dc-de", "llama-3.1-8b", 500, 1));
            if (t >= BASE + 90 * MIN && t < BASE + 100 * MIN) {
                for (int i = 0; i < 40; i++)
                    requests.add(
                            req("burst-" + t + "-" + i, t + i, "dc-de", "llama-3.1-70b", 800, 4));
            }
        }
        Path registry = tmp.resolve("registry.json");
        Files.writeString(
                registry,
                """
                [{"datacenter_id":"dc-cal-1","zone":"US-CAL-CISO","pue":1.1,"wue_l_per_kwh":0.3},
                 {"datacenter_id":"dc-de","zone":"DE","pue":1.2,"wue_l_per_kwh":1.0,"emission_budget_g_per_hour":%s}]
                """
                        .formatted(budget));
        JobConfig cfg =
                config(
                        registry,
                        Map.of(
                                "bounded",
                                "true",
                                "alerts.min-dwell",
                                "15 min",
                                "parallelism",
                                "2"));

        InMemoryPipeline.Result r =
                InMemoryPipeline.run(
                        cfg,
                        InMemoryPipeline.<RequestEnvelope>input()
                                .addAll(InMemoryPipeline.requests(cfg, 0, requests)),
                        InMemoryPipeline.<ControlEvent>input()
                                .addAll(InMemoryPipeline.intensity(cfg, 0, updates)),
                        InMemoryPipeline.input());
        List<Alert> alerts = r.alerts();

        // Grid spikes: baseline 200 (median of the zone's updates), enter at 260, exit below 235,
        // 15 min dwell. (One subject's alerts come from one subtask, in order.)
        List<Alert> spikes =
                alerts.stream().filter(a -> a.getSubject().equals("US-CAL-CISO")).toList();
        String first = "GRID_SPIKE:US-CAL-CISO:" + Instant.ofEpochMilli(BASE + 60 * MIN);
        String second = "GRID_SPIKE:US-CAL-CISO:" + Instant.ofEpochMilli(BASE + 120 * MIN);
        assertThat(spikes)
                .extracting(InMemoryPipelineTest::expected)
                .containsExactly(
                        new Expected(first, true, BASE + 60 * MIN),
                        new Expected(first, false, BASE + 80 * MIN),
                        new Expected(second, true, BASE + 120 * MIN),
                        new Expected(second, false, BASE + 145 * MIN));
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
        List<Expected> expectedBudget = new ArrayList<>();
        Long raisedAt = null;
        for (long end = BASE + MIN; end <= BASE + 300 * MIN; end += MIN) {
            double rate = facilityKwh(requests, "dc-de", 1.2, end - 60 * MIN, end) * 300;
            if (raisedAt == null && rate >= budget) {
                raisedAt = end;
                expectedBudget.add(
                        new Expected(
                                "EMISSION_BUDGET:dc-de:" + Instant.ofEpochMilli(end), true, end));
            } else if (raisedAt != null && rate < 0.9 * budget && end - raisedAt >= 15 * MIN) {
                expectedBudget.add(
                        new Expected(
                                "EMISSION_BUDGET:dc-de:" + Instant.ofEpochMilli(raisedAt),
                                false,
                                end));
                raisedAt = null;
            }
        }
        assertThat(expectedBudget).hasSize(2);
        List<Alert> budgetAlerts =
                alerts.stream().filter(a -> a.getSubject().equals("dc-de")).toList();
        assertThat(budgetAlerts)
                .extracting(InMemoryPipelineTest::expected)
                .containsExactlyElementsOf(expectedBudget);
        assertThat(alerts).hasSize(spikes.size() + budgetAlerts.size());
        assertThat(r.deadLetters()).isEmpty();
    }

    static Expected expected(Alert a) {
        return new Expected(
                a.getAlertId(), a.getState() == AlertState.RAISED, a.getEventTime().toEpochMilli());
    }

    static Scenario.Req req(String id, long t, String dc, String model, long out, int gpus) {
        return new Scenario.Req(
                id, t, dc, model, "TEXT", 100, out, 0, 0, 0, gpus, 1_000, null, null);
    }

    // ---- the independent side, as the ITs compute it ----

    /** RestatementIT's estimates: a smooth curve per zone. */
    static double estimate(String zone, long validFrom) {
        double hours = (validFrom - BASE) / (double) HOUR;
        return switch (zone) {
            case "US-CAL-CISO" -> 230 + 60 * Math.sin(hours);
            case "DE" -> 320 + 40 * Math.cos(hours);
            default -> 650 + 20 * Math.sin(2 * hours);
        };
    }

    /** Facility kWh of a datacenter's requests in [from, to), from the published figures. */
    static double facilityKwh(
            List<Scenario.Req> requests, String dc, double pue, long from, long to) {
        double kwh = 0;
        for (Scenario.Req r : requests) {
            if (r.dc().equals(dc) && r.t() >= from && r.t() < to) {
                double j =
                        r.model().equals("llama-3.1-70b") ? 0.80 * r.out() : Reference.gpuJoules(r);
                kwh += j * Reference.IT_OVERHEAD * pue / 3.6e6;
            }
        }
        return kwh;
    }

    static Path writeRegistry(Path dir, List<Scenario.Dc> dcs) throws java.io.IOException {
        StringBuilder json = new StringBuilder("[");
        for (Scenario.Dc d : dcs) {
            if (json.length() > 1) json.append(',');
            json.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "{\"datacenter_id\":\"%s\",\"zone\":\"%s\",\"pue\":%s,\"wue_l_per_kwh\":%s,\"it_overhead\":%s,\"market_factor_g_per_kwh\":%s}",
                            d.id(),
                            d.zone(),
                            d.pue(),
                            d.wue(),
                            d.itOverhead(),
                            d.market()));
        }
        return Files.writeString(dir.resolve("registry.json"), json.append(']').toString());
    }

    /** End (exclusive) of the window an aggregate key names: window|dimension|dc|model|start. */
    static long windowEnd(String key) {
        long start = Long.parseLong(key.substring(key.lastIndexOf('|') + 1));
        return start + (key.startsWith("MINUTE|") ? MIN : HOUR);
    }

    /** The entries of windows ending at or before {@code end}. */
    static <V> Map<String, V> endingBy(Map<String, V> windows, long end) {
        Map<String, V> out = new HashMap<>();
        windows.forEach(
                (k, v) -> {
                    if (windowEnd(k) <= end) out.put(k, v);
                });
        return out;
    }

    /** Every expected window is present with the expected values, and nothing else is. */
    static void assertAggregatesEqual(
            Map<String, Aggregate> actual, Map<String, Reference.Agg> expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Reference.Agg> e : expected.entrySet()) {
            Aggregate a = actual.get(e.getKey());
            Reference.Agg x = e.getValue();
            String k = e.getKey();
            assertThat(a.getRequests()).as(k).isEqualTo(x.requests);
            assertThat(a.getInputTokens()).as(k).isEqualTo(x.in);
            assertThat(a.getOutputTokens()).as(k).isEqualTo(x.out);
            assertThat(a.getImages()).as(k).isEqualTo(x.images);
            close(k + " media", a.getMediaSeconds(), x.media);
            close(k + " gpuJ", a.getGpuJoules(), x.gpuJ);
            close(k + " kwh", a.getFacilityKwh(), x.kwh);
            close(k + " gCO2e", a.getLocationGco2e(), x.g);
            close(k + " water", a.getWaterL(), x.water);
            close(k + " mean intensity", a.getMeanIntensity(), x.g / x.kwh);
            close(k + " min", a.getMinIntensity(), x.min);
            close(k + " max", a.getMaxIntensity(), x.max);
            close(k + " measured share", a.getMeasuredEnergyShare(), x.measuredJ / x.gpuJ);
            close(k + " fallback share", a.getFallbackShare(), x.fallbackKwh / x.kwh);
            close(k + " stale share", a.getStaleShare(), x.staleKwh / x.kwh);
            if (x.marketRequests == x.requests) close(k + " market", a.getMarketGco2e(), x.marketG);
            else assertThat(a.getMarketGco2e()).as(k + " market").isNull();
        }
    }

    static void close(String what, double actual, double expected) {
        assertThat(actual)
                .as(what)
                .isCloseTo(expected, within(Math.max(Math.abs(expected) * 1e-9, 1e-12)));
    }
}
