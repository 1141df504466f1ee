package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.Aggregate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded runs are backfills: the same totals whatever the parallelism, the read speeds or which
 * source starts first, with the registry only on its topic, and with requests far more out of order
 * than the watermark and the allowed lateness would tolerate live.
 */
class BackfillIT extends KafkaAndFlinkIT {

    static void run(Map<String, String> options) throws Exception {
        JobFixture.runBounded("carbonstream-backfill", options);
    }

    @Test
    void theRegistryOnlyOnItsTopicProducedFirstLosesNothingAndVersionsApplyByEventTime()
            throws Exception {
        JobFixture f = new JobFixture(kafka, "regtopic.");
        JobFixture again = new JobFixture(kafka, "regtopic2.");
        Scenario s = new Scenario(31, 6_000, 70 * Scenario.MIN, 4_000);
        // Every datacenter since always (two of them by a producer still on the first schema), and
        // dc-de's PUE raised from minute 30 on (its own key: both versions kept).
        f.produceRegistry(s.datacenters.subList(0, 3), null);
        f.produceRegistryFirstSchema(s.datacenters.subList(3, s.datacenters.size()));
        Scenario.Dc de = s.datacenter("dc-de");
        Scenario.Dc deLater =
                new Scenario.Dc(de.id(), de.zone(), 1.40, 0.80, de.itOverhead(), 95.0);
        long from = Scenario.BASE + 30 * Scenario.MIN;
        f.produceRegistry(List.of(deLater), from);
        f.produceScenario(s, Map.of());

        Map<String, String> options = f.config(null, Map.of("bounded", "true"));
        run(options);
        Map<String, String> second = new HashMap<>(options);
        second.putAll(f.outputsTo(again));
        run(second);

        Map<String, Reference.Agg> expected =
                new Reference(s, Map.of("XX-NODATA", 600.0), 473.0, 20 * Scenario.MIN)
                        .version(deLater, from)
                        .aggregates(s.requests);
        assertThat(f.deadLetters("dlq")).isEmpty();
        assertThat(again.deadLetters("dlq")).isEmpty();
        assertThat(f.deadLetters("late")).isEmpty();
        Map<String, Aggregate> first = f.latestAggregates();
        JobFixture.assertAggregatesEqual(first, expected);
        JobFixture.assertAggregatesEqual(again.latestAggregates(), expected);
        // The PUE change shows where it should: dc-de's hour windows before and after minute 30
        // differ in kWh per GPU joule.
        Aggregate before = first.get("MINUTE|DATACENTER|dc-de||" + (from - Scenario.MIN));
        Aggregate after = first.get("MINUTE|DATACENTER|dc-de||" + from);
        assertThat(after.getFacilityKwh() / after.getGpuJoules())
                .isGreaterThan(before.getFacilityKwh() / before.getGpuJoules() * 1.2);
    }

    @Test
    void disorderBeyondTheLatenessGivesTheSameTotalsAtParallelism1And4(@TempDir Path tmp)
            throws Exception {
        JobFixture f = new JobFixture(kafka, "disorder.");
        JobFixture p4 = new JobFixture(kafka, "disorder4.");
        // Up to 15 minutes out of order: live, most of these would be late (5 s out-of-orderness, 2
        // min lateness).
        Scenario s = new Scenario(41, 4_000, 40 * Scenario.MIN, 15 * Scenario.MIN);
        f.produceScenario(s, Map.of());
        // Marginal values and direct emission factors for the same zones and instants, far from the
        // average lifecycle ones: they must not move any total (the reference knows only the
        // latter).
        List<KafkaIO.Raw> otherSignals = new ArrayList<>();
        for (Scenario.Upd u : s.intensity) {
            for (String[] kind :
                    new String[][] {{"marginal", "lifecycle"}, {"average", "direct"}}) {
                otherSignals.add(
                        new KafkaIO.Raw(
                                JobFixture.utf8(u.zone()),
                                Avro.encode(
                                        io.carbonstream.schema.IntensityUpdate.newBuilder(
                                                        Avro.update(u))
                                                .setCarbonIntensity(2_999)
                                                .setSignal(kind[0])
                                                .setEmissionFactorType(kind[1])
                                                .setSource("other-signal")
                                                .build())));
            }
        }
        f.produce("intensity", otherSignals);
        Path registry = JobFixture.writeRegistry(tmp, s.datacenters);

        run(f.config(registry, Map.of("bounded", "true", "parallelism", "1")));
        Map<String, String> four =
                new HashMap<>(f.config(registry, Map.of("bounded", "true", "parallelism", "4")));
        four.putAll(f.outputsTo(p4));
        run(four);

        Map<String, Reference.Agg> expected = JobFixture.reference(s, s.requests);
        for (JobFixture run : List.of(f, p4)) {
            assertThat(run.deadLetters("late")).as(run.prefix + " late events").isEmpty();
            assertThat(run.deadLetters("dlq")).as(run.prefix + " dead letters").isEmpty();
            JobFixture.assertAggregatesEqual(run.latestAggregates(), expected);
        }
        // Identical at both parallelisms, request counts exactly, sums to rounding.
        Map<String, Aggregate> one = f.latestAggregates();
        Map<String, Aggregate> other = p4.latestAggregates();
        assertThat(other.keySet()).isEqualTo(one.keySet());
        List<String> differing = new ArrayList<>();
        one.forEach(
                (k, a) -> {
                    Aggregate b = other.get(k);
                    if (a.getRequests() != b.getRequests()
                            || Math.abs(a.getLocationGco2e() - b.getLocationGco2e())
                                    > 1e-9 * Math.abs(a.getLocationGco2e())) {
                        differing.add(k);
                    }
                });
        assertThat(differing).isEmpty();
    }
}
