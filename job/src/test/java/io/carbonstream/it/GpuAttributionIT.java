package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.gpu.AttributionReference;
import io.carbonstream.gpu.GpuUse;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.GpuAttributionType;
import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.Modality;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
    static final List<String> MODELS = List.of("llama-3.1-8b", "llama-3.1-70b");

    @Test
    void meteredEnergyIsSplitOverTheRequestsThatUsedEachGpu(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "gpu.");
        kafka.createTopics(
                List.of(
                        new NewTopic(f.prefix + "gpu-energy", 1, (short) 1),
                        new NewTopic(f.prefix + "gpu-attribution", 2, (short) 1)));
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
            InferenceEvent e =
                    InferenceEvent.newBuilder()
                            .setRequestId(id)
                            .setEventTime(Instant.ofEpochMilli(end))
                            .setDatacenterId("dc-de")
                            .setModelId(model)
                            .setModality(Modality.TEXT)
                            .setInputTokens(in)
                            .setOutputTokens(out)
                            .setGpuCount(gpus.size())
                            .setDurationMs(duration)
                            .setGpuIds(new ArrayList<>(gpus))
                            .build();
            if (events.putIfAbsent(
                            end,
                            new KafkaIO.Raw(id.getBytes(StandardCharsets.UTF_8), Avro.encode(e)))
                    != null) continue;
            modelOf.put(id, model);
            for (String g : gpus) {
                GpuUse u = new GpuUse();
                u.requestId = id;
                u.start = end - duration;
                u.end = end;
                u.rate = (in + out) / (double) duration; // --gpu.attribution-weight TOKENS
                usesByGpu.computeIfAbsent(g, k -> new ArrayList<>()).add(u);
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

        Map<String, String> options =
                new HashMap<>(
                        Map.of(
                                "checkpoint-interval",
                                "500 ms",
                                "intensity.idle-timeout",
                                "1 s",
                                "start-from",
                                "EARLIEST",
                                "topic.gpu-energy",
                                f.prefix + "gpu-energy",
                                "topic.gpu-attribution",
                                f.prefix + "gpu-attribution",
                                "gpu.attribution-weight",
                                "TOKENS",
                                "events.max-request-duration",
                                "1 min",
                                "gpu.expected-sample-gap",
                                "1 min"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CarbonStreamJob.build(
                env,
                JobConfig.fromMap(f.config(JobFixture.writeRegistry(tmp, s.datacenters), options)));
        JobClient job = env.executeAsync("carbonstream-gpu-attribution");
        try {
            // The reference, per GPU, from the same readings and uses.
            Map<String, AttributionReference.Result> ref = new HashMap<>();
            Map<String, Double> perModel = new HashMap<>();
            for (String g : GPUS) {
                AttributionReference.Result r =
                        AttributionReference.compute(readings.get(g), usesByGpu.get(g), 1_500);
                ref.put(g, r);
                r.perRequest().forEach((id, j) -> perModel.merge(modelOf.get(id), j, Double::sum));
            }
            String hour = Instant.ofEpochMilli(BASE).toString();
            try {
                awaitOutputs(f, hour, perModel);
            } catch (AssertionError e) {
                StringBuilder seen = new StringBuilder();
                latest(f)
                        .forEach(
                                (k, v) ->
                                        seen.append('\n')
                                                .append(k)
                                                .append(" attributed=")
                                                .append(v.getAttributedJ())
                                                .append(" gpus=")
                                                .append(v.getGpus()));
                throw new AssertionError(
                        e.getMessage() + "; expected per model " + perModel + "; seen:" + seen, e);
            }
            Map<String, GpuAttribution> out = latest(f);
            double idle = 0;
            for (String g : GPUS) {
                GpuAttribution h = out.get("GPU|" + g + "|" + hour);
                assertThat(h.getRecordType()).isEqualTo(GpuAttributionType.GPU_HOUR);
                double metered = ref.get(g).metered().get(BASE);
                JobFixture.close(g + " metered", h.getMeteredJ(), metered);
                JobFixture.close(
                        g + " idle", h.getIdleJ(), ref.get(g).idle().getOrDefault(BASE, 0.0));
                assertThat(h.getAttributedJ() + h.getIdleJ())
                        .as(g + " conservation")
                        .isCloseTo(h.getMeteredJ(), within(1e-9 * metered));
                idle += h.getIdleJ();
            }
            assertThat(out.get("GPU|" + GPUS.get(1) + "|" + hour).getResets()).isEqualTo(1);
            // Every request on the GPUs was metered over its whole span (readings from before the
            // first to after the last).
            for (String m : MODELS)
                assertThat(out.get("MODEL|dc-de|" + m + "|" + hour).getPartlyUnmetered())
                        .as(m)
                        .isZero();
            assertThat(out.get("GPU|" + GPUS.get(0) + "|" + hour).getResets()).isZero();
            JobFixture.close(
                    "datacenter idle", out.get("DATACENTER|dc-de|" + hour).getIdleJ(), idle);
            for (String m : MODELS) {
                GpuAttribution mh = out.get("MODEL|dc-de|" + m + "|" + hour);
                JobFixture.close(m + " attributed", mh.getAttributedJ(), perModel.get(m));
                assertThat(mh.getEstimatedJ()).as(m + " estimate beside it").isPositive();
                assertThat(mh.getMeteredToEstimated()).as(m).isNotNull();
            }
            assertAggregatesCarryTheMeteredEnergy(f, s, ref, modelOf);
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

    static void awaitOutputs(JobFixture f, String hour, Map<String, Double> perModel)
            throws Exception {
        await(
                "every GPU hour, the datacenter hour and both models' hours",
                () -> {
                    Map<String, GpuAttribution> out = latest(f);
                    return GPUS.stream().allMatch(g -> out.containsKey("GPU|" + g + "|" + hour))
                            && out.containsKey("DATACENTER|dc-de|" + hour)
                            && out.get("DATACENTER|dc-de|" + hour).getGpus() == 2
                            && MODELS.stream()
                                    .allMatch(
                                            m ->
                                                    out.containsKey("MODEL|dc-de|" + m + "|" + hour)
                                                            && out.get(
                                                                                    "MODEL|dc-de|"
                                                                                            + m
                                                                                            + "|"
                                                                                            + hour)
                                                                            .getAttributedJ()
                                                                    >= 0.999999 * perModel.get(m));
                });
    }

    static Map<String, GpuAttribution> latest(JobFixture f) {
        Map<String, GpuAttribution> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(kafka.clientProperties(), f.prefix + "gpu-attribution")) {
            GpuAttribution a = Avro.decode(rec.value(), GpuAttribution.class);
            out.merge(
                    new String(rec.key(), StandardCharsets.UTF_8),
                    a,
                    (x, y) -> y.getRevision() >= x.getRevision() ? y : x);
        }
        return out;
    }
}
