package io.carbonstream.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Plain Kafka clients for tests: produce raw records, read a topic to its end with read_committed.
 */
public final class KafkaIO {

    private KafkaIO() {}

    public record Raw(byte[] key, byte[] value) {}

    public static void produce(String bootstrap, String topic, List<Raw> records) {
        produce(client(bootstrap), topic, records, null);
    }

    public static Properties client(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        return p;
    }

    /** Produces to one partition, or by key hash when {@code partition} is null. */
    public static void produce(
            Properties client, String topic, List<Raw> records, Integer partition) {
        Properties p = new Properties();
        p.putAll(client);
        p.put("acks", "all");
        p.put("linger.ms", "5");
        // Ordered retries without the idempotent producer's sequence bookkeeping: a CI run once saw
        // the
        // in-process broker answer NOT_LEADER_OR_FOLLOWER on a fresh topic, and the idempotent
        // retry was
        // then refused (OutOfOrderSequenceException) and its records silently lost.
        p.put("enable.idempotence", "false");
        p.put("max.in.flight.requests.per.connection", "1");
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Raw r : records)
                sent.add(producer.send(new ProducerRecord<>(topic, partition, r.key(), r.value())));
            producer.flush();
            // A record the broker refused fails the test here, not as a timeout much later.
            for (java.util.concurrent.Future<?> f : sent) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(
                    "producing test input to " + topic + " failed", e.getCause());
        }
    }

    /** Every committed record of the topic, in offset order per partition. */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        return readAll(client(bootstrap), topic);
    }

    public static List<ConsumerRecord<byte[], byte[]>> readAll(Properties client, String topic) {
        Properties p = new Properties();
        p.putAll(client);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts =
                    c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                            .map(i -> new TopicPartition(topic, i.partition()))
                            .collect(Collectors.toList());
            c.assign(parts);
            c.seekToBeginning(parts);
            // With read_committed, endOffsets is the last stable offset: everything committed so
            // far.
            Map<TopicPartition, Long> end =
                    new HashMap<>(c.endOffsets(parts, Duration.ofSeconds(30)));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            while (parts.stream()
                    .anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) out.add(r);
            }
            return out;
        }
    }
}
