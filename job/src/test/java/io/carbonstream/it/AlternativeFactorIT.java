package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both emission-factor types fed on the intensity topic, on a real broker and a MiniCluster: the
 * scenario's lifecycle values (the accounting type, by default) and direct values for California
 * (every minute of the run) and Germany (from minute 10 on only), none for Poland. Every window's
 * accounting figures must equal the reference over the lifecycle values alone (the direct ones
 * never reach them), and its alternative figure the same reference run over the direct values:
 * present where they priced every request (in force, not older than the max age), null elsewhere,
 * with the share of energy they priced. Then two direct values are corrected behind the watermark:
 * the alternative figures restate to the corrected reference, the accounting ones do not move, and
 * the ledger rows carry the hour's alternative figure.
 */
class AlternativeFactorIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long HOUR = 60 * MIN;
    static final long BASE = Scenario.BASE;
    static final long MAX_AGE = 20 * MIN;

    static double direct(String zone, long validFrom) {
        double hours = (validFrom - BASE) / (double) HOUR;
        return zone.equals("DE") ? 250 + 30 * Math.cos(hours) : 180 + 50 * Math.sin(hours);
    }

    static KafkaIO.Raw directRecord(Scenario.Upd u) {
        IntensityUpdate d = Avro.update(u);
        d.setEmissionFactorType("direct");
        d.setSource("test-direct");
        return new KafkaIO.Raw(JobFixture.utf8(u.zone()), Avro.encode(d));
    }

    /** The reference over one factor type's values (zone defaults and staleness as the job's). */
    static Map<String, Reference.Agg> reference(
            Scenario s, List<Scenario.Upd> updates, List<Scenario.Req> requests) {
        return new Reference(s.datacenters, updates, Map.of("XX-NODATA", 600.0), 473.0, MAX_AGE)
                .aggregates(requests);
    }

    /**
     * Whether every window's alternative fields equal the reference over the direct values: a
     * request the direct values could not price is one the reference priced with a default
     * (FALLBACK) or a value older than the max age (STALE), each counted in its energy.
     */
    static boolean alternativesEqual(
            Map<String, Aggregate> actual, Map<String, Reference.Agg> direct) {
        try {
            assertAlternativesEqual(actual, direct);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    static void assertAlternativesEqual(
            Map<String, Aggregate> actual, Map<String, Reference.Agg> direct) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(direct.keySet());
        direct.forEach(
                (k, x) -> {
                    Aggregate a = actual.get(k);
                    assertThat(a.getAlternativeFactorType()).as(k).isEqualTo("direct");
                    assertThat(a.getEmissionFactorType()).as(k).isEqualTo("lifecycle");
                    double unpriced = x.fallbackKwh + x.staleKwh;
                    if (unpriced == 0) {
                        assertThat(a.getLocationGco2eAlternative())
                                .as(k + " alternative")
                                .isNotNull();
                        JobFixture.close(k + " alternative", a.getLocationGco2eAlternative(), x.g);
                        assertThat(a.getAlternativePricedShare()).as(k + " share").isEqualTo(1.0);
                    } else {
                        assertThat(a.getLocationGco2eAlternative()).as(k + " alternative").isNull();
                        JobFixture.close(
                                k + " share",
                                a.getAlternativePricedShare(),
                                (x.kwh - unpriced) / x.kwh);
                    }
                });
    }

    @Test
    void bothFactorTypesArePricedSideBySideAndTheOtherTypesCorrectionsRestateOnlyItsFigure(
            @TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "altfactor.");
        Scenario s = new Scenario(77, 3_000, 2 * HOUR, 4_000);

        List<Scenario.Upd> directs = new ArrayList<>();
        for (long v = BASE - 10 * MIN; v <= BASE + 2 * HOUR + 30 * MIN; v += 5 * MIN) {
            directs.add(new Scenario.Upd("US-CAL-CISO", v, direct("US-CAL-CISO", v), true));
        }
        for (long v = BASE + 10 * MIN; v <= BASE + 2 * HOUR + 30 * MIN; v += 15 * MIN) {
            directs.add(new Scenario.Upd("DE", v, direct("DE", v), true));
        }
        // Both types on the one intensity topic, interleaved as a connector publishes them.
        List<KafkaIO.Raw> intensity =
                new ArrayList<>(s.intensity.stream().map(JobFixture::update).toList());
        for (int i = 0; i < directs.size(); i++)
            intensity.add(Math.min(intensity.size(), 2 * i), directRecord(directs.get(i)));
        f.produce("intensity", intensity);
        f.produce("events", s.requests.stream().map(JobFixture::event).toList());
        List<Scenario.Req> counted = new ArrayList<>(s.requests);
        long s1 = BASE + 2 * HOUR + 5 * MIN;
        counted.addAll(f.pushWatermark("push-1", s1));

        JobClient job =
                f.start(
                        "carbonstream-alternative-factor",
                        JobFixture.writeRegistry(tmp, s.datacenters),
                        Map.of("restatement.horizon", "2 h", "intensity.max-age", "20 min"));
        try {
            long done1 = s1 - 2 * MIN;
            Map<String, Reference.Agg> accounting =
                    Reference.endingBy(reference(s, s.intensity, counted), done1);
            Map<String, Reference.Agg> direct1 =
                    Reference.endingBy(reference(s, directs, counted), done1);
            await(
                    "first figures: lifecycle accounting, direct beside it",
                    () -> {
                        Map<String, Aggregate> now =
                                Reference.endingBy(f.latestAggregates(), done1);
                        return JobFixture.aggregatesEqual(now, accounting)
                                && alternativesEqual(now, direct1);
                    });
            Map<String, Aggregate> first = Reference.endingBy(f.latestAggregates(), done1);
            // The scenario covers the three cases: fully priced, partly, not at all.
            assertThat(first.values()).anyMatch(a -> a.getLocationGco2eAlternative() != null);
            assertThat(first.values())
                    .anyMatch(
                            a ->
                                    a.getLocationGco2eAlternative() == null
                                            && a.getAlternativePricedShare() > 0);
            assertThat(first.values()).anyMatch(a -> a.getAlternativePricedShare() == 0.0);

            // Corrections of the direct type, minutes and an hour behind the watermark.
            List<Scenario.Upd> corrections =
                    List.of(
                            new Scenario.Upd(
                                    "DE",
                                    BASE + 55 * MIN,
                                    direct("DE", BASE + 55 * MIN) + 35,
                                    false),
                            new Scenario.Upd(
                                    "US-CAL-CISO",
                                    BASE + HOUR + 30 * MIN,
                                    direct("US-CAL-CISO", BASE + HOUR + 30 * MIN) - 45,
                                    false));
            f.produce(
                    "intensity",
                    corrections.stream().map(AlternativeFactorIT::directRecord).toList());
            await("both corrections applied", () -> f.summaries().size() == corrections.size());
            long s2 = s1 + 10 * MIN;
            counted.addAll(f.pushWatermark("push-2", s2));
            List<Scenario.Upd> allDirect = new ArrayList<>(directs);
            allDirect.addAll(corrections);
            long done2 = s2 - 2 * MIN;
            Map<String, Reference.Agg> accounting2 =
                    Reference.endingBy(reference(s, s.intensity, counted), done2);
            Map<String, Reference.Agg> direct2 =
                    Reference.endingBy(reference(s, allDirect, counted), done2);
            await(
                    "final figures: direct corrected, lifecycle as it was",
                    () -> {
                        Map<String, Aggregate> now =
                                Reference.endingBy(f.latestAggregates(), done2);
                        return JobFixture.aggregatesEqual(now, accounting2)
                                && alternativesEqual(now, direct2);
                    });
            Map<String, Aggregate> last = Reference.endingBy(f.latestAggregates(), done2);
            JobFixture.assertAggregatesEqual(last, accounting2);
            assertAlternativesEqual(last, direct2);

            List<Restatement> summaries =
                    f.restatements().stream()
                            .filter(r -> r.getRecordType() == RestatementRecordType.SUMMARY)
                            .toList();
            assertThat(summaries)
                    .allSatisfy(
                            r -> {
                                assertThat(r.getStatus()).isEqualTo(RestatementStatus.APPLIED);
                                assertThat(r.getCorrectionId()).endsWith("|direct");
                                assertThat(r.getNote()).contains("location_gco2e_alternative");
                            });
            // Restated windows: the alternative moved, the accounting figure did not, and the
            // revision says why.
            int restated = 0;
            for (Map.Entry<String, Aggregate> e : first.entrySet()) {
                Aggregate was = e.getValue();
                Aggregate now = last.get(e.getKey());
                if (was.getLocationGco2eAlternative() == null
                        || now.getLocationGco2eAlternative()
                                .equals(was.getLocationGco2eAlternative())) continue;
                restated++;
                // Up to rounding: re-pricing recomputes a slice's facility energy from its summed
                // GPU energy.
                JobFixture.close(
                        e.getKey() + " accounting g unchanged",
                        now.getLocationGco2e(),
                        was.getLocationGco2e());
                assertThat(now.getRevisionReason())
                        .as(e.getKey())
                        .contains("INTENSITY_RESTATEMENT");
            }
            assertThat(restated).isGreaterThan(10);

            // The ledger carries each hour's alternative figure as its HOUR/DATACENTER aggregate
            // has it.
            long[] hours = {BASE, BASE + HOUR};
            await(
                    "ledger rows of the complete hours",
                    () -> {
                        Map<String, LedgerEntry> rows = LedgerIT.ledger(f);
                        for (long h : hours) {
                            for (Scenario.Dc dc : s.datacenters) {
                                Aggregate a = last.get("HOUR|DATACENTER|" + dc.id() + "||" + h);
                                if (a == null) continue;
                                LedgerEntry r =
                                        rows.get(dc.id() + "|" + java.time.Instant.ofEpochMilli(h));
                                if (r == null || r.getAggregateRevision() != a.getRevision())
                                    return false;
                                assertThat(r.getLocationGco2eAlternative())
                                        .as(dc.id() + " " + h)
                                        .isEqualTo(a.getLocationGco2eAlternative());
                                assertThat(r.getAlternativePricedShare())
                                        .as(dc.id() + " " + h)
                                        .isEqualTo(a.getAlternativePricedShare());
                                assertThat(r.getAlternativeFactorType()).isEqualTo("direct");
                                assertThat(r.getLocationGco2e())
                                        .isEqualTo(a.getLocationGco2e()); // the row is the
                                // aggregate's, to the
                                // bit
                            }
                        }
                        return true;
                    });
            assertThat(f.deadLetters("dlq")).isEmpty();
        } finally {
            job.cancel().get();
        }
    }
}
