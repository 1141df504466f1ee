package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.gpu.AttributionReference;
import io.carbonstream.gpu.GpuUse;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.GpuAttributionType;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.Modality;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What the GPU attribution tests share whatever feed the counters and requests come from (Avro in
 * GpuAttributionIT, Prometheus text, OTLP and spans in GpuFeedsIT): the GPU topics and options, the
 * reference per GPU, and the comparison of the attribution topic with it.
 */
final class GpuRuns {

    static final List<String> MODELS = List.of("llama-3.1-8b", "llama-3.1-70b");

    private GpuRuns() {}

    /** The GPU energy topic (one partition: a counter's readings in order) and the results'. */
    static void createTopics(JobFixture f, NewTopic... more) {
        List<NewTopic> topics =
                new ArrayList<>(
                        List.of(
                                new NewTopic(f.prefix + "gpu-energy", 1, (short) 1),
                                new NewTopic(f.prefix + "gpu-attribution", 2, (short) 1)));
        topics.addAll(List.of(more));
        f.kafka.createTopics(topics);
    }

    /**
     * The GPU options of a run on the fixture's topics: shared by tokens, and the hour held back by
     * --events.max-request-duration + --gpu.expected-sample-gap (2 min).
     */
    static Map<String, String> options(JobFixture f) {
        return Map.of(
                "topic.gpu-energy", f.prefix + "gpu-energy",
                "topic.gpu-attribution", f.prefix + "gpu-attribution",
                "gpu.attribution-weight", "TOKENS",
                "events.max-request-duration", "1 min",
                "gpu.expected-sample-gap", "1 min");
    }

    /** A text request of dc-de that ran on the GPUs named. */
    static KafkaIO.Raw event(
            String id,
            long end,
            long duration,
            String model,
            long in,
            long out,
            List<String> gpus) {
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
        return new KafkaIO.Raw(JobFixture.utf8(id), Avro.encode(e));
    }

    /** A request's use of one GPU, weighted by tokens per ms (--gpu.attribution-weight TOKENS). */
    static GpuUse use(String id, long end, long duration, long in, long out) {
        GpuUse u = new GpuUse();
        u.requestId = id;
        u.start = end - duration;
        u.end = end;
        u.rate = (in + out) / (double) duration;
        return u;
    }

    /** The reference per GPU, and the energy it attributes to each model. */
    record Expected(Map<String, AttributionReference.Result> perGpu, Map<String, Double> perModel) {

        static Expected of(
                List<String> gpus,
                Map<String, List<long[]>> readings,
                Map<String, List<GpuUse>> uses,
                Map<String, String> modelOf) {
            Map<String, AttributionReference.Result> perGpu = new HashMap<>();
            Map<String, Double> perModel = new HashMap<>();
            for (String g : gpus) {
                AttributionReference.Result r =
                        AttributionReference.compute(readings.get(g), uses.get(g), 1_500);
                perGpu.put(g, r);
                r.perRequest().forEach((id, j) -> perModel.merge(modelOf.get(id), j, Double::sum));
            }
            return new Expected(perGpu, perModel);
        }
    }

    /** The latest revision of every attribution key. */
    static Map<String, GpuAttribution> latest(JobFixture f) {
        Map<String, GpuAttribution> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                KafkaIO.readAll(f.kafka.clientProperties(), f.prefix + "gpu-attribution")) {
            GpuAttribution a = Avro.decode(rec.value(), GpuAttribution.class);
            out.merge(
                    new String(rec.key(), StandardCharsets.UTF_8),
                    a,
                    (x, y) -> y.getRevision() >= x.getRevision() ? y : x);
        }
        return out;
    }

    /**
     * Awaits every GPU's hour, the datacenter's over both GPUs and each model's with (nearly) all
     * its expected energy; on timeout, says what was seen.
     */
    static void awaitOutputs(JobFixture f, List<String> gpus, String hour, Expected x)
            throws Exception {
        try {
            await(
                    "every GPU hour, the datacenter hour and both models' hours",
                    () -> {
                        Map<String, GpuAttribution> out = latest(f);
                        return gpus.stream().allMatch(g -> out.containsKey("GPU|" + g + "|" + hour))
                                && out.containsKey("DATACENTER|dc-de|" + hour)
                                && out.get("DATACENTER|dc-de|" + hour).getGpus() == gpus.size()
                                && MODELS.stream()
                                        .allMatch(
                                                m -> {
                                                    GpuAttribution a = out.get(modelKey(m, hour));
                                                    return a != null
                                                            && a.getAttributedJ()
                                                                    >= 0.999999
                                                                            * x.perModel().get(m);
                                                });
                    });
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
                    e.getMessage() + "; expected per model " + x.perModel() + "; seen:" + seen, e);
        }
    }

    static String modelKey(String model, String hour) {
        return "MODEL|dc-de|" + model + "|" + hour;
    }

    /**
     * Each GPU's hour as the reference's (metered, idle, resets; attributed + idle = metered), the
     * datacenter's idle energy their sum, and each model's attributed energy the reference's.
     */
    static void assertHour(
            Map<String, GpuAttribution> out, List<String> gpus, String hour, Expected x) {
        long start = Instant.parse(hour).toEpochMilli();
        double idle = 0;
        for (String g : gpus) {
            GpuAttribution h = out.get("GPU|" + g + "|" + hour);
            AttributionReference.Result ref = x.perGpu().get(g);
            assertThat(h.getRecordType()).isEqualTo(GpuAttributionType.GPU_HOUR);
            double metered = ref.metered().get(start);
            JobFixture.close(g + " metered", h.getMeteredJ(), metered);
            JobFixture.close(g + " idle", h.getIdleJ(), ref.idle().getOrDefault(start, 0.0));
            assertThat(h.getAttributedJ() + h.getIdleJ())
                    .as(g + " conservation")
                    .isCloseTo(h.getMeteredJ(), within(1e-9 * metered));
            assertThat(h.getResets()).as(g + " resets").isEqualTo(ref.resets());
            idle += h.getIdleJ();
        }
        JobFixture.close("datacenter idle", out.get("DATACENTER|dc-de|" + hour).getIdleJ(), idle);
        for (String m : MODELS)
            JobFixture.close(
                    m + " attributed",
                    out.get(modelKey(m, hour)).getAttributedJ(),
                    x.perModel().get(m));
    }
}
