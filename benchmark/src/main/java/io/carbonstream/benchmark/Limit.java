package io.carbonstream.benchmark;

import io.carbonstream.schema.InferenceEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The limit: plain KafkaConsumers reading the events topic to its end and Avro-decoding every
 * record.
 */
final class Limit {

    private Limit() {}

    record Result(
            int consumers,
            long records,
            double secondsFromFirstRecord,
            double secondsWithStartup,
            long checksum) {
        double recordsPerSecond() {
            return records / secondsFromFirstRecord;
        }
    }

    /** {@code consumers} threads, the topic's partitions dealt round-robin among them. */
    static Result run(String bootstrap, String topic, int consumers) throws Exception {
        long t0 = System.nanoTime();
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        AtomicLong records = new AtomicLong();
        AtomicLong checksum = new AtomicLong();
        List<TopicPartition> all;
        try (KafkaConsumer<byte[], byte[]> c = KafkaUtil.consumer(bootstrap)) {
            all = KafkaUtil.partitions(c, topic);
        }
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int i = 0; i < consumers; i++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (int j = i; j < all.size(); j += consumers) mine.add(all.get(j));
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    read(bootstrap, mine, first, records, checksum);
                                } catch (Throwable e) {
                                    synchronized (errors) {
                                        errors.add(e);
                                    }
                                }
                            },
                            "limit-consumer-" + i);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) t.join();
        if (!errors.isEmpty())
            throw new IllegalStateException("limit consumer failed", errors.get(0));
        long end = System.nanoTime();
        return new Result(
                consumers,
                records.get(),
                (end - first.get()) / 1e9,
                (end - t0) / 1e9,
                checksum.get());
    }

    private static void read(
            String bootstrap,
            List<TopicPartition> parts,
            AtomicLong first,
            AtomicLong records,
            AtomicLong checksum) {
        SpecificDatumReader<InferenceEvent> reader =
                new SpecificDatumReader<>(InferenceEvent.class);
        BinaryDecoder decoder = null;
        InferenceEvent reuse = null;
        long n = 0, sum = 0;
        try (KafkaConsumer<byte[], byte[]> c = KafkaUtil.consumer(bootstrap)) {
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end =
                    new HashMap<>(c.endOffsets(parts, Duration.ofSeconds(30)));
            while (parts.stream()
                    .anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                var batch = c.poll(Duration.ofMillis(200));
                if (!batch.isEmpty() && first.get() == Long.MAX_VALUE)
                    first.compareAndSet(Long.MAX_VALUE, System.nanoTime());
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    decoder = DecoderFactory.get().binaryDecoder(r.value(), decoder);
                    try {
                        reuse = reader.read(reuse, decoder);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    sum += reuse.getOutputTokens(); // use the decoded value so that nothing is
                    // optimised away
                    n++;
                }
            }
        }
        records.addAndGet(n);
        checksum.addAndGet(sum);
    }
}
