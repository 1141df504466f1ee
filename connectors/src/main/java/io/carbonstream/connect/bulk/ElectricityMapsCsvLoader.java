package io.carbonstream.connect.bulk;

import io.carbonstream.connect.common.AvroWire;
import io.carbonstream.schema.IntensityUpdate;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Backfills past years from Electricity Maps' public hourly CSV files: every line becomes one
 * IntensityUpdate per emission-factor type (source electricitymaps, signal average, keyed by zone,
 * plain Avro), produced with an idempotent producer (acks=all), so broker or network retries within
 * a run never duplicate a record. A second run over the same file publishes the same values again:
 * harmless for the job (a same-value restatement), but run it once.
 *
 * <pre>
 * java -cp "carbonstream-connectors-VERSION-plugin.jar:/opt/kafka/libs/*" io.carbonstream.connect.bulk.ElectricityMapsCsvLoader \
 *   --bootstrap-servers kafka:9092 DE_2024_hourly.csv FR_2024_hourly.csv</pre>
 */
@Command(
        name = "electricitymaps-csv-loader",
        mixinStandardHelpOptions = true,
        description =
                "Produce Electricity Maps hourly CSV files as carbonstream IntensityUpdate records"
                        + " (both emission-factor types).")
public final class ElectricityMapsCsvLoader implements Callable<Integer> {

    @Parameters(
            arity = "1..*",
            paramLabel = "FILE",
            description = "Electricity Maps hourly CSV files.")
    List<Path> files = new ArrayList<>();

    @Option(
            names = "--bootstrap-servers",
            description = "Kafka bootstrap servers (not needed with --dry-run).")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "carbonstream.intensity",
            description = "Intensity topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(
            names = "--factor-types",
            split = ",",
            defaultValue = "lifecycle,direct",
            description =
                    "Emission-factor types to produce, from the file's columns (default:"
                            + " ${DEFAULT-VALUE}).")
    List<String> factorTypes;

    @Option(
            names = "--zone",
            description = "Zone id for files without a zone column (or to override it).")
    String zone;

    @Option(
            names = "--producer-config",
            description =
                    "A properties file of extra producer settings (security, client.id, ...).")
    Path producerConfig;

    @Option(names = "--dry-run", description = "Parse and count, produce nothing.")
    boolean dryRun;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ElectricityMapsCsvLoader()).execute(args));
    }

    /** What a run did. */
    public record Result(
            long rows,
            long records,
            long skipped,
            List<String> reasons,
            Exception firstSendError) {}

    @Override
    public Integer call() throws Exception {
        for (String f : factorTypes) {
            if (!f.equals("lifecycle") && !f.equals("direct"))
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--factor-types: lifecycle or direct, not " + f);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (dryRun) {
            Result r = load(null, files, topic, factorTypes, zone);
            out.printf(
                    "dry run: %d rows, %d records would be produced, %d lines skipped%n",
                    r.rows(), r.records(), r.skipped());
            r.reasons().forEach(s -> out.println("  skipped " + s));
            return 0;
        }
        if (bootstrapServers == null)
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--bootstrap-servers is required (or --dry-run)");
        Properties props = producerProperties(bootstrapServers, producerConfig);
        try (Producer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            Result r = load(producer, files, topic, factorTypes, zone);
            out.printf(
                    "%d rows, %d records produced to %s, %d lines skipped%n",
                    r.rows(), r.records(), topic, r.skipped());
            r.reasons().forEach(s -> out.println("  skipped " + s));
            if (r.firstSendError() != null) {
                spec.commandLine().getErr().println("produce failed: " + r.firstSendError());
                return 1;
            }
            return 0;
        }
    }

    /**
     * The producer's settings: the file's, then ours, which a file cannot weaken (idempotence,
     * acks=all).
     */
    static Properties producerProperties(String bootstrapServers, Path producerConfig)
            throws IOException {
        Properties props = new Properties();
        if (producerConfig != null) {
            try (InputStream in = Files.newInputStream(producerConfig)) {
                props.load(in);
            }
        }
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
        props.putIfAbsent(
                ProducerConfig.CLIENT_ID_CONFIG, "carbonstream-electricitymaps-csv-loader");
        return props;
    }

    /**
     * Reads the files in order and produces (or, with a null producer, only counts) their records;
     * flushes at the end.
     */
    public static Result load(
            Producer<byte[], byte[]> producer,
            List<Path> files,
            String topic,
            List<String> factorTypes,
            String zone)
            throws IOException {
        AtomicLong records = new AtomicLong();
        AtomicReference<Exception> error = new AtomicReference<>();
        long rows = 0;
        long skipped = 0;
        List<String> reasons = new ArrayList<>();
        for (Path file : files) {
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                ElectricityMapsCsv.Stats s =
                        ElectricityMapsCsv.read(
                                reader,
                                zone,
                                row -> {
                                    if (error.get() != null) return;
                                    for (String factor : factorTypes) {
                                        Double value =
                                                factor.equals("direct")
                                                        ? row.direct()
                                                        : row.lifecycle();
                                        if (value == null) continue;
                                        IntensityUpdate u =
                                                IntensityUpdate.newBuilder()
                                                        .setZone(row.zone())
                                                        .setValidFrom(row.datetime())
                                                        .setCarbonIntensity(value)
                                                        .setMarginalIntensity(null)
                                                        .setEstimated(row.estimated())
                                                        .setSource("electricitymaps")
                                                        .setEmissionFactorType(factor)
                                                        .setSignal("average")
                                                        .setEstimationMethod(
                                                                row.estimated()
                                                                        ? row.estimationMethod()
                                                                        : null)
                                                        .setUpdatedAt(null)
                                                        .build();
                                        records.incrementAndGet();
                                        if (producer != null) {
                                            producer.send(
                                                    new ProducerRecord<>(
                                                            topic,
                                                            row.zone()
                                                                    .getBytes(
                                                                            StandardCharsets.UTF_8),
                                                            AvroWire.encode(u)),
                                                    (md, e) -> {
                                                        if (e != null) error.compareAndSet(null, e);
                                                    });
                                        }
                                    }
                                });
                rows += s.rows;
                skipped += s.skipped;
                s.reasons.forEach(r -> reasons.add(file.getFileName() + " " + r));
            }
        }
        if (producer != null) producer.flush();
        return new Result(rows, records.get(), skipped, reasons, error.get());
    }
}
