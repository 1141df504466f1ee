package io.carbonstream;

import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.Limits;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.RegistryStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the registry topic up to the end offsets it has when the job is built (see {@link
 * RegistryStart}). Runs where the job graph is built: the client for a session cluster, the
 * JobManager in application mode. Bad records are skipped here: the registry source reads them
 * again and sends them to the dead letters.
 */
final class RegistrySnapshot {

    private RegistrySnapshot() {}

    static RegistryStart read(
            Properties kafka,
            String bootstrap,
            String topic,
            Map<String, DatacenterHistory> file,
            Limits limits,
            Duration timeout) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        RegistryStart.Builder b = new RegistryStart.Builder(file);
        Decoders.Registry decoder = new Decoders.Registry(limits);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException(
                        "registry topic "
                                + topic
                                + " does not exist: create it (compacted), or point "
                                + "--topic.registry at the right one");
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : infos) parts.add(new TopicPartition(topic, i.partition()));
            c.assign(parts);
            c.seekToBeginning(parts);
            // Under read_committed these are the last stable offsets: what a committed reader can
            // see.
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            end.forEach((tp, o) -> b.endOffset(tp.partition(), o));
            while (!caughtUp(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read registry topic "
                                    + topic
                                    + " to its end offsets "
                                    + end
                                    + " within "
                                    + timeout.toSeconds()
                                    + " s: check that the brokers are reachable");
                }
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    if (rec.offset() >= end.get(new TopicPartition(rec.topic(), rec.partition())))
                        continue;
                    ControlEvent e = decoder.decode(rec);
                    if (e.datacenter != null) b.put(e.datacenter);
                    else if (e.deletedDatacenter != null) b.delete(e.deletedDatacenter);
                }
            }
        }
        return b.build();
    }

    private static boolean caughtUp(
            KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet())
            if (c.position(e.getKey()) < e.getValue()) return false;
        return true;
    }
}
