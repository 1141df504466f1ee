package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live run fed estimates, then corrections minutes and hours of event time behind the watermark,
 * a new intensity version inside an already priced interval, a PUE change effective in the past,
 * and one correction beyond the restatement horizon. The final revision of every window must equal
 * both the independent reference over the corrected inputs and a bounded run over the same topics;
 * the restatement records of each window must add up to its final minus its first revision; the
 * correction beyond the horizon must be recorded as not applied and change nothing.
 */
class RestatementIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long HOUR = 60 * MIN;
    static final long BASE = Scenario.BASE;
    static final List<String> ZONES = List.of("US-CAL-CISO", "DE", "PL");

    static double estimate(String zone, long validFrom) {
        double hours = (validFrom - BASE) / (double) HOUR;
        return switch (zone) {
            case "US-CAL-CISO" -> 230 + 60 * Math.sin(hours);
            case "DE" -> 320 + 40 * Math.cos(hours);
            default -> 650 + 20 * Math.sin(2 * hours);
        };
    }

    @Test
    void liveRestatementsConvergeToTheBoundedFigures(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "restate.");
        JobFixture bounded = new JobFixture(kafka, "restate-b.");
        Scenario s = new Scenario(51, 5_000, 3 * HOUR, 4_000);

        // Phase 1: estimates every 15 minutes, all requests, a watermark past the last of them.
        List<Scenario.Upd> updates = new ArrayList<>();
        for (String zone : ZONES) {
            for (long v = BASE - 15 * MIN; v <= BASE + 3 * HOUR; v += 15 * MIN)
                updates.add(new Scenario.Upd(zone, v, estimate(zone, v), true));
        }
        f.produceIntensity(updates);
        f.produce("events", s.requests.stream().map(JobFixture::event).toList());
        List<Scenario.Req> counted = new ArrayList<>(s.requests);
        long s1 = BASE + 3 * HOUR + 5 * MIN;
        counted.addAll(f.pushWatermark("push-1", s1));

        Map<String, String> options = new HashMap<>(JobFixture.PROMPT);
        options.put("restatement.horizon", "2 h");
        Path registry = JobFixture.writeRegistry(tmp, s.datacenters);
        JobClient job = f.start("carbonstream-restatements", registry, options);
        try {
            long done1 = s1 - 2 * MIN;
            Map<String, Reference.Agg> estimated =
                    Reference.endingBy(reference(s, updates).aggregates(counted), done1);
            await(
                    "first figures, priced with the estimates",
                    () ->
                            JobFixture.aggregatesEqual(
                                    Reference.endingBy(f.latestAggregates(), done1), estimated));

            // Phase 2: measured values replace estimates (minutes and hours behind the watermark),
            // a new
            // version inside a priced interval, and dc-pl's PUE raised from 2 h 20 on, published
            // now.
            List<Scenario.Upd> corrections =
                    List.of(
                            new Scenario.Upd(
                                    "US-CAL-CISO",
                                    BASE + 2 * HOUR + 45 * MIN,
                                    estimate("US-CAL-CISO", BASE + 2 * HOUR + 45 * MIN) + 40,
                                    false),
                            new Scenario.Upd(
                                    "DE",
                                    BASE + HOUR + 30 * MIN,
                                    estimate("DE", BASE + HOUR + 30 * MIN) + 25,
                                    false),
                            new Scenario.Upd(
                                    "PL",
                                    BASE + 2 * HOUR,
                                    estimate("PL", BASE + 2 * HOUR) - 60,
                                    false),
                            new Scenario.Upd("US-CAL-CISO", BASE + HOUR + 52 * MIN, 500, false));
            f.produceIntensity(corrections);
            Scenario.Dc plLater = s.datacenter("dc-pl").withPue(1.80);
            long plFrom = BASE + 2 * HOUR + 20 * MIN;
            f.produceRegistry(List.of(plLater), plFrom);
            await("every correction applied", () -> f.summaries().size() == corrections.size() + 1);
            long s2 = s1 + 10 * MIN;
            counted.addAll(f.pushWatermark("push-2", s2));
            List<Scenario.Upd> all = new ArrayList<>(updates);
            all.addAll(corrections);
            Map<String, Reference.Agg> finalFigures =
                    reference(s, all).version(plLater, plFrom).aggregates(counted);
            long done2 = s2 - 2 * MIN;
            await(
                    "final figures, priced with the corrections",
                    () ->
                            JobFixture.aggregatesEqual(
                                    Reference.endingBy(f.latestAggregates(), done2),
                                    Reference.endingBy(finalFigures, done2)));

            // A bounded run over the same topics, now: the backfill a report would file.
            Map<String, String> backfill = new HashMap<>(f.config(registry, options));
            backfill.putAll(f.outputsTo(bounded));
            backfill.put("bounded", "true");
            JobFixture.runBounded("carbonstream-restatements-backfill", backfill);
            Map<String, Aggregate> live = Reference.endingBy(f.latestAggregates(), done2);
            Map<String, Aggregate> filed = bounded.latestAggregates();
            JobFixture.assertAggregatesEqual(filed, finalFigures);
            assertThat(filed.keySet()).containsAll(live.keySet());
            live.forEach(
                    (k, a) -> {
                        Aggregate b = filed.get(k);
                        assertThat(a.getRequests()).as(k).isEqualTo(b.getRequests());
                        JobFixture.close(
                                k + " live vs bounded g",
                                a.getLocationGco2e(),
                                b.getLocationGco2e());
                        JobFixture.close(
                                k + " live vs bounded kWh", a.getFacilityKwh(), b.getFacilityKwh());
                        JobFixture.close(
                                k + " live vs bounded min",
                                a.getMinIntensity(),
                                b.getMinIntensity());
                        JobFixture.close(
                                k + " live vs bounded max",
                                a.getMaxIntensity(),
                                b.getMaxIntensity());
                    });

            // Phase 3: a correction far behind the 2 h horizon is recorded, not applied.
            long old = BASE + 30 * MIN;
            f.produceIntensity(List.of(new Scenario.Upd("US-CAL-CISO", old, 999, false)));
            await(
                    "the correction beyond the horizon recorded",
                    () ->
                            f.restatements().stream()
                                    .anyMatch(
                                            r ->
                                                    r.getRecordType()
                                                                    == RestatementRecordType.SUMMARY
                                                            && r.getValidFrom().toEpochMilli()
                                                                    == old));
            List<Restatement> records = f.restatements();
            Restatement tooOld =
                    records.stream()
                            .filter(r -> r.getValidFrom().toEpochMilli() == old)
                            .findFirst()
                            .orElseThrow();
            assertThat(tooOld.getStatus()).isEqualTo(RestatementStatus.NOT_APPLIED);
            assertThat(records)
                    .noneMatch(
                            r ->
                                    r.getCorrectionId().equals(tooOld.getCorrectionId())
                                            && r.getRecordType() == RestatementRecordType.PANE);
            counted.addAll(f.pushWatermark("push-3", s2 + 5 * MIN));
            assertThat(records)
                    .filteredOn(r -> r.getRecordType() == RestatementRecordType.SUMMARY)
                    .filteredOn(r -> r.getValidFrom().toEpochMilli() != old)
                    .allSatisfy(
                            r -> assertThat(r.getStatus()).isEqualTo(RestatementStatus.APPLIED));

            // The restatement records of each window add up to its final minus its first revision.
            Map<String, Aggregate> firsts = new HashMap<>();
            for (Map.Entry<String, Aggregate> e : f.aggregateRecords()) {
                firsts.merge(
                        e.getKey(),
                        e.getValue(),
                        (x, y) -> y.getRevision() < x.getRevision() ? y : x);
            }
            List<Restatement> panes =
                    records.stream()
                            .filter(r -> r.getRecordType() == RestatementRecordType.PANE)
                            .toList();
            assertThat(panes).isNotEmpty();
            int restated = 0;
            for (Map.Entry<String, Aggregate> e :
                    Reference.endingBy(f.latestAggregates(), done1).entrySet()) {
                String[] k = e.getKey().split("\\|", -1);
                long start = Long.parseLong(k[4]);
                long end = Reference.windowEnd(e.getKey());
                double g = 0, kwh = 0;
                for (Restatement r : panes) {
                    long m = r.getMinuteStart().toEpochMilli();
                    if (m < start || m >= end) continue;
                    if (!k[2].isEmpty() && !k[2].equals(r.getDatacenterId())) continue;
                    if (!k[3].isEmpty() && !k[3].equals(r.getModelId())) continue;
                    g += r.getDeltaLocationGco2e();
                    kwh += r.getDeltaFacilityKwh();
                }
                Aggregate first = firsts.get(e.getKey());
                Aggregate last = e.getValue();
                double scale = Math.max(1e-6, Math.abs(last.getLocationGco2e()));
                assertThat(last.getLocationGco2e() - first.getLocationGco2e())
                        .as(e.getKey() + " g")
                        .isCloseTo(g, within(1e-9 * scale));
                assertThat(last.getFacilityKwh() - first.getFacilityKwh())
                        .as(e.getKey() + " kWh")
                        .isCloseTo(kwh, within(1e-9 * Math.max(1e-9, last.getFacilityKwh())));
                if (g != 0) {
                    restated++;
                    assertThat(last.getRevision()).as(e.getKey()).isGreaterThan(1);
                    assertThat(last.getRevisionReason())
                            .as(e.getKey())
                            .containsAnyOf("INTENSITY_RESTATEMENT", "REGISTRY_CHANGE");
                }
            }
            assertThat(restated).isGreaterThan(10);
            assertThat(
                            f.latestAggregates()
                                    .get("HOUR|DATACENTER|dc-pl||" + (BASE + 2 * HOUR))
                                    .getRevisionReason())
                    .contains("REGISTRY_CHANGE");
            assertThat(f.deadLetters("dlq")).isEmpty();
            assertThat(f.deadLetters("late")).isEmpty();
        } finally {
            job.cancel().get();
        }
    }

    static Reference reference(Scenario s, List<Scenario.Upd> updates) {
        return new Reference(s.datacenters, updates, Map.of("XX-NODATA", 600.0), 473.0, 20 * MIN);
    }
}
