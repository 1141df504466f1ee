package io.carbonstream.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Modality;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {

    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");

    @Test
    void sameSeedSameBytesOtherSeedOtherRecords() {
        GeneratorSettings s = GeneratorSettings.of(7, START, 5);
        List<GeneratedRecord> a = new TrafficGenerator(s).records(3_000, Duration.ofMinutes(30));
        List<GeneratedRecord> b = new TrafficGenerator(s).records(3_000, Duration.ofMinutes(30));
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).keyBytes()).isEqualTo(b.get(i).keyBytes());
            assertThat(Arrays.equals(a.get(i).valueBytes(), b.get(i).valueBytes()))
                    .as("record %d", i)
                    .isTrue();
        }
        List<InferenceEvent> other =
                new TrafficGenerator(GeneratorSettings.of(8, START, 5)).requests(100);
        assertThat(other.get(0).getDatacenterId() + other.get(0).getInputTokens())
                .isNotEqualTo(
                        a.stream()
                                        .filter(GeneratedRecord::isRequest)
                                        .findFirst()
                                        .orElseThrow()
                                        .event()
                                        .getDatacenterId()
                                + a.stream()
                                        .filter(GeneratedRecord::isRequest)
                                        .findFirst()
                                        .orElseThrow()
                                        .event()
                                        .getInputTokens());
    }

    @Test
    void recordsComeInPublishOrderAndNeverBeforeTheyHappen() {
        List<GeneratedRecord> rs =
                new TrafficGenerator(GeneratorSettings.of(1, START, 20))
                        .records(20_000, Duration.ofMinutes(30));
        long last = Long.MIN_VALUE;
        long outOfOrder = 0;
        long maxEvent = Long.MIN_VALUE;
        for (GeneratedRecord r : rs) {
            assertThat(r.publishAtMs()).isGreaterThanOrEqualTo(last);
            last = r.publishAtMs();
            if (r.isRequest()) {
                long t = r.event().getEventTime().toEpochMilli();
                assertThat(t).isLessThanOrEqualTo(r.publishAtMs());
                if (t < maxEvent) outOfOrder++;
                maxEvent = Math.max(maxEvent, t);
            } else {
                assertThat(r.intensity().getValidFrom().toEpochMilli())
                        .isLessThanOrEqualTo(r.publishAtMs());
            }
        }
        assertThat(rs.stream().filter(GeneratedRecord::isRequest).count()).isEqualTo(20_000);
        assertThat(outOfOrder).as("a little out of order").isBetween(100L, 15_000L);
    }

    @Test
    void requestsArePlausibleAndMixedLikeRealTraffic() {
        List<InferenceEvent> rs =
                new TrafficGenerator(GeneratorSettings.of(3, START, 20)).requests(30_000);
        Map<Modality, Integer> byModality = new HashMap<>();
        long measured = 0;
        Set<String> ids = new HashSet<>();
        for (InferenceEvent e : rs) {
            assertThat(ids.add(e.getRequestId())).isTrue();
            byModality.merge(e.getModality(), 1, Integer::sum);
            assertThat(e.getGpuCount()).isBetween(1, 8);
            assertThat(e.getDurationMs()).isPositive();
            if (e.getMeasuredGpuJoules() != null) {
                measured++;
                // The job's plausibility ceiling: gpu_count x 1500 W x duration.
                assertThat(e.getMeasuredGpuJoules())
                        .isLessThanOrEqualTo(e.getGpuCount() * 1500.0 * e.getDurationMs() / 1000.0);
            }
            if (e.getModality() == Modality.TEXT)
                assertThat(e.getOutputTokens()).isBetween(1L, 16_384L);
            if (e.getModality() == Modality.IMAGE) assertThat(e.getImages()).isPositive();
            if (e.getModality() == Modality.VIDEO) assertThat(e.getMediaSeconds()).isPositive();
        }
        assertThat(byModality.get(Modality.TEXT))
                .as("mostly text")
                .isGreaterThan(rs.size() * 3 / 4);
        assertThat(byModality.get(Modality.IMAGE)).isBetween(rs.size() / 20, rs.size() / 8);
        assertThat(byModality.get(Modality.VIDEO)).as("a few videos").isBetween(20, rs.size() / 50);
        assertThat(measured)
                .as("measured on a share only")
                .isBetween(rs.size() / 5L, rs.size() * 4L / 5);
        // Unknown models with a parameter count take the parametric path.
        assertThat(rs).anyMatch(e -> e.getActiveParamsB() != null);
    }

    @Test
    void catalogModelsAreTheJobsCatalogIdsAndTheOthersAreNot() throws Exception {
        // The job's built-in catalog, read from its source tree: the generator does not depend on
        // the job.
        JsonNode catalog;
        try (InputStream in =
                Files.newInputStream(
                        Path.of(
                                "..",
                                "job",
                                "src",
                                "main",
                                "resources",
                                "catalog",
                                "models.json"))) {
            catalog = new ObjectMapper().readTree(in).get("models");
        }
        for (ModelSpec m : Fleet.ALL_MODELS) {
            assertThat(catalog.has(m.id())).as(m.id()).isEqualTo(m.inCatalog());
        }
    }

    @Test
    void fleetSizes() {
        Fleet d = Fleet.defaultFleet();
        assertThat(d.datacenters()).hasSizeGreaterThanOrEqualTo(8);
        assertThat(d.zones())
                .extracting(z -> z.id())
                .contains("US-CAL-CISO", "US-TEX-ERCO", "DE", "FR", "SE", "PL", "IN-WE", "GB");
        Fleet big = Fleet.standard(24, 34);
        assertThat(big.datacenters()).hasSize(24).extracting(x -> x.id()).doesNotHaveDuplicates();
        assertThat(big.zones()).hasSize(10);
        assertThat(big.models()).hasSize(34);
        assertThat(
                        new TrafficGenerator(GeneratorSettings.of(1, START, 50).withFleet(big))
                                .requests(5_000))
                .extracting(InferenceEvent::getDatacenterId)
                .containsAll(big.datacenters().stream().map(x -> x.id()).toList());
    }

    @Test
    void intensityFollowsTheZonesShapesAndEstimatesGetCorrected() {
        List<GeneratedRecord> rs =
                new TrafficGenerator(GeneratorSettings.of(5, START, 0.05))
                        .records(4_000, Duration.ofMinutes(30));
        Map<String, Double> min = new HashMap<>();
        Map<String, Double> max = new HashMap<>();
        Map<String, Boolean> estimatedFirst = new HashMap<>();
        long corrections = 0;
        for (GeneratedRecord r : rs) {
            if (r.isRequest()) continue;
            IntensityUpdate u = PlainAvro.decode(r.valueBytes(), IntensityUpdate.class);
            String k = u.getZone() + "@" + u.getValidFrom();
            if (u.getEstimated()) estimatedFirst.put(k, true);
            else if (estimatedFirst.containsKey(k)) corrections++;
            min.merge(u.getZone(), u.getCarbonIntensity(), Math::min);
            max.merge(u.getZone(), u.getCarbonIntensity(), Math::max);
        }
        assertThat(corrections).isGreaterThan(estimatedFirst.size() * 9L / 10);
        // Over days, each zone ranges around its level; California swings, Sweden stays low, Poland
        // high.
        assertThat(min.get("US-CAL-CISO")).isLessThan(170);
        assertThat(max.get("US-CAL-CISO")).isGreaterThan(260);
        assertThat(max.get("SE")).isLessThan(Zones.SE.high() + 160);
        assertThat(min.get("PL")).isGreaterThan(500);
    }

    @Test
    void pacerNeverLetsSimulatedTimeLeadTheWallClock() {
        long wall = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
        long sim = wall - 86_400_000L;
        Pacer p = new Pacer(sim, wall, 144);
        long catchUp = p.catchUpInstant();
        assertThat(catchUp).isGreaterThan(wall);
        for (long t = sim; t < catchUp + 3_600_000L; t += 60_000)
            assertThat(p.wallAt(t)).isGreaterThanOrEqualTo(t - 1);
        assertThat(p.simAt(p.wallAt(sim + 3_600_000L)))
                .isCloseTo(sim + 3_600_000L, org.assertj.core.data.Offset.offset(200L));
    }

    /**
     * Arrivals are a Poisson process at the configured rate times the fleet's load, at any rate: n
     * requests span (n - 1) / rate' simulated seconds, give or take sqrt(n - 1) / rate' (the sum of
     * n - 1 exponential gaps). Gaps drawn in whole milliseconds made most gaps 0 above about 1,000
     * requests per second: 100,000 requests at 50,000/s spanned a few milliseconds instead of 2
     * seconds.
     */
    @Test
    void eventTimeAdvancesAtTheConfiguredRateAtAnyRate() {
        // The default fleet's load at midnight UTC is 0.91: 100,000 requests at 50,000/s span
        // about 2.2 s, and the mean gap at 500/s is about 2.2 ms.
        double fast = meanGapMs(50_000, 100_000);
        assertThat(fast * 99_999)
                .as("span of 100,000 requests at 50,000/s, ms")
                .isBetween(1_500.0, 2_600.0);
        double slow = meanGapMs(500, 20_000);
        assertThat(slow).as("mean gap at 500/s, ms").isBetween(1.5, 2.6);
    }

    /**
     * The mean gap between the first {@code n} arrivals at {@code rate} requests per simulated
     * second, checked against the Poisson process's expectation within 5 standard deviations.
     */
    private static double meanGapMs(double rate, int n) {
        // Without late data every request is published at its arrival.
        GeneratorSettings s = GeneratorSettings.of(11, START, rate).withoutLateData();
        long first = Long.MIN_VALUE;
        long last = 0;
        int seen = 0;
        for (java.util.Iterator<GeneratedRecord> it = new TrafficGenerator(s).iterator();
                seen < n; ) {
            GeneratedRecord r = it.next();
            if (!r.isRequest()) continue;
            if (first == Long.MIN_VALUE) first = r.publishAtMs();
            assertThat(r.publishAtMs()).isGreaterThanOrEqualTo(last);
            last = r.publishAtMs();
            seen++;
        }
        double perMs = rate * load(s.fleet(), START.toEpochMilli()) / 1_000;
        double expected = (n - 1) / perMs;
        double sd = Math.sqrt(n - 1) / perMs;
        // +1 ms: each arrival's millisecond is the floor of its exact instant.
        assertThat((double) (last - first))
                .as("span of %d arrivals at %s/s, ms", n, rate)
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(5 * sd + 1));
        return (double) (last - first) / (n - 1);
    }

    /**
     * The fleet's load factor at {@code t} by the documented daily curve (each datacenter's local
     * time, peak at 15:00 +45%, trough at 03:00 -45%), weighted by traffic: written out here, not
     * taken from the generator.
     */
    private static double load(Fleet fleet, long t) {
        double sum = 0;
        double weights = 0;
        for (DatacenterSpec d : fleet.datacenters()) {
            double hour = Math.floorMod(t, 86_400_000L) / 3_600_000.0 + d.zone().utcOffsetHours();
            sum += d.trafficWeight() * (1 + 0.45 * Math.cos(2 * Math.PI * (hour - 15) / 24));
            weights += d.trafficWeight();
        }
        return sum / weights;
    }
}
