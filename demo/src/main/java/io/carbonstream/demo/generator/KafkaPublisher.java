package io.carbonstream.demo.generator;

import io.carbonstream.demo.util.BackgroundThreads;
import io.carbonstream.generator.GeneratedRecord;
import io.carbonstream.generator.GeneratorSettings;
import io.carbonstream.generator.OtlpSpans;
import io.carbonstream.generator.Pacer;
import io.carbonstream.generator.TrafficGenerator;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Datacenter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a {@link TrafficGenerator}'s records to Kafka on one background thread, each when the
 * wall clock reaches its simulated publish instant ({@link Pacer}). The registry goes first, so a
 * job reading the registry topic knows every datacenter before the first request.
 */
public final class KafkaPublisher implements AutoCloseable {

    /**
     * Topic names; the job's defaults are carbonstream.events / .intensity / .registry /
     * .certificates. With {@code otlpSpans} set, requests go there as OTLP spans instead of Avro
     * events. Certificates and GPU energy readings (when the generator makes them) go to {@code
     * certificates} and {@code gpuEnergy}; with a null topic they are not published.
     */
    public record Topics(
            String events,
            String intensity,
            String registry,
            String otlpSpans,
            String certificates,
            String gpuEnergy) {
        public Topics(String events, String intensity, String registry) {
            this(events, intensity, registry, null, null, null);
        }

        public Topics(String events, String intensity, String registry, String otlpSpans) {
            this(events, intensity, registry, otlpSpans, null, null);
        }
    }

    /** What was published so far. */
    public record Stats(
            long requests,
            long intensityUpdates,
            long certificates,
            long gpuReadings,
            long lastPublishedSim,
            Throwable failure,
            boolean done) {}

    private final Properties producerProps;
    private final Topics topics;
    private final TrafficGenerator generator;
    private final Pacer pacer;
    private final Long count;
    private final long wallDeadline;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong certificates = new AtomicLong();
    private final AtomicLong gpuReadings = new AtomicLong();
    private final AtomicLong lastSim = new AtomicLong(Long.MIN_VALUE);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile Consumer<GeneratedRecord> listener = r -> {};
    private Thread thread;

    /**
     * @param extra Kafka client properties (security settings of a real cluster); may be empty
     * @param count stop after this many requests (then drain intensity), or null
     * @param wallDeadline stop at this wall instant, or Long.MAX_VALUE
     */
    public KafkaPublisher(
            String bootstrap,
            Properties extra,
            Topics topics,
            TrafficGenerator generator,
            Pacer pacer,
            Long count,
            long wallDeadline) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "carbonstream-generator");
        this.producerProps = p;
        this.topics = topics;
        this.generator = generator;
        this.pacer = pacer;
        this.count = count;
        this.wallDeadline = wallDeadline;
    }

    /**
     * Called on the publishing thread for every record handed to the producer (tests count with
     * it).
     */
    public KafkaPublisher onSent(Consumer<GeneratedRecord> listener) {
        this.listener = listener;
        return this;
    }

    public synchronized KafkaPublisher start() {
        if (thread != null) throw new IllegalStateException("already started");
        thread = new Thread(this::run, "carbonstream-generator");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private void run() {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Datacenter d : generator.registry()) {
                producer.send(
                        new ProducerRecord<>(
                                topics.registry(),
                                d.getDatacenterId().getBytes(StandardCharsets.UTF_8),
                                AvroCodec.encodeOne(d)),
                        this::check);
            }
            producer.flush();
            Iterator<GeneratedRecord> it =
                    count != null
                            ? generator.bounded(count, GeneratorSettings.defaultDrain())
                            : generator.iterator();
            while (it.hasNext() && failure.get() == null) {
                GeneratedRecord r = it.next();
                long due = pacer.wallAt(r.publishAtMs());
                if (due > wallDeadline) break;
                long wait = due - System.currentTimeMillis();
                // Pacing, not synchronisation: wait for the record's wall instant or a stop
                // request.
                if (wait > 0 && stop.await(wait, TimeUnit.MILLISECONDS)) break;
                if (stop.getCount() == 0) break;
                String topic =
                        switch (r.kind()) {
                            case REQUEST ->
                                    topics.otlpSpans() != null
                                            ? topics.otlpSpans()
                                            : topics.events();
                            case INTENSITY -> topics.intensity();
                            case CERTIFICATE -> topics.certificates();
                            case GPU_ENERGY -> topics.gpuEnergy();
                        };
                if (topic == null) continue;
                if (r.isRequest() && topics.otlpSpans() != null) {
                    producer.send(
                            new ProducerRecord<>(topic, null, OtlpSpans.batchOf(r.event())),
                            this::check);
                } else {
                    producer.send(
                            new ProducerRecord<>(topic, r.keyBytes(), r.valueBytes()), this::check);
                }
                (switch (r.kind()) {
                            case REQUEST -> requests;
                            case INTENSITY -> updates;
                            case CERTIFICATE -> certificates;
                            case GPU_ENERGY -> gpuReadings;
                        })
                        .incrementAndGet();
                lastSim.set(r.publishAtMs());
                listener.accept(r);
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            finished.countDown();
        }
    }

    private void check(Object metadata, Exception e) {
        if (e != null) failure.compareAndSet(null, e);
    }

    public Stats stats() {
        return new Stats(
                requests.get(),
                updates.get(),
                certificates.get(),
                gpuReadings.get(),
                lastSim.get(),
                failure.get(),
                finished.getCount() == 0);
    }

    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops publishing; records already handed to the producer are flushed. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        BackgroundThreads.stop(stop, finished, t, Duration.ofSeconds(30), Duration.ofSeconds(10));
    }
}
