package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.DeadLetter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests arriving only as OpenTelemetry spans on a real broker, as the Collector's Kafka exporter
 * writes them: protobuf and JSON batches, non-GenAI spans among them, a batch whose resource maps
 * to no datacenter, and a batch delivered twice. Totals must equal the independent reference over
 * the GenAI requests, each, once; each unmappable span must be in the dead-letter topic.
 */
class OtlpIT extends KafkaAndFlinkIT {

    /** How each scenario datacenter shows up in its servers' resource attributes. */
    static final Map<String, Map<String, String>> RESOURCE =
            Map.of(
                    "dc-cal-1", Map.of("cloud.region", "us-west-1", "cloud.provider", "aws"),
                    "dc-cal-2", Map.of("carbonstream.datacenter.id", "dc-cal-2"),
                    "dc-de", Map.of("k8s.cluster.name", "prod-de-fra"),
                    "dc-pl", Map.of("host.name", "gpu-pl-waw-07"),
                    "dc-nodata", Map.of("cloud.region", "xx-nodata-1"));

    static String providerName(String model) {
        return model.equals("llama-3.1-8b") ? "meta-llama/Llama-3.1-8B-Instruct" : model;
    }

    @Test
    void genAiSpansArePricedOnceEachAndUnmappableOnesAreDeadLettered(@TempDir Path tmp)
            throws Exception {
        JobFixture f = new JobFixture(kafka, "otlp.");
        kafka.createTopics(List.of(new NewTopic("otlp.spans", 2, (short) 1)));
        Scenario s = new Scenario(61, 3_000, 40 * Scenario.MIN, 4_000);
        f.produceIntensity(s.intensity);

        List<KafkaIO.Raw> batches = new ArrayList<>();
        int n = 0;
        // Batches of up to 40 spans of one datacenter, in arrival order, each with an HTTP span
        // among them.
        Map<String, List<Span>> open = new HashMap<>();
        for (Scenario.Req r : s.requests) {
            List<Span> spans = open.computeIfAbsent(r.dc(), dc -> new ArrayList<>());
            spans.add(OtlpBatches.genAi(r, providerName(r.model())));
            if (spans.size() == 40) {
                spans.add(
                        OtlpBatches.span("http-" + n, r.t(), 3)
                                .setName("POST /v1/chat/completions")
                                .build());
                batches.add(record(OtlpBatches.batch(RESOURCE.get(r.dc()), spans), n++));
                open.remove(r.dc());
            }
        }
        for (Map.Entry<String, List<Span>> e : open.entrySet())
            batches.add(record(OtlpBatches.batch(RESOURCE.get(e.getKey()), e.getValue()), n++));
        // The exporter retried batch 3: the same bytes again, later.
        batches.add(batches.get(3));
        // Five GenAI spans from servers no rule maps.
        List<Span> unmapped = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            unmapped.add(
                    OtlpBatches.genAi(
                            Scenario.text(
                                    "mars-" + i,
                                    Scenario.BASE + i * 1_000,
                                    "?",
                                    "?",
                                    10,
                                    10,
                                    1,
                                    100),
                            "llama-3.1-8b"));
        }
        batches.add(record(OtlpBatches.batch(Map.of("cloud.region", "mars-1"), unmapped), n++));
        KafkaIO.produce(kafka.clientProperties(), "otlp.spans", batches, null);

        Map<String, String> options =
                new HashMap<>(
                        f.config(
                                JobFixture.writeRegistry(tmp, s.datacenters),
                                Map.of("bounded", "true")));
        options.put("topic.otlp-spans", "otlp.spans");
        options.put(
                "otlp.datacenter-rules",
                "cloud.region=us-west-*->dc-cal-1;k8s.cluster.name=prod-de-*->dc-de;host.name=gpu-pl-*->dc-pl;"
                    + "cloud.region=xx-nodata-?->dc-nodata");
        options.put("otlp.model-aliases", "meta-llama/Llama-3.1-8B-Instruct=llama-3.1-8b");
        JobFixture.runBounded("carbonstream-otlp", options);

        JobFixture.assertAggregatesEqual(f.latestAggregates(), JobFixture.reference(s, s.requests));
        List<DeadLetter> dead = f.deadLetters("dlq");
        assertThat(dead)
                .hasSize(5)
                .allSatisfy(
                        d -> {
                            assertThat(d.getReason()).isEqualTo("UNMAPPED_DATACENTER");
                            assertThat(d.getSourceTopic()).isEqualTo("otlp.spans");
                            assertThat(d.getMessage()).contains("cloud.region=mars-1");
                            assertThat(
                                            ExportTraceServiceRequest.parseFrom(
                                                            d.getValue().array())
                                                    .getResourceSpans(0)
                                                    .getScopeSpans(0)
                                                    .getSpansCount())
                                    .isEqualTo(1);
                        });
        assertThat(f.deadLetters("late")).isEmpty();
    }

    /**
     * Even batches as otlp_proto, odd ones as otlp_json: the exporter's two encodings on one topic.
     */
    static KafkaIO.Raw record(ExportTraceServiceRequest batch, int n) throws Exception {
        return new KafkaIO.Raw(null, n % 2 == 0 ? batch.toByteArray() : OtlpBatches.json(batch));
    }
}
