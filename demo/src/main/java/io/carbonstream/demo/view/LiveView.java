package io.carbonstream.demo.view;

import io.carbonstream.demo.util.BackgroundThreads;
import io.carbonstream.demo.util.KafkaClientOptions;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.Restatement;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's outputs and inputs from Kafka on one background thread into a {@link ViewState}
 * and, if given a terminal, redraws it every refresh interval.
 *
 * <p>Reads with isolation.level=read_committed: the job's outputs are transactional, and an
 * uncommitted aggregate may still be aborted (it would then be counted twice after a restart).
 */
public final class LiveView implements AutoCloseable {

    /**
     * Topic names the view reads; restatements, ledger and gpuAttribution may be null (not shown).
     */
    public record Topics(
            String intensity,
            String registry,
            String aggregates,
            String alerts,
            String late,
            String deadLetters,
            String restatements,
            String ledger,
            String gpuAttribution) {
        List<String> all() {
            List<String> all =
                    new ArrayList<>(
                            List.of(intensity, registry, aggregates, alerts, late, deadLetters));
            for (String t : new String[] {restatements, ledger, gpuAttribution})
                if (t != null) all.add(t);
            return all;
        }
    }

    /** Clears the screen and homes the cursor: each frame replaces the previous one. */
    static final String CLEAR = "\033[H\033[2J";

    private final Properties props = new Properties();
    private final Topics topics;
    private final ViewState state = new ViewState();
    private final Supplier<ScreenRenderer.Header> header;
    private final PrintStream out;
    private final boolean ansi;
    private final Duration refresh;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Throwable failure;
    private Thread thread;

    /**
     * @param client Kafka client settings to start from (security, for a Kafka the demo did not
     *     start; empty for the demo's own broker)
     * @param out where to draw frames, or null to only collect state
     * @param ansi clear the screen before each frame (a terminal) or print frames one after another
     *     (a log)
     */
    public LiveView(
            Properties client,
            String bootstrap,
            Topics topics,
            Supplier<ScreenRenderer.Header> header,
            PrintStream out,
            boolean ansi,
            Duration refresh) {
        props.putAll(KafkaClientOptions.committedReader(client, bootstrap));
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "carbonstream-demo-view");
        this.topics = topics;
        this.header = header;
        this.out = out;
        this.ansi = ansi;
        this.refresh = refresh;
    }

    public ViewState state() {
        return state;
    }

    /** One frame of the current state. */
    public String frame() {
        return ScreenRenderer.render(state, header.get());
    }

    public synchronized LiveView start() {
        thread = new Thread(this::run, "carbonstream-view");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * Reads every topic that exists now from its beginning to its current end, in the caller's
     * thread: committed records only, so the end is the last stable offset (a transaction still
     * open is waited out; one that never ends makes this fail at the timeout, naming what was
     * left).
     */
    public void readToEnd(Duration timeout) {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            Set<String> assigned = new HashSet<>();
            assign(c, assigned);
            if (assigned.isEmpty()) return;
            Map<TopicPartition, Long> end = c.endOffsets(c.assignment());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                List<TopicPartition> behind = new ArrayList<>();
                for (Map.Entry<TopicPartition, Long> e : end.entrySet())
                    if (c.position(e.getKey()) < e.getValue()) behind.add(e.getKey());
                if (behind.isEmpty()) return;
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read "
                                    + behind
                                    + " to its end within "
                                    + timeout
                                    + ": is a producer holding a transaction open?");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) apply(r);
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> c = consumer()) {
            Set<String> assigned = new HashSet<>();
            long nextDraw = System.currentTimeMillis() + refresh.toMillis();
            long nextTopicCheck = 0;
            while (stop.getCount() > 0) {
                long now = System.currentTimeMillis();
                if (now >= nextTopicCheck) {
                    // A topic created later (e.g. alerts, once the job writes them) is picked up
                    // here.
                    assign(c, assigned);
                    nextTopicCheck = now + 10_000;
                }
                if (!assigned.isEmpty()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200)))
                        apply(r);
                } else if (stop.await(200, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (out != null && System.currentTimeMillis() >= nextDraw) {
                    draw();
                    nextDraw = System.currentTimeMillis() + refresh.toMillis();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            stopped.countDown();
        }
    }

    private void assign(KafkaConsumer<byte[], byte[]> c, Set<String> assigned) {
        Map<String, List<PartitionInfo>> existing = c.listTopics(Duration.ofSeconds(10));
        List<TopicPartition> fresh = new ArrayList<>();
        for (String t : topics.all()) {
            if (assigned.contains(t) || !existing.containsKey(t)) continue;
            for (PartitionInfo p : existing.get(t)) fresh.add(new TopicPartition(t, p.partition()));
            assigned.add(t);
        }
        if (fresh.isEmpty()) return;
        List<TopicPartition> all = new ArrayList<>(c.assignment());
        all.addAll(fresh);
        c.assign(all);
        c.seekToBeginning(fresh);
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        String t = r.topic();
        String key = r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
        try {
            if (t.equals(topics.aggregates())) {
                state.onAggregate(AvroCodec.decodeOne(r.value(), Aggregate.class));
            } else if (t.equals(topics.intensity())) {
                state.onIntensity(AvroCodec.decodeOne(r.value(), IntensityUpdate.class));
            } else if (t.equals(topics.registry())) {
                state.onRegistry(
                        key,
                        r.value() == null
                                ? null
                                : AvroCodec.decodeOne(r.value(), Datacenter.class));
            } else if (t.equals(topics.alerts())) {
                state.onAlert(key, AvroCodec.decodeOne(r.value(), Alert.class));
            } else if (t.equals(topics.late())) {
                state.onLateEvent();
            } else if (t.equals(topics.deadLetters())) {
                state.onDeadLetter(AvroCodec.decodeOne(r.value(), DeadLetter.class).getReason());
            } else if (t.equals(topics.restatements())) {
                state.onRestatement(AvroCodec.decodeOne(r.value(), Restatement.class));
            } else if (t.equals(topics.ledger())) {
                if (r.value() != null)
                    state.onLedger(AvroCodec.decodeOne(r.value(), LedgerEntry.class));
            } else if (t.equals(topics.gpuAttribution())) {
                if (r.value() != null)
                    state.onGpuAttribution(AvroCodec.decodeOne(r.value(), GpuAttribution.class));
            }
        } catch (RuntimeException e) {
            // Another writer's record in a format this build does not know: count it, keep going.
            state.onUndecodable();
        }
    }

    private void draw() {
        String f = frame();
        if (ansi) out.print(CLEAR + f);
        else out.print(f + "\n");
        out.flush();
    }

    public Throwable failure() {
        return failure;
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            t = thread;
        }
        BackgroundThreads.stop(stop, stopped, t, Duration.ofSeconds(15), Duration.ofSeconds(5));
    }
}
