package io.carbonstream.it;

import static io.carbonstream.it.OtlpBatches.attr;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carbonstream.gpu.GpuUse;
import io.carbonstream.schema.DeadLetter;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU energy counters as exporters publish them, on a real broker and a MiniCluster: dcgm-exporter
 * scrapes in the Prometheus text format (host:index ids, datacenter by a rule on the Hostname
 * label, some lines timestamped, the others at their record's time) with requests arriving as
 * OpenTelemetry spans that name their GPUs; and the Collector's OTLP/JSON (UUIDs, datacenter as a
 * resource attribute) with Avro events. Each GPU hour, the idle energy and each model's attributed
 * energy equal the millisecond-walking reference over the same counters and requests, as the Avro
 * feed's do in GpuAttributionIT; a scrape with no energy counter is a dead letter.
 */
class GpuFeedsIT extends KafkaAndFlinkIT {

    static final long MIN = Scenario.MIN;
    static final long BASE = Scenario.BASE; // on the hour
    static final String HOST = "gpu-fra-03";
    static final List<String> MODELS = GpuRuns.MODELS;

    /**
     * Requests over the hour on two GPUs, as (id, end, duration, model, GPU numbers, tokens in,
     * out).
     */
    record Req(
            String id,
            long end,
            long duration,
            String model,
            List<Integer> gpus,
            long in,
            long out) {}

    static List<Req> requests(Random rnd) {
        TreeMap<Long, Req> byEnd = new TreeMap<>();
        for (int i = 0; i < 240; i++) {
            long end = BASE + 30_000 + rnd.nextInt((int) (59 * MIN));
            if (end > BASE + 20 * MIN && end < BASE + 25 * MIN + 20_000)
                continue; // a quiet stretch: idle energy
            List<Integer> gpus = rnd.nextInt(4) == 0 ? List.of(0, 1) : List.of(rnd.nextInt(2));
            byEnd.putIfAbsent(
                    end,
                    new Req(
                            "q-" + i,
                            end,
                            1_000 + rnd.nextInt(19_000),
                            MODELS.get(rnd.nextInt(2)),
                            gpus,
                            100 + rnd.nextInt(2_000),
                            10 + rnd.nextInt(800)));
        }
        return new ArrayList<>(byEnd.values());
    }

    /**
     * Counter readings in mJ every 10 s past the hour's end, both GPUs per scrape; GPU 1 reboots at
     * minute 40.
     */
    static TreeMap<Long, double[]> counters(Random rnd) {
        TreeMap<Long, double[]> out = new TreeMap<>();
        double[] c = {5e9, 7e9};
        for (long t = BASE - 10_000; t <= BASE + 66 * MIN; t += 10_000) {
            if (t == BASE + 40 * MIN) c[1] = 1_200_000.0;
            out.put(t, c.clone());
            for (int g = 0; g < 2; g++)
                c[g] += 1e3 * (700 + rnd.nextInt(3_500)); // 70-420 W over 10 s
        }
        return out;
    }

    @Test
    void prometheusScrapesAndRequestsAsSpansGiveTheReferenceAttribution(@TempDir Path tmp)
            throws Exception {
        Random rnd = new Random(131);
        List<Req> reqs = requests(rnd);
        TreeMap<Long, double[]> counters = counters(rnd);
        List<String> ids = List.of(HOST + ":0", HOST + ":1");
        JobFixture f = new JobFixture(kafka, "gpuprom.");
        GpuRuns.createTopics(f, new NewTopic(f.prefix + "spans", 1, (short) 1));
        Scenario s = new Scenario(131, 10, MIN, 0);
        f.produceScenario(s, Map.of());

        // The requests as GenAI spans in batches of 10: most name their GPUs by device index on the
        // host of their
        // resource, every third by the ids themselves (as the counters name them).
        List<KafkaIO.Raw> batches = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < reqs.size(); i++) {
            Req r = reqs.get(i);
            Span.Builder sp =
                    OtlpBatches.span(r.id(), r.end(), r.duration())
                            .setName("chat " + r.model())
                            .addAttributes(attr("gen_ai.operation.name", "chat"))
                            .addAttributes(attr("gen_ai.request.model", r.model()))
                            .addAttributes(attr("gen_ai.usage.input_tokens", r.in()))
                            .addAttributes(attr("gen_ai.usage.output_tokens", r.out()));
            if (i % 3 == 0)
                sp.addAttributes(
                        attr("carbonstream.gpu.ids", r.gpus().stream().map(ids::get).toList()));
            else
                sp.addAttributes(
                        attr(
                                "carbonstream.gpu.indices",
                                r.gpus().stream().map(Integer::longValue).toList()));
            spans.add(sp.build());
            if (spans.size() == 10 || i == reqs.size() - 1) {
                var batch =
                        OtlpBatches.batch(
                                Map.of("carbonstream.datacenter.id", "dc-de", "host.name", HOST),
                                spans);
                batches.add(
                        new KafkaIO.Raw(
                                null,
                                batches.size() % 2 == 0
                                        ? batch.toByteArray()
                                        : OtlpBatches.json(batch)));
                spans = new ArrayList<>();
            }
        }
        // A span well past the hour moves the spans' watermark on (it names no GPU).
        batches.add(
                new KafkaIO.Raw(
                        null,
                        OtlpBatches.batch(
                                        Map.of("carbonstream.datacenter.id", "dc-de"),
                                        List.of(
                                                OtlpBatches.span("push", BASE + 68 * MIN, 100)
                                                        .addAttributes(
                                                                attr(
                                                                        "gen_ai.operation.name",
                                                                        "chat"))
                                                        .addAttributes(
                                                                attr(
                                                                        "gen_ai.request.model",
                                                                        "llama-3.1-8b"))
                                                        .addAttributes(
                                                                attr(
                                                                        "gen_ai.usage.output_tokens",
                                                                        5L))
                                                        .build()))
                                .toByteArray()));
        f.produce("spans", batches);

        // One dcgm-exporter scrape per record, among other metrics; every other scrape's lines
        // carry their
        // timestamp, the others are at their record's time. One scrape lost its energy lines (a
        // dead letter).
        List<ProducerRecord<byte[], byte[]>> scrapes = new ArrayList<>();
        int n = 0;
        for (Map.Entry<Long, double[]> e : counters.entrySet()) {
            boolean stamped = n++ % 2 == 0;
            StringBuilder text = new StringBuilder();
            text.append(
                    "# HELP DCGM_FI_DEV_GPU_TEMP GPU temperature (in C).\n"
                            + "# TYPE DCGM_FI_DEV_GPU_TEMP gauge\n");
            for (int g = 0; g < 2; g++)
                text.append("DCGM_FI_DEV_GPU_TEMP{gpu=\"")
                        .append(g)
                        .append("\",Hostname=\"")
                        .append(HOST)
                        .append("\"} 40\n");
            text.append(
                            "# HELP DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION Total energy consumption"
                                    + " since boot (in mJ).\n")
                    .append("# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n");
            for (int g = 0; g < 2; g++) {
                text.append("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"")
                        .append(g)
                        .append("\",UUID=\"GPU-ffff-000")
                        .append(g)
                        .append("\",device=\"nvidia")
                        .append(g)
                        .append("\",modelName=\"NVIDIA H100 80GB HBM3\",Hostname=\"")
                        .append(HOST)
                        .append("\"} ")
                        .append(String.format(java.util.Locale.ROOT, "%.17g", e.getValue()[g]))
                        .append(stamped ? " " + e.getKey() : "")
                        .append('\n');
            }
            scrapes.add(
                    new ProducerRecord<>(
                            f.prefix + "gpu-energy",
                            0,
                            e.getKey(),
                            utf8(HOST),
                            utf8(text.toString())));
        }
        scrapes.add(
                new ProducerRecord<>(
                        f.prefix + "gpu-energy",
                        0,
                        BASE + 30 * MIN,
                        utf8(HOST),
                        utf8("DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 40\n")));
        produceInOrder(scrapes);
        f.pushWatermark("push", BASE + 68 * MIN);

        Map<String, String> extra =
                Map.of(
                        "topic.otlp-spans",
                        f.prefix + "spans",
                        "gpu-energy.format",
                        "PROMETHEUS_TEXT",
                        "gpu-energy.gpu-id",
                        "HOST_INDEX",
                        "gpu-energy.datacenter-rules",
                        "Hostname=gpu-fra-*->dc-de");
        runAndCompare(f, tmp, s, extra, reqs, counters, ids, ids);
        List<DeadLetter> dead = f.deadLetters("dlq");
        assertThat(dead)
                .filteredOn(d -> d.getSourceTopic().equals(f.prefix + "gpu-energy"))
                .singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo("NO_ENERGY_SAMPLE"));
    }

    @Test
    void otlpJsonMetricsGiveTheReferenceAttribution(@TempDir Path tmp) throws Exception {
        Random rnd = new Random(137);
        List<Req> reqs = requests(rnd);
        TreeMap<Long, double[]> counters = counters(rnd);
        List<String> uuids =
                List.of(
                        "GPU-5fd4cf8e-1a27-9a4b-2f3e-1c4b0a6d9e11",
                        "GPU-0b1e4c2d-77aa-41f0-9c3e-8d2f6a5b4c22");
        JobFixture f = new JobFixture(kafka, "gpuotlp.");
        GpuRuns.createTopics(f);
        Scenario s = new Scenario(137, 10, MIN, 0);
        f.produceScenario(s, Map.of());
        List<KafkaIO.Raw> events = new ArrayList<>();
        for (Req r : reqs) {
            events.add(
                    GpuRuns.event(
                            r.id(),
                            r.end(),
                            r.duration(),
                            r.model(),
                            r.in(),
                            r.out(),
                            r.gpus().stream().map(uuids::get).toList()));
        }
        f.produce("events", events);

        // Each export request holds three scrapes (30 s) of both GPUs, a sum of doubles for GPU 0
        // and of ints for
        // GPU 1 (whole mJ), beside a gauge of another metric; the datacenter is a resource
        // attribute.
        ObjectMapper json = new ObjectMapper();
        List<KafkaIO.Raw> exports = new ArrayList<>();
        List<Map.Entry<Long, double[]>> all = new ArrayList<>(counters.entrySet());
        for (int i = 0; i < all.size(); i += 3) {
            ObjectNode root = json.createObjectNode();
            ObjectNode rm = root.putArray("resourceMetrics").addObject();
            ArrayNode res = rm.putObject("resource").putArray("attributes");
            res.addObject()
                    .put("key", "service.name")
                    .putObject("value")
                    .put("stringValue", "dcgm-exporter");
            res.addObject().put("key", "datacenter").putObject("value").put("stringValue", "dc-de");
            ArrayNode metrics = rm.putArray("scopeMetrics").addObject().putArray("metrics");
            ObjectNode temp = metrics.addObject().put("name", "DCGM_FI_DEV_GPU_TEMP");
            temp.putObject("gauge")
                    .putArray("dataPoints")
                    .addObject()
                    .put("timeUnixNano", Long.toString(all.get(i).getKey() * 1_000_000L))
                    .put("asDouble", 40);
            ObjectNode sum =
                    metrics.addObject()
                            .put("name", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")
                            .put("unit", "")
                            .putObject("sum");
            sum.put("aggregationTemporality", 2).put("isMonotonic", true);
            ArrayNode points = sum.putArray("dataPoints");
            for (int k = i; k < Math.min(i + 3, all.size()); k++) {
                for (int g = 0; g < 2; g++) {
                    ObjectNode p = points.addObject();
                    ArrayNode a = p.putArray("attributes");
                    a.addObject()
                            .put("key", "gpu")
                            .putObject("value")
                            .put("stringValue", Integer.toString(g));
                    a.addObject()
                            .put("key", "UUID")
                            .putObject("value")
                            .put("stringValue", uuids.get(g));
                    p.put("timeUnixNano", Long.toString(all.get(k).getKey() * 1_000_000L));
                    double mj = all.get(k).getValue()[g];
                    if (g == 0) p.put("asDouble", mj);
                    else p.put("asInt", Long.toString((long) mj));
                }
            }
            exports.add(new KafkaIO.Raw(null, json.writeValueAsBytes(root)));
        }
        f.produce("gpu-energy", exports);
        f.pushWatermark("push", BASE + 68 * MIN);

        runAndCompare(
                f, tmp, s, Map.of("gpu-energy.format", "OTLP_JSON"), reqs, counters, uuids, uuids);
        assertThat(f.deadLetters("dlq"))
                .noneMatch(d -> d.getSourceTopic().equals(f.prefix + "gpu-energy"));
    }

    /**
     * Runs the job and compares its GPU attribution with the reference over the same counters (in
     * J) and requests.
     */
    static void runAndCompare(
            JobFixture f,
            Path tmp,
            Scenario s,
            Map<String, String> extra,
            List<Req> reqs,
            TreeMap<Long, double[]> counters,
            List<String> ids,
            List<String> gpuKeys)
            throws Exception {
        Map<String, List<long[]>> readings = new HashMap<>();
        for (Map.Entry<Long, double[]> e : counters.entrySet()) {
            for (int g = 0; g < 2; g++) {
                readings.computeIfAbsent(ids.get(g), k -> new ArrayList<>())
                        .add(
                                new long[] {
                                    e.getKey(), Double.doubleToLongBits(e.getValue()[g] / 1000)
                                });
            }
        }
        Map<String, List<GpuUse>> uses = new HashMap<>();
        Map<String, String> modelOf = new HashMap<>();
        for (Req r : reqs) {
            modelOf.put(r.id(), r.model());
            for (int g : r.gpus()) {
                uses.computeIfAbsent(ids.get(g), k -> new ArrayList<>())
                        .add(GpuRuns.use(r.id(), r.end(), r.duration(), r.in(), r.out()));
            }
        }
        GpuRuns.Expected x = GpuRuns.Expected.of(ids, readings, uses, modelOf);

        Map<String, String> options = new HashMap<>(GpuRuns.options(f));
        options.putAll(extra);
        JobClient job =
                f.start(
                        "carbonstream-gpu-feeds",
                        JobFixture.writeRegistry(tmp, s.datacenters),
                        options);
        String hour = Instant.ofEpochMilli(BASE).toString();
        try {
            GpuRuns.awaitOutputs(f, gpuKeys, hour, x);
            GpuRuns.assertHour(GpuRuns.latest(f), gpuKeys, hour, x);
            assertThat(x.perGpu().get(ids.get(1)).resets())
                    .as("the reboot is in the counters")
                    .isEqualTo(1);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * Records with their own timestamps (the scrape times), one at a time in order, each send
     * checked.
     */
    static void produceInOrder(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        Properties p = new Properties();
        p.putAll(kafka.clientProperties());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (ProducerRecord<byte[], byte[]> r : records) producer.send(r).get();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
