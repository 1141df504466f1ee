package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.gpu.AttributionReference;
import io.carbonstream.gpu.GpuUse;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.GpuEnergySample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two GPUs in dc-de metered by DCGM-style counters (mJ, every 10 s, one reboot), requests that name
 * them, on a real broker and a MiniCluster: each GPU's hour, the datacenter's idle energy and each
 * model's attributed energy equal the brute-force reference computed here from the same readings
 * and requests (shared by tokens per ms), and attributed + idle = metered per GPU and hour.
 */
class GpuAttributionIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long BASE = Scenario.BASE; // on the hour
    static final List<String> GPUS = List.of("GPU-aaaa-0001", "GPU-aaaa-0002");
    static final List<String> MODELS = GpuRuns.MODELS;

    @Test
    void meteredEnergyIsSplitOverTheRequestsThatUsedEachGpu(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "gpu.");
        GpuRuns.createTopics(f);
        Scenario s =
                new Scenario(
                        81, 10, MIN,
                        0); // its datacenters and intensity; its few requests count like any
        f.produceScenario(s, Map.of());
        Random rnd = new Random(81);

        // Requests on the GPUs over the hour: 1-20 s long, one GPU or both, quiet between minutes
        // 20 and 25.
        // Produced in event-time order, as servers report them (within the 5 s out-of-orderness).
        java.util.TreeMap<Long, KafkaIO.Raw> events = new java.util.TreeMap<>();
        Map<String, List<GpuUse>> usesByGpu = new HashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            long end = BASE + 30_000 + rnd.nextInt((int) (59 * MIN));
            if (end > BASE + 20 * MIN && end < BASE + 25 * MIN + 20_000) continue;
            long duration = 1_000 + rnd.nextInt(19_000);
            String model = MODELS.get(rnd.nextInt(2));
            List<String> gpus = rnd.nextInt(4) == 0 ? GPUS : List.of(GPUS.get(rnd.nextInt(2)));
            long in = 100 + rnd.nextInt(2_000), out = 10 + rnd.nextInt(800);
            String id = "g-" + i;
            if (events.putIfAbsent(end, GpuRuns.event(id, end, duration, model, in, out, gpus))
                    != null) continue;
            modelOf.put(id, model);
            for (String g : gpus) {
                usesByGpu
                        .computeIfAbsent(g, k -> new ArrayList<>())
                        .add(GpuRuns.use(id, end, duration, in, out));
            }
        }
        f.produce("events", new ArrayList<>(events.values()));

        // Readings every 10 s from just before the hour to 3 min past it, in mJ, both GPUs at each
        // scrape (as a
        // DCGM exporter publishes them); GPU 2 reboots at minute 40.
        Map<String, List<long[]>> readings = new HashMap<>();
        List<KafkaIO.Raw> samples = new ArrayList<>();
        Map<String, Double> counter = new HashMap<>(Map.of(GPUS.get(0), 5e9, GPUS.get(1), 7e9));
        for (long t = BASE - 10_000; t <= BASE + 66 * MIN; t += 10_000) {
            for (String g : GPUS) {
                if (g.equals(GPUS.get(1)) && t == BASE + 40 * MIN)
                    counter.put(g, 1_200_000.0); // the counter restarted
                double mj = counter.get(g);
                readings.computeIfAbsent(g, k -> new ArrayList<>())
                        .add(new long[] {t, Double.doubleToLongBits(mj / 1000)});
                GpuEnergySample r =
                        GpuEnergySample.newBuilder()
                                .setGpuId(g)
                                .setDatacenterId("dc-de")
                                .setHost("node-1")
                                .setSampleTime(Instant.ofEpochMilli(t))
                                .setCumulativeEnergy(mj)
                                .setUnit("mJ")
                                .build();
                samples.add(new KafkaIO.Raw(g.getBytes(StandardCharsets.UTF_8), Avro.encode(r)));
                counter.put(g, mj + 1e3 * (700 + rnd.nextInt(3_500))); // 70-420 W over 10 s
            }
        }
        f.produce("gpu-energy", samples);
        // The aggregates are held back by --events.max-request-duration + --gpu.expected-sample-gap
        // (2 min here).
        f.pushWatermark("push", BASE + 68 * MIN);

        JobClient job =
                f.start(
                        "carbonstream-gpu-attribution",
                        JobFixture.writeRegistry(tmp, s.datacenters),
                        GpuRuns.options(f));
        try {
            // The reference, per GPU, from the same readings and uses.
            GpuRuns.Expected x = GpuRuns.Expected.of(GPUS, readings, usesByGpu, modelOf);
            String hour = Instant.ofEpochMilli(BASE).toString();
            GpuRuns.awaitOutputs(f, GPUS, hour, x);
            Map<String, GpuAttribution> out = GpuRuns.latest(f);
            GpuRuns.assertHour(out, GPUS, hour, x);
            assertThat(out.get("GPU|" + GPUS.get(1) + "|" + hour).getResets()).isEqualTo(1);
            assertThat(out.get("GPU|" + GPUS.get(0) + "|" + hour).getResets()).isZero();
            // Every request on the GPUs was metered over its whole span (readings from before the
            // first to after the last).
            for (String m : MODELS) {
                GpuAttribution mh = out.get(GpuRuns.modelKey(m, hour));
                assertThat(mh.getPartlyUnmetered()).as(m).isZero();
                assertThat(mh.getEstimatedJ()).as(m + " estimate beside it").isPositive();
                assertThat(mh.getMeteredToEstimated()).as(m).isNotNull();
            }
            assertAggregatesCarryTheMeteredEnergy(f, s, x.perGpu(), modelOf);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * The requests on the GPUs have no measurement of their own: they are priced with their
     * metered, attributed energy (--gpu.price-attributed, on by default). So the hour's aggregates
     * of dc-de per model and for the datacenter carry the reference's per-request energies of those
     * requests plus the estimates (or own measurements) of the scenario's other requests, and the
     * share of the former is metered_attributed_share.
     */
    static void assertAggregatesCarryTheMeteredEnergy(
            JobFixture f,
            Scenario s,
            Map<String, AttributionReference.Result> ref,
            Map<String, String> modelOf)
            throws Exception {
        Map<String, Double> attributed = new HashMap<>(); // by aggregate key
        Map<String, Double> expected = new HashMap<>();
        Map<String, Double> measured = new HashMap<>();
        String dcKey = "HOUR|DATACENTER|dc-de||" + BASE;
        for (AttributionReference.Result r : ref.values()) {
            r.perRequest()
                    .forEach(
                            (id, j) -> {
                                for (String k :
                                        List.of(
                                                "HOUR|DATACENTER_MODEL|dc-de|"
                                                        + modelOf.get(id)
                                                        + "|"
                                                        + BASE,
                                                dcKey)) {
                                    attributed.merge(k, j, Double::sum);
                                    expected.merge(k, j, Double::sum);
                                }
                            });
        }
        for (Scenario.Req r : s.requests) {
            if (!r.dc().equals("dc-de") || Math.floorDiv(r.t(), 60 * MIN) * 60 * MIN != BASE)
                continue;
            double j = Reference.gpuJoules(r);
            for (String k :
                    List.of("HOUR|DATACENTER_MODEL|dc-de|" + r.model() + "|" + BASE, dcKey)) {
                expected.merge(k, j, Double::sum);
                if (Reference.plausible(r)) measured.merge(k, j, Double::sum);
            }
        }
        try {
            await(
                    "the hour's aggregates of dc-de with the metered energy",
                    () -> {
                        Map<String, io.carbonstream.schema.Aggregate> a = f.latestAggregates();
                        return expected.entrySet().stream()
                                .allMatch(
                                        e ->
                                                a.containsKey(e.getKey())
                                                        && Math.abs(
                                                                        a.get(e.getKey())
                                                                                        .getGpuJoules()
                                                                                - e.getValue())
                                                                <= 1e-9 * e.getValue());
                    });
        } catch (AssertionError e) {
            StringBuilder seen = new StringBuilder();
            Map<String, io.carbonstream.schema.Aggregate> a = f.latestAggregates();
            expected.keySet()
                    .forEach(
                            k ->
                                    seen.append('\n')
                                            .append(k)
                                            .append(" gpuJ=")
                                            .append(
                                                    a.containsKey(k)
                                                            ? a.get(k).getGpuJoules()
                                                            : null));
            throw new AssertionError(
                    e.getMessage() + "; expected " + expected + "; seen:" + seen, e);
        }
        Map<String, io.carbonstream.schema.Aggregate> a = f.latestAggregates();
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            io.carbonstream.schema.Aggregate x = a.get(e.getKey());
            JobFixture.close(e.getKey() + " gpuJ", x.getGpuJoules(), e.getValue());
            JobFixture.close(
                    e.getKey() + " metered attributed share",
                    x.getMeteredAttributedShare(),
                    attributed.getOrDefault(e.getKey(), 0.0) / e.getValue());
            JobFixture.close(
                    e.getKey() + " measured share",
                    x.getMeasuredEnergyShare(),
                    measured.getOrDefault(e.getKey(), 0.0) / e.getValue());
        }
        assertThat(attributed.get(dcKey))
                .as("the premise: metered energy in the datacenter's hour")
                .isPositive();
    }
}
