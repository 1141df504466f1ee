package io.carbonstream.demo.tail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbonstream.demo.MinuteAggregates;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.Aggregate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * tail on a real broker: each record one JSON line with the decoded value; bytes that do not decode
 * say so.
 */
class TailCommandTest {

    static Aggregate aggregate(long requests) {
        return MinuteAggregates.of("dc-1", 0, requests, 100);
    }

    @Test
    void printsEachRecordAsAJsonLine() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of(new NewTopic("t.aggregates", 1, (short) 1)));
            Properties p = new Properties();
            p.putAll(kafka.clientProperties());
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(
                                new ProducerRecord<>(
                                        "t.aggregates",
                                        "k1".getBytes(StandardCharsets.UTF_8),
                                        AvroCodec.encodeOne(aggregate(7))))
                        .get();
                producer.send(
                                new ProducerRecord<>(
                                        "t.aggregates",
                                        "k2".getBytes(StandardCharsets.UTF_8),
                                        new byte[] {1, 2, 3}))
                        .get();
            }
            TailCommand tail = new TailCommand();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            tail.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            int code =
                    new CommandLine(tail)
                            .execute(
                                    "t.aggregates",
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--from-beginning",
                                    "--max-records",
                                    "2");
            assertThat(code).isZero();
            List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(2);
            ObjectMapper json = new ObjectMapper();
            JsonNode first = json.readTree(lines.get(0));
            assertThat(first.path("key").asText()).isEqualTo("k1");
            assertThat(first.path("value").path("requests").asLong()).isEqualTo(7);
            assertThat(first.path("value").path("location_gco2e").asDouble()).isEqualTo(100.0);
            assertThat(json.readTree(lines.get(1)).path("value").path("undecodable").asInt())
                    .isEqualTo(3);
        }
        assertThat(TailCommand.typeOf("carbonstream.restatements"))
                .isEqualTo(io.carbonstream.schema.Restatement.class);
        assertThat(TailCommand.typeOf("something-else")).isNull();
    }
}
