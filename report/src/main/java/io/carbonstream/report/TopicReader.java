package io.carbonstream.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a whole topic once: committed records only (read_committed, as every consumer of
 * carbonstream's transactional outputs must), from the beginning of each partition to the end
 * offsets taken when reading starts. Records written after that are not part of this run, so a
 * report is a snapshot of the topic at one moment, whatever keeps arriving while it reads. No
 * consumer group: nothing is committed, nothing is left behind on the cluster.
 */
public final class TopicReader {

    /** One record as it is on the topic; value null is a tombstone. */
    public record RawRecord(int partition, long offset, byte[] key, byte[] value) {}

    /** How long reading may make no progress before it gives up (a broker that went away). */
    static final Duration STALL_LIMIT = Duration.ofMinutes(2);

    private final Properties clientProperties;

    /**
     * {@code clientProperties}: bootstrap servers and any security settings; the rest is set here.
     */
    public TopicReader(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    /**
     * Hands every committed record of the topic, partition by partition in offset order within
     * each, to {@code sink}.
     */
    public long readAll(String topic, Consumer<RawRecord> sink) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "carbonstream-report");
        String where = " on " + p.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            } catch (KafkaException e) {
                throw new ReportException(
                        "cannot read topic " + topic + where + ": " + e.getMessage(), e);
            }
            if (infos == null || infos.isEmpty()) {
                throw new ReportException("topic " + topic + " does not exist" + where);
            }
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : infos) parts.add(new TopicPartition(topic, i.partition()));
            parts.sort(Comparator.comparingInt(TopicPartition::partition));
            c.assign(parts);
            c.seekToBeginning(parts);
            // Under read_committed these are the last stable offsets: nothing of an open
            // transaction.
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> position = new HashMap<>();
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition tp : parts) {
                long at = c.position(tp, Duration.ofSeconds(30));
                position.put(tp, at);
                if (at < end.get(tp)) open.add(tp);
            }
            c.pause(closedOf(parts, open));
            long read = 0;
            long lastProgress = System.nanoTime();
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() < end.get(tp)) {
                        sink.accept(new RawRecord(r.partition(), r.offset(), r.key(), r.value()));
                        read++;
                    }
                }
                List<TopicPartition> done = new ArrayList<>();
                for (TopicPartition tp : open) {
                    long at = c.position(tp, Duration.ofSeconds(30));
                    if (at != position.get(tp)) lastProgress = System.nanoTime();
                    position.put(tp, at);
                    if (at >= end.get(tp)) done.add(tp);
                }
                open.removeAll(done);
                c.pause(done);
                if (!open.isEmpty() && System.nanoTime() - lastProgress > STALL_LIMIT.toNanos()) {
                    throw new ReportException(
                            "reading topic "
                                    + topic
                                    + where
                                    + " made no progress for "
                                    + STALL_LIMIT.toMinutes()
                                    + " minutes; at "
                                    + position
                                    + ", reading up to "
                                    + end);
                }
            }
            return read;
        } catch (KafkaException e) {
            throw new ReportException(
                    "cannot read topic " + topic + where + ": " + e.getMessage(), e);
        }
    }

    private static List<TopicPartition> closedOf(
            List<TopicPartition> all, List<TopicPartition> open) {
        List<TopicPartition> closed = new ArrayList<>(all);
        closed.removeAll(open);
        return closed;
    }
}
