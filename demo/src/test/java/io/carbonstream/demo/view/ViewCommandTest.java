package io.carbonstream.demo.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.demo.MinuteAggregates;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.Aggregate;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * view attached to a Kafka the demo did not start (a real broker, topics under another prefix): it
 * shows what was committed and nothing of a transaction still open, and it says where it reads.
 */
class ViewCommandTest {

    static final long T0 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();

    static Aggregate minute(String dc, long requests, double grams) {
        return MinuteAggregates.of(dc, T0, requests, grams);
    }

    @Test
    void showsTheCommittedResultsOfAnyKafkaAndNotAnOpenTransaction() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(
                    List.of(
                            new NewTopic("prod.aggregates", 2, (short) 1),
                            new NewTopic("prod.dead-letters", 1, (short) 1)));
            Properties p = new Properties();
            p.putAll(kafka.clientProperties());
            p.put("transactional.id", "view-test");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(
                        new ProducerRecord<>(
                                "prod.aggregates",
                                bytes("a"),
                                AvroCodec.encodeOne(minute("dc-alpha", 1234, 4321.5))));
                producer.send(
                        new ProducerRecord<>(
                                "prod.aggregates",
                                bytes("b"),
                                AvroCodec.encodeOne(minute("dc-beta", 17, 99.0))));
                producer.commitTransaction();
                // Left open: a read_committed reader must not show it, and must not wait for it
                // either.
                producer.beginTransaction();
                producer.send(
                        new ProducerRecord<>(
                                "prod.aggregates",
                                bytes("c"),
                                AvroCodec.encodeOne(minute("dc-gamma", 5, 1.0))));
                producer.flush();

                ViewCommand view = new ViewCommand();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                view.out = new PrintStream(out, true, StandardCharsets.UTF_8);
                int code =
                        new CommandLine(view)
                                .execute(
                                        "--bootstrap-servers",
                                        kafka.bootstrapServers(),
                                        "--topic-prefix",
                                        "prod",
                                        "--once");
                assertThat(code).isZero();
                String frame = out.toString(StandardCharsets.UTF_8);
                assertThat(frame)
                        .contains("carbonstream view | Kafka " + kafka.bootstrapServers())
                        .contains("read 2 aggregate records");
                assertThat(frame)
                        .contains("dc-alpha")
                        .contains("1,234")
                        .contains("4.32 kg")
                        .contains("dc-beta")
                        .contains("99.0 g");
                assertThat(frame)
                        .doesNotContain("dc-gamma")
                        .doesNotContain("sent ")
                        .doesNotContain("Flink UI");
                producer.abortTransaction();
            }
        }
    }

    @Test
    void anUnreadablePropertiesFileIsAClearError() {
        int code =
                new CommandLine(new ViewCommand())
                        .execute(
                                "--kafka-properties-file",
                                "/nonexistent/client.properties",
                                "--once");
        assertThat(code).isEqualTo(2);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
