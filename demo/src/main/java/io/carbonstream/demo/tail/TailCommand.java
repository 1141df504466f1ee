package io.carbonstream.demo.tail;

import io.carbonstream.demo.util.KafkaClientOptions;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.Restatement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.avro.Schema;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints a carbonstream topic as JSON lines, one per record: {"key": ..., "partition": ...,
 * "offset": ..., "value": {the Avro record as JSON}}. Reads committed records only, as every
 * consumer of carbonstream's outputs must. The record type comes from the topic's name (the job's
 * default names) or from --type.
 */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description =
                "Prints a carbonstream topic as JSON lines (committed records only), from its"
                        + " beginning or from now on.")
public final class TailCommand implements Callable<Integer> {

    /** The record type of each topic, by the last part of its default name. */
    static final Map<String, Class<? extends SpecificRecord>> BY_SUFFIX =
            Map.ofEntries(
                    Map.entry("events", InferenceEvent.class),
                    Map.entry("intensity", IntensityUpdate.class),
                    Map.entry("registry", Datacenter.class),
                    Map.entry("aggregates", Aggregate.class),
                    Map.entry("alerts", Alert.class),
                    Map.entry("dead-letters", DeadLetter.class),
                    Map.entry("late-events", DeadLetter.class),
                    Map.entry("restatements", Restatement.class),
                    Map.entry("forecasts", IntensityForecast.class),
                    Map.entry("certificates", Certificate.class),
                    Map.entry("ledger", LedgerEntry.class),
                    Map.entry("gpu-energy", GpuEnergySample.class),
                    Map.entry("gpu-attribution", GpuAttribution.class));

    @Parameters(index = "0", description = "The topic, e.g. carbonstream.aggregates.")
    String topic;

    @Mixin KafkaClientOptions kafka;

    @Option(
            names = "--type",
            description =
                    "Record type when the topic name does not say: one of"
                            + " ${COMPLETION-CANDIDATES}.")
    Type type;

    @Option(
            names = "--from-beginning",
            description = "Start at the beginning of the topic (default: only new records).")
    boolean fromBeginning;

    @Option(
            names = "--max-records",
            description = "Stop after this many records (default: run until Ctrl-C).")
    Long maxRecords;

    /** The record types, by name. */
    public enum Type {
        events(InferenceEvent.class),
        intensity(IntensityUpdate.class),
        registry(Datacenter.class),
        aggregates(Aggregate.class),
        alerts(Alert.class),
        deadletters(DeadLetter.class),
        restatements(Restatement.class),
        forecasts(IntensityForecast.class),
        certificates(Certificate.class),
        ledger(LedgerEntry.class),
        gpuenergy(GpuEnergySample.class),
        gpuattribution(GpuAttribution.class);

        final Class<? extends SpecificRecord> cls;

        Type(Class<? extends SpecificRecord> cls) {
            this.cls = cls;
        }
    }

    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Class<? extends SpecificRecord> cls = type != null ? type.cls : typeOf(topic);
        if (cls == null) {
            System.err.println(
                    "carbonstream-demo tail: cannot tell the record type of topic "
                            + topic
                            + " from its name; give --type");
            return 2;
        }
        Properties client = kafka.clientPropertiesOrNull("carbonstream-demo tail");
        if (client == null) return 2;
        Properties p = KafkaClientOptions.committedReader(client, kafka.bootstrap());
        long printed = 0;
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts =
                    c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .toList();
            c.assign(parts);
            if (fromBeginning) c.seekToBeginning(parts);
            else c.seekToEnd(parts);
            while (maxRecords == null || printed < maxRecords) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.println(line(r, cls));
                    if (maxRecords != null && ++printed >= maxRecords) break;
                }
            }
        }
        return 0;
    }

    static Class<? extends SpecificRecord> typeOf(String topic) {
        for (Map.Entry<String, Class<? extends SpecificRecord>> e : BY_SUFFIX.entrySet()) {
            if (topic.equals(e.getKey()) || topic.endsWith("." + e.getKey())) return e.getValue();
        }
        return null;
    }

    /** One record as a JSON line; a value that does not decode is shown as such, with its size. */
    static String line(ConsumerRecord<byte[], byte[]> r, Class<? extends SpecificRecord> cls) {
        String key = r.key() == null ? "null" : quote(new String(r.key(), StandardCharsets.UTF_8));
        String value;
        try {
            value = r.value() == null ? "null" : json(AvroCodec.decodeOne(r.value(), cls));
        } catch (RuntimeException e) {
            value = "{\"undecodable\": " + r.value().length + "}";
        }
        return "{\"key\": "
                + key
                + ", \"partition\": "
                + r.partition()
                + ", \"offset\": "
                + r.offset()
                + ", \"value\": "
                + value
                + "}";
    }

    @SuppressWarnings("unchecked")
    static String json(SpecificRecord record) {
        try {
            Schema schema = record.getSchema();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            JsonEncoder enc = EncoderFactory.get().jsonEncoder(schema, bytes);
            new SpecificDatumWriter<SpecificRecord>((Class<SpecificRecord>) record.getClass())
                    .write(record, enc);
            enc.flush();
            return bytes.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
