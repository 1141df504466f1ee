package io.carbonstream.otlp;

import static io.carbonstream.it.OtlpBatches.attr;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.ingest.Limits;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.it.OtlpBatches;
import io.carbonstream.it.Scenario;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** GenAI spans to requests, from both encodings of the Collector's Kafka exporter. */
class OtlpDecoderTest {

    static final long T = Scenario.BASE + 90_000;

    static SpanMapping mapping() {
        return new SpanMapping(
                new SpanMapping.Settings(
                        "carbonstream.datacenter.id",
                        List.of(
                                SpanMapping.Rule.parse("cloud.region=us-west-*->dc-cal-1"),
                                SpanMapping.Rule.parse("k8s.cluster.name=prod-de->dc-de")),
                        Map.of("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b"),
                        "carbonstream.gpu.energy_joules",
                        "carbonstream.gpu.count"));
    }

    static List<RequestEnvelope> decode(OtlpDecoder d, byte[] value) {
        List<RequestEnvelope> out = new ArrayList<>();
        d.decode(new ConsumerRecord<>("otlp", 1, 42, null, value), T + 60_000, out::add);
        return out;
    }

    static ExportTraceServiceRequest batch() {
        Scenario.Req chat =
                new Scenario.Req(
                        "chat-1", T, "?", "?", "TEXT", 120, 480, 0, 0, 0, 2, 2_500, 310.0, null);
        Scenario.Req embed =
                new Scenario.Req(
                        "emb-1", T + 1, "?", "?", "EMBEDDING", 900, 0, 0, 0, 0, 1, 40, null, null);
        Span tool =
                OtlpBatches.span("tool-1", T, 5)
                        .setName("execute_tool search")
                        .addAttributes(attr("gen_ai.operation.name", "execute_tool"))
                        .build();
        Span http =
                OtlpBatches.span("http-1", T, 5)
                        .setName("GET /v1/chat/completions")
                        .addAttributes(attr("http.route", "/v1/chat"))
                        .build();
        Span noModel =
                OtlpBatches.span("nomodel-1", T, 5)
                        .setName("chat")
                        .addAttributes(attr("gen_ai.operation.name", "chat"))
                        .addAttributes(attr("gen_ai.usage.output_tokens", 10L))
                        .build();
        return OtlpBatches.batch(
                Map.of("cloud.region", "us-west-2"),
                List.of(
                        OtlpBatches.genAi(chat, "meta-llama/Llama-3.1-8B-Instruct"),
                        OtlpBatches.genAi(embed, "mystery-embed"),
                        tool,
                        http,
                        noModel));
    }

    @Test
    void protobufAndJsonBatchesGiveTheSameRequests() throws Exception {
        OtlpDecoder d = new OtlpDecoder(Limits.defaults(), mapping());
        List<RequestEnvelope> proto = decode(d, batch().toByteArray());
        List<RequestEnvelope> json = decode(d, OtlpBatches.json(batch()));
        for (List<RequestEnvelope> out : List.of(proto, json)) {
            assertThat(out)
                    .hasSize(3); // 2 requests + 1 dead letter; the tool and HTTP spans are skipped
            InferenceRequest chat = out.get(0).request;
            assertThat(chat.datacenterId).isEqualTo("dc-cal-1");
            assertThat(chat.modelId).isEqualTo("llama-3.1-8b");
            assertThat(chat.modality).isEqualTo(Modality.TEXT);
            assertThat(chat.eventTime).isEqualTo(T);
            assertThat(chat.durationMs).isEqualTo(2_500);
            assertThat(chat.inputTokens).isEqualTo(120);
            assertThat(chat.outputTokens).isEqualTo(480);
            assertThat(chat.gpuCount).isEqualTo(2);
            assertThat(chat.measuredGpuJoules).isEqualTo(310.0);
            assertThat(chat.sourceTopic).isEqualTo("otlp");
            assertThat(chat.sourceOffset).isEqualTo(42);
            InferenceRequest embed = out.get(1).request;
            assertThat(embed.modality).isEqualTo(Modality.EMBEDDING);
            assertThat(embed.modelId).isEqualTo("mystery-embed");
            assertThat(embed.inputTokens).isEqualTo(900);
            assertThat(out.get(2).rejected.reason).isEqualTo(Reason.MISSING_FIELD);
            assertThat(out.get(2).rejected.message).contains("gen_ai.request.model");
        }
        // Same ids from both encodings: a batch re-delivered in the other encoding is still a
        // duplicate.
        assertThat(json.get(0).request.requestId)
                .isEqualTo(proto.get(0).request.requestId)
                .matches("[0-9a-f]{32}-[0-9a-f]{16}");
        assertThat(d.counts())
                .containsExactly(
                        10, 2, 2, 2); // spans read, not GenAI, not inference, dead-lettered
    }

    @Test
    void anUnmappedSpanIsADeadLetterThatSaysWhatIsMissingAndCarriesTheSpanAlone() throws Exception {
        OtlpDecoder d = new OtlpDecoder(Limits.defaults(), mapping());
        Scenario.Req chat =
                new Scenario.Req(
                        "chat-2", T, "?", "?", "TEXT", 10, 20, 0, 0, 0, 1, 100, null, null);
        ExportTraceServiceRequest b =
                OtlpBatches.batch(
                        Map.of("cloud.region", "ap-south-1", "k8s.cluster.name", "prod-in"),
                        List.of(
                                OtlpBatches.genAi(chat, "gpt-oss-20b"),
                                OtlpBatches.genAi(chat, "gpt-oss-20b")));
        List<RequestEnvelope> out = decode(d, b.toByteArray());
        assertThat(out)
                .hasSize(2)
                .allSatisfy(
                        e -> {
                            assertThat(e.rejected.reason).isEqualTo(Reason.UNMAPPED_DATACENTER);
                            assertThat(e.rejected.message)
                                    .contains("cloud.region=ap-south-1")
                                    .contains("k8s.cluster.name=prod-in")
                                    .contains("--otlp.datacenter-rules");
                            assertThat(e.rejected.sourceTopic).isEqualTo("otlp");
                            assertThat(new String(e.rejected.key, StandardCharsets.UTF_8))
                                    .matches("[0-9a-f]{32}-[0-9a-f]{16}");
                        });
        ExportTraceServiceRequest alone =
                ExportTraceServiceRequest.parseFrom(out.get(0).rejected.value);
        assertThat(alone.getResourceSpans(0).getScopeSpans(0).getSpansCount()).isEqualTo(1);
        assertThat(alone.getResourceSpans(0).getResource())
                .isEqualTo(b.getResourceSpans(0).getResource());
    }

    @Test
    void undecodableRecordsAreOneDeadLetterEach() {
        OtlpDecoder d = new OtlpDecoder(Limits.defaults(), mapping());
        for (byte[] bad :
                new byte[][] {
                    {1, 2, 3, 4, 5, 6, 7},
                    "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}"
                            .getBytes(StandardCharsets.UTF_8),
                    "{not json".getBytes(StandardCharsets.UTF_8)
                }) {
            List<RequestEnvelope> out = decode(d, bad);
            assertThat(out)
                    .singleElement()
                    .satisfies(
                            e -> {
                                assertThat(e.rejected.reason).isEqualTo(Reason.UNDECODABLE);
                                assertThat(e.rejected.value).isEqualTo(bad);
                            });
        }
        assertThat(decode(d, null))
                .singleElement()
                .satisfies(e -> assertThat(e.rejected.reason).isEqualTo(Reason.NULL_VALUE));
    }

    @Test
    void modalitiesAndRules() {
        assertThat(SpanMapping.modality("chat", null)).isEqualTo(Modality.TEXT);
        assertThat(SpanMapping.modality("chat", "image")).isEqualTo(Modality.IMAGE);
        assertThat(SpanMapping.modality("embeddings", null)).isEqualTo(Modality.EMBEDDING);
        assertThat(SpanMapping.modality("invoke_agent", null)).isNull();
        assertThat(
                        SpanMapping.Rule.parse("host.name=gpu-??-fr-*->dc-fr")
                                .matches("gpu-07-fr-paris"))
                .isTrue();
        assertThat(SpanMapping.Rule.parse("host.name=gpu-??-fr-*->dc-fr").matches("gpu-7-fr-paris"))
                .isFalse();
        assertThat(SpanMapping.Rule.parse("cloud.region=eu-(west)->dc").matches("eu-(west)"))
                .isTrue();
    }
}
