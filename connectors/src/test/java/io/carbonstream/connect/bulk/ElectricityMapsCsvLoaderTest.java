package io.carbonstream.connect.bulk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.carbonstream.connect.common.AvroWire;
import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.IntensityUpdate;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ElectricityMapsCsvLoaderTest {

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(
                ElectricityMapsCsvLoaderTest.class.getResource("/fixtures/csv/" + name).toURI());
    }

    @Test
    void readsBothColumnVintagesAndSkipsLinesWithoutAValueOrATime() throws Exception {
        List<ElectricityMapsCsv.Row> rows = new ArrayList<>();
        ElectricityMapsCsv.Stats de =
                ElectricityMapsCsv.read(
                        Files.newBufferedReader(fixture("DE_2025_hourly.csv")), null, rows::add);
        assertThat(de.rows).isEqualTo(3);
        assertThat(de.skipped).isEqualTo(2);
        assertThat(de.reasons)
                .anyMatch(r -> r.contains("no carbon intensity"))
                .anyMatch(r -> r.contains("no datetime"));
        assertThat(rows)
                .extracting(
                        ElectricityMapsCsv.Row::zone,
                        ElectricityMapsCsv.Row::datetime,
                        ElectricityMapsCsv.Row::direct,
                        ElectricityMapsCsv.Row::lifecycle,
                        ElectricityMapsCsv.Row::estimated,
                        ElectricityMapsCsv.Row::estimationMethod)
                .containsExactly(
                        tuple(
                                "DE",
                                Instant.parse("2025-01-01T00:00:00Z"),
                                402.71,
                                469.33,
                                false,
                                null),
                        tuple(
                                "DE",
                                Instant.parse("2025-01-01T01:00:00Z"),
                                398.20,
                                465.02,
                                false,
                                null),
                        tuple(
                                "DE",
                                Instant.parse("2025-01-01T03:00:00Z"),
                                391.05,
                                457.64,
                                true,
                                "TIME_SLICER_AVERAGE"));

        rows.clear();
        ElectricityMapsCsv.Stats fr =
                ElectricityMapsCsv.read(
                        Files.newBufferedReader(fixture("FR_2023_hourly.csv")), null, rows::add);
        assertThat(fr.rows).isEqualTo(2);
        assertThat(rows.get(0))
                .isEqualTo(
                        new ElectricityMapsCsv.Row(
                                3,
                                "FR",
                                Instant.parse("2023-01-01T00:00:00Z"),
                                22.5,
                                48.9,
                                false,
                                null));
    }

    @Test
    void aFileThatIsNotAnElectricityMapsCsvIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                ElectricityMapsCsv.read(
                                        new StringReader("a,b,c\n1,2,3\n"), null, r -> {}))
                .hasMessageContaining("not an Electricity Maps CSV header");
    }

    @Test
    void producesOneRecordPerRowAndFactorTypeKeyedByZone() throws Exception {
        List<ConsumerRecord<byte[], byte[]>> sent = new ArrayList<>();
        // A real broker: the loader's own idempotent producer, and a read_committed consumer of
        // what it wrote.
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of(new NewTopic("carbonstream.intensity", 1, (short) 1)));
            ElectricityMapsCsvLoader.Result r;
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            ElectricityMapsCsvLoader.producerProperties(
                                    kafka.bootstrapServers(), null),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                r =
                        ElectricityMapsCsvLoader.load(
                                producer,
                                List.of(
                                        fixture("DE_2025_hourly.csv"),
                                        fixture("FR_2023_hourly.csv")),
                                "carbonstream.intensity",
                                List.of("lifecycle", "direct"),
                                null);
            }
            assertThat(r.rows()).isEqualTo(5);
            assertThat(r.records()).isEqualTo(10);
            assertThat(r.firstSendError()).isNull();
            Properties c = new Properties();
            c.putAll(kafka.clientProperties());
            c.put("isolation.level", "read_committed");
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                            c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition("carbonstream.intensity", 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                while (consumer.position(tp) < end)
                    consumer.poll(Duration.ofMillis(500)).forEach(sent::add);
            }
        }
        assertThat(sent)
                .hasSize(10)
                .allSatisfy(p -> assertThat(p.topic()).isEqualTo("carbonstream.intensity"));
        List<IntensityUpdate> values =
                sent.stream().map(p -> AvroWire.decode(p.value(), IntensityUpdate.class)).toList();
        assertThat(values)
                .extracting(
                        IntensityUpdate::getZone,
                        IntensityUpdate::getEmissionFactorType,
                        IntensityUpdate::getCarbonIntensity)
                .startsWith(tuple("DE", "lifecycle", 469.33), tuple("DE", "direct", 402.71));
        assertThat(values)
                .allSatisfy(
                        u -> {
                            assertThat(u.getSource()).isEqualTo("electricitymaps");
                            assertThat(u.getSignal()).isEqualTo("average");
                        });
        assertThat(values.get(4))
                .satisfies(
                        u -> {
                            assertThat(u.getValidFrom())
                                    .isEqualTo(Instant.parse("2025-01-01T03:00:00Z"));
                            assertThat(u.getEstimated()).isTrue();
                            assertThat(u.getEstimationMethod()).isEqualTo("TIME_SLICER_AVERAGE");
                        });
        assertThat(sent)
                .allSatisfy(
                        p ->
                                assertThat(new String(p.key(), StandardCharsets.UTF_8))
                                        .isEqualTo(
                                                AvroWire.decode(p.value(), IntensityUpdate.class)
                                                        .getZone()));
    }

    @Test
    void theProducerIsIdempotentWhateverTheExtraSettingsSay(@TempDir Path dir) throws Exception {
        Path extra = dir.resolve("producer.properties");
        Files.writeString(extra, "enable.idempotence=false\nacks=1\nsecurity.protocol=SASL_SSL\n");
        Properties p = ElectricityMapsCsvLoader.producerProperties("kafka:9092", extra);
        assertThat(p)
                .containsEntry("enable.idempotence", "true")
                .containsEntry("acks", "all")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "kafka:9092");
    }

    @Test
    void aDryRunCountsWithoutABroker() throws Exception {
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new ElectricityMapsCsvLoader());
        cmd.setOut(new PrintWriter(out));
        int code =
                cmd.execute(
                        "--dry-run",
                        "--factor-types",
                        "lifecycle",
                        fixture("DE_2025_hourly.csv").toString());
        assertThat(code).isZero();
        assertThat(out.toString())
                .contains("dry run: 3 rows, 3 records would be produced, 2 lines skipped");
    }
}
