package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.LedgerModelLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events and certificates in, the hourly ledger out, on a real broker and a MiniCluster: every
 * row's figures equal its HOUR/DATACENTER aggregate's exactly (they are the same numbers), its
 * models add up to it, and its market-based figures follow the matching rules computed here from
 * the certificates written: half an hour's load covered, a surplus hour, a certificate for an hour
 * without load, one for the wrong grid (a dead letter), a residual-mix table for one zone.
 */
class LedgerIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long HOUR = 60 * MIN;
    static final long BASE = Scenario.BASE;

    /**
     * (164 kg + 5,700 kg / 8) over 4 years, per GPU-second at 400 W: the shipped catalog's
     * hardware, by hand.
     */
    static final double EMBODIED_G_PER_GPU_J = 876_500.0 / (4 * 365.25 * 86_400) / 400;

    static String aggKey(String dc, long hour) {
        return "HOUR|DATACENTER|" + dc + "||" + hour;
    }

    static KafkaIO.Raw certificate(String id, String dc, long hour, String boundary, double mwh) {
        Certificate c =
                Certificate.newBuilder()
                        .setCertificateId(id)
                        .setMwh(mwh)
                        .setGenerationStart(Instant.ofEpochMilli(hour))
                        .setGridBoundary(boundary)
                        .setTechnology("SOLAR")
                        .setInstrument("PPA")
                        .setRetiredForDatacenter(dc)
                        .build();
        return new KafkaIO.Raw(JobFixture.utf8(id), Avro.encode(c));
    }

    @Test
    void theLedgerReconcilesWithTheHourlyAggregatesAndMatchesCertificatesHourByHour(
            @TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "ledger.");
        Scenario s = new Scenario(61, 3_000, 2 * HOUR, 2_000);
        f.produceScenario(s, Map.of());
        List<Scenario.Req> counted = new ArrayList<>(s.requests);
        counted.addAll(f.pushWatermark("push", BASE + 2 * HOUR + 5 * MIN));
        Map<String, Reference.Agg> expected = JobFixture.reference(s, counted);

        // Certificates sized from the expected load: half of dc-de's first hour, three times
        // dc-cal-1's
        // second hour (a surplus), one for dc-cal-2 in an hour it ran nothing (all surplus), one
        // retired for dc-pl but delivered in DE (wrong grid: never matched).
        double deKwh = expected.get(aggKey("dc-de", BASE)).kwh;
        double calKwh = expected.get(aggKey("dc-cal-1", BASE + HOUR)).kwh;
        f.produce(
                "certificates",
                List.of(
                        certificate("c-de", "dc-de", BASE, "DE", deKwh / 2 / 1000),
                        certificate(
                                "c-cal", "dc-cal-1", BASE + HOUR, "US-CAL-CISO", 3 * calKwh / 1000),
                        certificate("c-idle", "dc-cal-2", BASE + 5 * HOUR, "US-CAL-CISO", 0.5),
                        certificate("c-wrong-grid", "dc-pl", BASE, "DE", 1.0)));
        Path residual =
                Files.writeString(
                        tmp.resolve("residual.csv"),
                        "zone,g_per_kwh,source\nUS-CAL-CISO,250,test residual table\n");

        JobClient job =
                f.start(
                        "carbonstream-ledger",
                        JobFixture.writeRegistry(tmp, s.datacenters),
                        Map.of("ledger.residual-mix-file", residual.toString()));
        try {
            long done = BASE + 2 * HOUR;
            await(
                    "a ledger row for every hourly datacenter aggregate, and the surplus-only row",
                    () -> {
                        Map<String, LedgerEntry> rows = ledger(f);
                        Map<String, Aggregate> hours = hourly(f, done);
                        if (hours.size() < 2 * 5
                                || !rows.containsKey(
                                        "dc-cal-2|" + Instant.ofEpochMilli(BASE + 5 * HOUR)))
                            return false;
                        for (Aggregate a : hours.values()) {
                            LedgerEntry r =
                                    rows.get(a.getDatacenterId() + "|" + a.getWindowStart());
                            if (r == null
                                    || r.getAggregateRevision() != a.getRevision()
                                    || r.getCertificates() != certificatesFor(a)) return false;
                        }
                        return true;
                    });
            Map<String, LedgerEntry> rows = ledger(f);
            for (Aggregate a : hourly(f, done).values()) {
                String k = a.getDatacenterId() + "|" + a.getWindowStart();
                LedgerEntry r = rows.get(k);
                // The same numbers, not recomputed ones: equal to the last bit.
                assertThat(r.getFacilityKwh()).as(k).isEqualTo(a.getFacilityKwh());
                assertThat(r.getLocationGco2e()).as(k).isEqualTo(a.getLocationGco2e());
                assertThat(r.getWaterL()).as(k).isEqualTo(a.getWaterL());
                assertThat(r.getEmbodiedGco2e()).as(k).isEqualTo(a.getEmbodiedGco2e());
                assertThat(r.getRequests()).as(k).isEqualTo(a.getRequests());
                assertThat(r.getZone()).as(k).isEqualTo(a.getZone());
                assertThat(r.getFacilityKwhLow())
                        .as(k)
                        .isEqualTo(a.getFacilityKwhLow())
                        .isLessThan(r.getFacilityKwh());
                assertThat(r.getFacilityKwhHigh())
                        .as(k)
                        .isEqualTo(a.getFacilityKwhHigh())
                        .isGreaterThan(r.getFacilityKwh());
                assertThat(r.getSciGco2e())
                        .as(k)
                        .isEqualTo(r.getLocationGco2e() + r.getEmbodiedGco2e());
                // Embodied from the GPU energy and the catalog's hardware figures, computed here.
                assertThat(a.getEmbodiedGco2e())
                        .as(k)
                        .isCloseTo(
                                a.getGpuJoules() * EMBODIED_G_PER_GPU_J,
                                within(1e-9 * a.getEmbodiedGco2e()));
                // The aggregates themselves are right (the independent reference of the other ITs).
                JobFixture.close(
                        k + " kWh vs reference",
                        a.getFacilityKwh(),
                        expected.get(aggKey(a.getDatacenterId(), a.getWindowStart().toEpochMilli()))
                                .kwh);
                // Models add up to their datacenter.
                assertThat(r.getModels().stream().mapToLong(LedgerModelLine::getRequests).sum())
                        .as(k)
                        .isEqualTo(r.getRequests());
                JobFixture.close(
                        k + " models' kWh",
                        r.getModels().stream().mapToDouble(LedgerModelLine::getFacilityKwh).sum(),
                        r.getFacilityKwh());

                // The matching rules, here: certificates of this datacenter, hour and grid only.
                double cert =
                        certificateKwh(
                                a.getDatacenterId(),
                                a.getWindowStart().toEpochMilli(),
                                a.getZone(),
                                deKwh,
                                calKwh);
                double matched = Math.min(cert, a.getFacilityKwh());
                double residualG =
                        a.getZone().equals("US-CAL-CISO")
                                ? 250.0
                                : a.getLocationGco2e() / a.getFacilityKwh();
                JobFixture.close(k + " matched", r.getMatchedKwh(), matched);
                JobFixture.close(k + " surplus", r.getSurplusKwh(), cert - matched);
                JobFixture.close(
                        k + " unmatched", r.getUnmatchedKwh(), a.getFacilityKwh() - matched);
                JobFixture.close(
                        k + " market",
                        r.getMarketGco2e(),
                        (a.getFacilityKwh() - matched) * residualG);
                assertThat(r.getResidualMixSource())
                        .as(k)
                        .isEqualTo(
                                a.getZone().equals("US-CAL-CISO")
                                        ? "TABLE:test residual table"
                                        : "GRID_AVERAGE");
            }
            LedgerEntry de = rows.get("dc-de|" + Instant.ofEpochMilli(BASE));
            JobFixture.close("dc-de half covered", de.getMatchedKwh(), de.getFacilityKwh() / 2);
            LedgerEntry idle = rows.get("dc-cal-2|" + Instant.ofEpochMilli(BASE + 5 * HOUR));
            assertThat(idle.getAggregateRevision()).isZero();
            assertThat(idle.getFacilityKwh()).isZero();
            JobFixture.close("idle hour surplus", idle.getSurplusKwh(), 500.0);

            List<DeadLetter> dead = f.deadLetters("dlq");
            assertThat(dead)
                    .filteredOn(d -> d.getReason().equals("CERTIFICATE_OUTSIDE_BOUNDARY"))
                    .singleElement()
                    .satisfies(
                            d ->
                                    assertThat(d.getMessage())
                                            .contains("c-wrong-grid")
                                            .contains("dc-pl")
                                            .contains("zone PL"));
        } finally {
            job.cancel().get();
        }
    }

    /**
     * What the test wrote for (datacenter, hour, zone): only a certificate of that hour and grid
     * counts.
     */
    static double certificateKwh(String dc, long hour, String zone, double deKwh, double calKwh) {
        if (dc.equals("dc-de") && hour == BASE && zone.equals("DE")) return deKwh / 2;
        if (dc.equals("dc-cal-1") && hour == BASE + HOUR && zone.equals("US-CAL-CISO"))
            return 3 * calKwh;
        return 0.0;
    }

    static int certificatesFor(Aggregate a) {
        long h = a.getWindowStart().toEpochMilli();
        return (a.getDatacenterId().equals("dc-de") && h == BASE)
                        || (a.getDatacenterId().equals("dc-cal-1") && h == BASE + HOUR)
                ? 1
                : 0;
    }

    /** The latest HOUR/DATACENTER aggregates of hours ended by {@code end}. */
    static Map<String, Aggregate> hourly(JobFixture f, long end) {
        Map<String, Aggregate> out = new HashMap<>();
        f.latestAggregates()
                .forEach(
                        (k, a) -> {
                            if (k.startsWith("HOUR|DATACENTER|")
                                    && a.getWindowEnd().toEpochMilli() <= end
                                    && a.getZone() != null) out.put(k, a);
                        });
        return out;
    }

    /** The latest ledger row per key (compaction's view). */
    static Map<String, LedgerEntry> ledger(JobFixture f) {
        Map<String, LedgerEntry> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(kafka.clientProperties(), f.prefix + "ledger")) {
            LedgerEntry e = Avro.decode(rec.value(), LedgerEntry.class);
            out.merge(
                    new String(rec.key(), StandardCharsets.UTF_8),
                    e,
                    (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        return out;
    }
}
