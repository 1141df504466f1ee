package io.carbonstream.benchmark;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

final class KafkaUtil {

    private KafkaUtil() {}

    static void createTopics(String bootstrap, Collection<NewTopic> topics) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (Admin a = Admin.create(p)) {
            a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * An output topic whose records carry the broker's append time (LogAppendTime): the last
     * record's timestamp is when a job's output reached the broker, the "last record processed"
     * timer, without any probe in the measured job.
     */
    static NewTopic outputTopic(String name, int partitions) {
        return new NewTopic(name, partitions, (short) 1)
                .configs(Map.of("message.timestamp.type", "LogAppendTime"));
    }

    /**
     * The largest record timestamp among the last records of every partition of {@code topic}
     * (read_uncommitted).
     */
    static long lastAppendTime(String bootstrap, String topic) {
        Properties p = consumerProps(bootstrap);
        p.put("isolation.level", "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = partitions(c, topic);
            c.assign(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            // The tail of each partition is enough: appends are in time order; transaction markers
            // take offsets too.
            for (TopicPartition tp : parts) c.seek(tp, Math.max(0, end.get(tp) - 2_000));
            long last = -1;
            while (parts.stream()
                    .anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)))
                    last = Math.max(last, r.timestamp());
            }
            return last;
        }
    }

    static Properties consumerProps(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "5000");
        p.put("fetch.max.bytes", String.valueOf(64 << 20));
        p.put("max.partition.fetch.bytes", String.valueOf(16 << 20));
        p.put("receive.buffer.bytes", String.valueOf(4 << 20));
        return p;
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(
                consumerProps(bootstrap), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> partitions(KafkaConsumer<?, ?> c, String topic) {
        List<TopicPartition> out = new ArrayList<>();
        c.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(i -> out.add(new TopicPartition(topic, i.partition())));
        return out;
    }

    /**
     * Reads every committed record of the given partitions (to the end offsets at the start) and
     * hands each to {@code sink}.
     */
    static long readAll(
            String bootstrap, String topic, Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            List<TopicPartition> parts = partitions(c, topic);
            return readToEnd(c, parts, sink);
        }
    }

    static long readToEnd(
            KafkaConsumer<byte[], byte[]> c,
            List<TopicPartition> parts,
            Consumer<ConsumerRecord<byte[], byte[]>> sink) {
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(parts, Duration.ofSeconds(30)));
        long n = 0;
        while (parts.stream()
                .anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                sink.accept(r);
                n++;
            }
        }
        return n;
    }

    static long count(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
            List<TopicPartition> parts = partitions(c, topic);
            Map<TopicPartition, Long> b = c.beginningOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> e = c.endOffsets(parts, Duration.ofSeconds(30));
            long n = 0;
            for (TopicPartition tp : parts) n += e.get(tp) - b.get(tp);
            return n; // upper bound incl. transaction markers; exact count via readAll
        }
    }
}
