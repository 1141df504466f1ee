package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.InMemoryPipeline;
import io.carbonstream.InMemoryPipeline.Input;
import io.carbonstream.aggregate.RestatementRecord;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.config.JobConfig;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** The options of a run over scenario {@code s}: its datacenters as the registry file. */
    static JobConfig config(Path tmp, Scenario s, Map<String, String> extra) throws IOException {
        return config(JobFixture.writeRegistry(tmp, s.datacenters), extra);
    }

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
        JobConfig cfg = config(tmp, s, Map.of("allowed-lateness", "2 min"));
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
        JobFixture.assertAggregatesEqual(latest, reference(s, s.intensity).aggregates(counted));

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
        JobConfig cfg = config(tmp, s, Map.of("restatement.horizon", "90 min"));
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
        JobFixture.assertAggregatesEqual(latest, after);
        // First figures of the first hour: priced with the estimates, before the corrections.
        Map<String, Aggregate> first = Reference.endingBy(r.firstAggregates(), BASE + HOUR);
        JobFixture.assertAggregatesEqual(first, Reference.endingBy(before, BASE + HOUR));

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

    @Test
    void aRegistryVersionPublishedAfterItsHourWasEmittedRestatesItsDatacenter(@TempDir Path tmp)
            throws Exception {
        Scenario s = new Scenario(52, 2_000, 2 * HOUR, 4_000);
        // The change meets a watermark of about 1 h 05 (the requests wait below): a 90-min horizon
        // reaches back past minute 20.
        JobConfig cfg = config(tmp, s, Map.of("restatement.horizon", "90 min"));
        List<Scenario.Upd> updates = estimates(BASE - 15 * MIN, BASE + 2 * HOUR + 15 * MIN);
        Scenario.Dc pl = s.datacenter("dc-pl");
        // dc-pl's PUE raised from minute 20 of the first hour, published once that hour is out.
        Scenario.Dc plLater = pl.withPue(1.80);
        long plFrom = BASE + 20 * MIN;

        Input<ControlEvent> registry = InMemoryPipeline.input();
        registry.awaitAggregate(
                "the first hour emitted",
                a -> a.window == WindowKind.HOUR && a.windowStart == BASE);
        registry.addAll(InMemoryPipeline.registry(cfg, 0, List.of(plLater), plFrom));
        // The requests of the first 70 minutes, then the rest once the change was decided: the
        // requests hold the watermark at about 1 h 05 meanwhile, so the change meets a watermark
        // past the first hour and inside the horizon (without the gate, the bounded requests
        // would end first and the change would meet the final watermark).
        List<RequestEnvelope> requests = InMemoryPipeline.requests(cfg, 0, s.requests);
        Input<RequestEnvelope> events = InMemoryPipeline.input();
        events.addAll(
                requests.stream().filter(e -> e.request.eventTime < BASE + 70 * MIN).toList());
        events.awaitRestatement(
                "the registry change decided", x -> x.type == RestatementRecord.Type.SUMMARY);
        events.addAll(
                requests.stream().filter(e -> e.request.eventTime >= BASE + 70 * MIN).toList());
        InMemoryPipeline.Result r =
                InMemoryPipeline.run(
                        cfg,
                        events,
                        InMemoryPipeline.<ControlEvent>input()
                                .addAll(InMemoryPipeline.intensity(cfg, 0, updates)),
                        registry);

        Map<String, Reference.Agg> before = reference(s, updates).aggregates(s.requests);
        Map<String, Reference.Agg> after =
                reference(s, updates).version(plLater, plFrom).aggregates(s.requests);
        Map<String, Aggregate> latest = r.latestAggregates();
        JobFixture.assertAggregatesEqual(latest, after);
        Map<String, Aggregate> first = Reference.endingBy(r.firstAggregates(), BASE + HOUR);
        JobFixture.assertAggregatesEqual(first, Reference.endingBy(before, BASE + HOUR));

        // One summary, applied; pane records only of dc-pl, only from minute 20 on, adding up to
        // the reference's difference in every window of the first hour.
        List<Restatement> records = r.restatements();
        List<Restatement> summaries =
                records.stream()
                        .filter(x -> x.getRecordType() == RestatementRecordType.SUMMARY)
                        .toList();
        assertThat(summaries).hasSize(1);
        assertThat(summaries.get(0).getCorrectionId())
                .isEqualTo("REGISTRY|dc-pl|" + plFrom + "|" + plLater.pue());
        assertThat(summaries.get(0).getStatus()).isEqualTo(RestatementStatus.APPLIED);
        assertThat(summaries.get(0).getOldValue()).isEqualTo(pl.pue());
        assertThat(summaries.get(0).getNewValue()).isEqualTo(plLater.pue());
        List<Restatement> panes =
                records.stream()
                        .filter(x -> x.getRecordType() == RestatementRecordType.PANE)
                        .toList();
        assertThat(panes).isNotEmpty();
        assertThat(panes).extracting(Restatement::getDatacenterId).containsOnly("dc-pl");
        assertThat(panes)
                .allSatisfy(
                        p ->
                                assertThat(p.getMinuteStart().toEpochMilli())
                                        .isGreaterThanOrEqualTo(plFrom));
        int restated = 0;
        for (Map.Entry<String, Aggregate> e : first.entrySet()) {
            String key = e.getKey();
            double delta = after.get(key).g - before.get(key).g;
            Aggregate is = latest.get(key);
            double scale = Math.max(1e-6, Math.abs(is.getLocationGco2e()));
            assertThat(paneDelta(panes, key)).as(key).isCloseTo(delta, within(1e-9 * scale));
            if (Math.abs(delta) > 1e-9 * scale) {
                restated++;
                assertThat(is.getRevisionReason()).as(key).contains("REGISTRY_CHANGE");
            } else {
                assertThat(is.getRevision()).as(key).isEqualTo(e.getValue().getRevision());
            }
        }
        assertThat(restated).isGreaterThan(3);
        assertThat(latest.get("HOUR|DATACENTER|dc-pl||" + BASE).getRevisionReason())
                .contains("REGISTRY_CHANGE");
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
        long end = Reference.windowEnd(key);
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

    @Test
    void gridSpikesUnderABusyDatacenterAndABudgetBreachRaiseAndClearAsInAlertsIT(@TempDir Path tmp)
            throws Exception {
        // AlertsIT's input and expectations, on a bounded run at parallelism 2, as there.
        AlertsScenario s = new AlertsScenario();
        Path registry = AlertsScenario.writeRegistry(tmp);
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
                                .addAll(InMemoryPipeline.requests(cfg, 0, s.requests)),
                        InMemoryPipeline.<ControlEvent>input()
                                .addAll(InMemoryPipeline.intensity(cfg, 0, s.updates)),
                        InMemoryPipeline.input());
        s.assertAlerts(r.alerts());
        assertThat(r.deadLetters()).isEmpty();
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
}
