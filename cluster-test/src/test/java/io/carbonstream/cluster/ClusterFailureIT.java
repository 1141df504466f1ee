package io.carbonstream.cluster;

import static io.carbonstream.cluster.LocalCluster.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Modality;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job jar on a real local cluster (a Kafka broker process, a Flink JobManager and two
 * TaskManagers, separate JVMs on 127.0.0.1), in unbounded mode with 2 s checkpoints:
 *
 * <ol>
 *   <li>a first third of the input is processed and partly committed;
 *   <li>the second third is produced and, while the job writes its aggregates in a transaction not
 *       yet committed, one TaskManager is killed with SIGKILL and a replacement is started;
 *   <li>the broker process is restarted; the last third is produced, then one "watermark pusher"
 *       request per partition, far ahead in event time, closes every minute window.
 * </ol>
 *
 * Then the committed (read_committed) MINUTE/DATACENTER aggregates, latest revision per key, must
 * equal an independent computation exactly: no request lost or counted twice. Recovery times are
 * measured and printed, never asserted.
 *
 * <p>The kill waits for output in an open transaction (the aggregates topic's end past its last
 * stable offset) rather than relying on a large backlog: the failure lands mid-transaction by
 * construction, so a few thousand requests per third prove as much as many. Most of the test's time
 * is the job working through its input on a small machine (aligned checkpoints wait for the backlog
 * ahead of their barriers), so the input is kept small.
 */
class ClusterFailureIT {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterFailureIT.class);
    static final long MIN = 60_000;
    static final double REL = 1e-9;
    static final int PER_BATCH = 5_000;
    static final String EVENTS = "carbonstream.events";
    static final String INTENSITY = "carbonstream.intensity";
    static final String AGGREGATES = "carbonstream.aggregates";

    record Dc(String id, String zone, double pue, double wue, Double itOverhead) {}

    record Req(String id, long t, String dc, long in, long out, double joules, long durationMs) {}

    static final List<Dc> DCS =
            List.of(
                    new Dc("dc-a", "US-CAL-CISO", 1.10, 0.5, null),
                    new Dc("dc-b", "US-CAL-CISO", 1.25, 1.2, 1.6),
                    new Dc("dc-c", "DE", 1.40, 1.8, null));

    /** Event time starts on a whole hour, three hours ago: in the past, never "in the future". */
    final long base =
            Math.floorDiv(System.currentTimeMillis(), 3_600_000L) * 3_600_000L - 3 * 3_600_000L;

    final Random rnd = new Random(20261130);

    /** zone -> valid_from -> gCO2e/kWh. */
    final Map<String, TreeMap<Long, Double>> intensity = new HashMap<>();

    final List<Req> produced = new ArrayList<>();

    @Test
    void noRequestLostOrCountedTwiceAcrossTaskManagerAndBrokerFailures() throws Exception {
        Path work = Path.of(System.getProperty("cluster.work", "target/cluster"));
        Path jar = Path.of(System.getProperty("job.jar"));
        assertThat(jar).as("the shaded job jar (mvn package of job/)").exists();
        deleteRecursively(work);
        long testStart = System.nanoTime();

        try (LocalCluster cluster = new LocalCluster(work);
                PushedMetrics metrics = new PushedMetrics()) {
            // ---- the cluster: Kafka, the topics of topics.conf, JobManager + 2 TaskManagers
            cluster.formatKafka();
            cluster.startKafka();
            cluster.createTopics();
            cluster.writeFlinkConf(
                    Map.of(
                            "metrics.reporters", "promgw",
                            "metrics.reporter.promgw.factory.class",
                                    "org.apache.flink.metrics.prometheus.PrometheusPushGatewayReporterFactory",
                            "metrics.reporter.promgw.hostUrl", metrics.url(),
                            "metrics.reporter.promgw.jobName", "carbonstream",
                            "metrics.reporter.promgw.randomJobNameSuffix", "true",
                            "metrics.reporter.promgw.deleteOnShutdown", "false",
                            "metrics.reporter.promgw.interval", "2 s",
                            // Bounded back-off: the test restarts things on purpose.
                            "restart-strategy.exponential-delay.max-backoff", "4 s"));
            cluster.startJobManager();
            cluster.startTaskManager("tm-1");
            cluster.startTaskManager("tm-2");
            waitUntil(
                    "2 TaskManagers registered",
                    Duration.ofSeconds(90),
                    () -> cluster.registeredTaskManagers() >= 2);
            LOG.info("cluster up in {} s", secondsSince(testStart));

            // ---- input: every intensity update, then the first third of the requests
            Path registry = work.resolve("registry.json");
            Files.writeString(
                    registry,
                    DCS.stream()
                            .map(
                                    d ->
                                            String.format(
                                                    Locale.ROOT,
                                                    "{\"datacenter_id\":\"%s\",\"zone\":\"%s\",\"pue\":%s,\"wue_l_per_kwh\":%s,\"it_overhead\":%s}",
                                                    d.id(),
                                                    d.zone(),
                                                    d.pue(),
                                                    d.wue(),
                                                    d.itOverhead()))
                            .collect(Collectors.joining(",", "[", "]")));
            produceIntensity(cluster.bootstrap());
            produce(cluster.bootstrap(), batch(0));

            String job =
                    cluster.submit(
                            jar,
                            List.of(
                                    "--bootstrap-servers", cluster.bootstrap(),
                                    "--registry-file", registry.toString(),
                                    "--parallelism", "2",
                                    "--checkpoint-interval", "2 s",
                                    "--start-from", "EARLIEST",
                                    "--group-id", "cluster-it",
                                    "--transactional-id-prefix", "cluster-it"));
            // The default idle-timeout (30 s) stays: a short one lets a source subtask that starts
            // or
            // reconnects a few seconds late be declared idle while the other one races ahead
            // through the
            // backlog, which closes windows early and sends the slow half of their requests to
            // late-events.
            LOG.info("job {} submitted", job);
            waitUntil(
                    "the first committed aggregates",
                    Duration.ofSeconds(90),
                    () -> !committedAggregates(cluster.bootstrap()).isEmpty());

            // ---- TaskManager failure while the job's output of the second third is in an open
            // transaction
            produce(cluster.bootstrap(), batch(1));
            waitUntil(
                    "aggregates in a transaction not yet committed",
                    Duration.ofSeconds(120),
                    () -> openTransaction(cluster.bootstrap(), AGGREGATES));
            long killedAt = System.currentTimeMillis();
            cluster.kill("tm-1");
            cluster.startTaskManager("tm-3");
            waitUntil(
                    "a checkpoint completed after the TaskManager was killed",
                    Duration.ofSeconds(120),
                    () ->
                            cluster.latestCompletedCheckpointTrigger(job) > killedAt
                                    && cluster.allTasksRunning(job));
            long tmRecoveryMs = System.currentTimeMillis() - killedAt;

            // ---- broker restart
            long brokerStoppedAt = System.currentTimeMillis();
            cluster.stopKafka();
            cluster.startKafka();
            long brokerBackAt = System.currentTimeMillis();
            waitUntil(
                    "a checkpoint completed after the broker restart",
                    Duration.ofSeconds(120),
                    () ->
                            cluster.latestCompletedCheckpointTrigger(job) > brokerBackAt
                                    && cluster.allTasksRunning(job));
            long brokerRecoveryMs = System.currentTimeMillis() - brokerBackAt;

            // ---- the last third, then one watermark pusher per partition to close every window
            produce(cluster.bootstrap(), batch(2));
            producePushers(cluster.bootstrap());

            Map<String, Expected> expected = reference();
            long doneMs =
                    waitUntil(
                            "committed MINUTE/DATACENTER aggregates covering every minute",
                            Duration.ofSeconds(120),
                            () ->
                                    committedAggregates(cluster.bootstrap())
                                            .keySet()
                                            .containsAll(expected.keySet()));
            // Any output still in flight commits with the next checkpoint: wait for one more.
            long settle = System.currentTimeMillis();
            waitUntil(
                    "one more checkpoint",
                    Duration.ofSeconds(60),
                    () -> cluster.latestCompletedCheckpointTrigger(job) > settle);

            // ---- exactly-once: every committed aggregate equals the reference
            List<Aggregate> all = new ArrayList<>();
            Map<String, Aggregate> latest = committedAggregates(cluster.bootstrap(), all);
            Map<String, Long> perKeyRevision = new HashMap<>();
            for (Aggregate a : all) {
                String k = key(a) + "#" + a.getRevision();
                perKeyRevision.merge(k, 1L, Long::sum);
            }
            assertThat(perKeyRevision.values())
                    .as("no (key, revision) committed twice")
                    .allMatch(c -> c == 1);

            List<String> mismatches = new ArrayList<>();
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
                Aggregate a = latest.get(e.getKey());
                if (a == null || a.getRequests() != e.getValue().requests) {
                    mismatches.add(
                            e.getKey()
                                    + " expected "
                                    + e.getValue().requests
                                    + " requests, committed: "
                                    + all.stream()
                                            .filter(x -> key(x).equals(e.getKey()))
                                            .map(
                                                    x ->
                                                            "rev "
                                                                    + x.getRevision()
                                                                    + "="
                                                                    + x.getRequests())
                                            .collect(Collectors.joining(", ")));
                }
            }
            if (!mismatches.isEmpty())
                LOG.error(
                        "{} of {} windows differ:\n{}",
                        mismatches.size(),
                        expected.size(),
                        String.join("\n", mismatches.stream().sorted().toList()));
            Map<String, Long> requestsPerDc = new HashMap<>();
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
                Aggregate a = latest.get(e.getKey());
                Expected x = e.getValue();
                assertThat(a).as(e.getKey()).isNotNull();
                assertThat(a.getRequests()).as(e.getKey() + " requests").isEqualTo(x.requests);
                close(e.getKey() + " gpuJ", a.getGpuJoules(), x.gpuJ);
                close(e.getKey() + " kWh", a.getFacilityKwh(), x.kwh);
                close(e.getKey() + " gCO2e", a.getLocationGco2e(), x.g);
                requestsPerDc.merge(a.getDatacenterId(), a.getRequests(), Long::sum);
            }
            // Informational (printed below): what the aborted transactions (the kill's, the broker
            // restart's) held.
            long aborted =
                    uncommittedCount(cluster.bootstrap(), AGGREGATES)
                            - committed(cluster.bootstrap(), AGGREGATES).size();
            Map<String, Long> producedPerDc =
                    produced.stream()
                            .collect(Collectors.groupingBy(Req::dc, Collectors.counting()));
            assertThat(requestsPerDc)
                    .as("requests per datacenter over all minutes")
                    .isEqualTo(producedPerDc);
            assertThat(committed(cluster.bootstrap(), "carbonstream.dead-letters"))
                    .as("dead letters")
                    .isEmpty();
            assertThat(committed(cluster.bootstrap(), "carbonstream.late-events"))
                    .as("late events")
                    .isEmpty();

            // ---- the job's own counters reach Prometheus
            waitUntil(
                    "carbonstream_requestsRead among the pushed Prometheus metrics",
                    Duration.ofSeconds(30),
                    () -> !metrics.samples("carbonstream_requestsRead").isEmpty());
            LOG.info("sample: {}", metrics.samples("carbonstream_requestsRead").get(0));

            String report =
                    String.format(
                            Locale.ROOT,
                            "%n=== cluster failure test: %d requests, %d minute windows x %d"
                                + " datacenters ===%nTaskManager kill -9 -> first checkpoint"
                                + " completed after it (replacement started at once): %.1f"
                                + " s%nBroker restart: down %.1f s (controlled shutdown + start),"
                                + " back -> first checkpoint completed: %.1f s%nLast input produced"
                                + " -> every minute window committed: %.1f s%nAggregate records in"
                                + " aborted transactions (written, never committed): %d%nWhole"
                                + " test: %.1f s%n",
                            produced.size(),
                            30,
                            DCS.size(),
                            tmRecoveryMs / 1000.0,
                            (brokerBackAt - brokerStoppedAt) / 1000.0,
                            brokerRecoveryMs / 1000.0,
                            doneMs / 1000.0,
                            aborted,
                            secondsSince(testStart));
            System.out.println(report);
            LOG.info(report);
            Files.writeString(work.resolve("recovery-times.txt"), report);
        }
    }

    // ------------------------------------------------------------------------------ scenario

    /** Requests of minutes [10 b, 10 b + 10), in arrival order (up to 3 s out of order). */
    List<Req> batch(int b) {
        List<Req> made = new ArrayList<>();
        List<long[]> arrival = new ArrayList<>();
        for (int i = 0; i < PER_BATCH; i++) {
            long t = base + 10 * b * MIN + (long) (rnd.nextDouble() * 10 * MIN);
            Dc dc = DCS.get(rnd.nextInt(DCS.size()));
            double joules = 5 + rnd.nextDouble() * 400;
            long duration = Math.max(500 + rnd.nextInt(20_000), (long) (joules / 300 * 1000) + 1);
            made.add(
                    new Req(
                            "r-" + b + "-" + i,
                            t,
                            dc.id(),
                            50 + rnd.nextInt(2000),
                            20 + rnd.nextInt(800),
                            joules,
                            duration));
            arrival.add(new long[] {t + rnd.nextInt(3000), i});
        }
        arrival.sort(Comparator.<long[]>comparingLong(a -> a[0]).thenComparingLong(a -> a[1]));
        List<Req> out = new ArrayList<>();
        for (long[] a : arrival) out.add(made.get((int) a[1]));
        synchronized (produced) {
            produced.addAll(out);
        }
        return out;
    }

    void produceIntensity(String bootstrap) {
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (String zone : List.of("US-CAL-CISO", "DE")) {
                for (long v = base - 10 * MIN; v <= base + 45 * MIN; v += 5 * MIN) {
                    double g = 100 + rnd.nextDouble() * 600;
                    intensity.computeIfAbsent(zone, z -> new TreeMap<>()).put(v, g);
                    IntensityUpdate u =
                            IntensityUpdate.newBuilder()
                                    .setZone(zone)
                                    .setValidFrom(Instant.ofEpochMilli(v))
                                    .setCarbonIntensity(g)
                                    .setEstimated(false)
                                    .setSource("cluster-test")
                                    .build();
                    p.send(new ProducerRecord<>(INTENSITY, utf8(zone), encode(u)));
                }
            }
            p.flush();
        }
    }

    static void produce(String bootstrap, List<Req> requests) {
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            for (Req r : requests)
                p.send(new ProducerRecord<>(EVENTS, utf8(r.id()), encode(event(r))));
            p.flush();
        }
    }

    /**
     * One request per partition 40 minutes after the start: the watermark passes every minute
     * window. Not in the totals.
     */
    void producePushers(String bootstrap) {
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            int partitions = p.partitionsFor(EVENTS).size();
            for (int i = 0; i < partitions; i++) {
                Req r = new Req("pusher-" + i, base + 40 * MIN, "dc-a", 10, 10, 10, 1000);
                p.send(new ProducerRecord<>(EVENTS, i, utf8(r.id()), encode(event(r))));
            }
            p.flush();
        }
    }

    static InferenceEvent event(Req r) {
        return InferenceEvent.newBuilder()
                .setRequestId(r.id())
                .setEventTime(Instant.ofEpochMilli(r.t()))
                .setDatacenterId(r.dc())
                .setModelId("llama-3.1-8b")
                .setModality(Modality.TEXT)
                .setInputTokens(r.in())
                .setOutputTokens(r.out())
                .setGpuCount(1)
                .setDurationMs(r.durationMs())
                .setMeasuredGpuJoules(r.joules())
                .build();
    }

    // ------------------------------------------------------------------------------ reference

    static final class Expected {
        long requests;
        double gpuJ, kwh, g;
    }

    /**
     * MINUTE/DATACENTER aggregates computed directly from the produced requests (pushers excluded).
     */
    Map<String, Expected> reference() {
        Map<String, Dc> dcs = DCS.stream().collect(Collectors.toMap(Dc::id, d -> d));
        Map<String, Expected> out = new HashMap<>();
        for (Req r : produced) {
            Dc dc = dcs.get(r.dc());
            double kwh =
                    r.joules()
                            * (dc.itOverhead() != null ? dc.itOverhead() : 1.75)
                            * dc.pue()
                            / 3.6e6;
            double g = intensity.get(dc.zone()).floorEntry(r.t()).getValue();
            long minute = Math.floorDiv(r.t(), MIN) * MIN;
            Expected e =
                    out.computeIfAbsent(
                            "MINUTE|DATACENTER|" + r.dc() + "||" + minute, k -> new Expected());
            e.requests++;
            e.gpuJ += r.joules();
            e.kwh += kwh;
            e.g += kwh * g;
        }
        return out;
    }

    // ------------------------------------------------------------------------------ reading output

    static String key(Aggregate a) {
        return io.carbonstream.schema.Keys.aggregate(a);
    }

    static Map<String, Aggregate> committedAggregates(String bootstrap) {
        return committedAggregates(bootstrap, new ArrayList<>());
    }

    /**
     * Latest committed revision of every MINUTE/DATACENTER aggregate; {@code all} receives every
     * committed one.
     */
    static Map<String, Aggregate> committedAggregates(String bootstrap, List<Aggregate> all) {
        Map<String, Aggregate> latest = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : committed(bootstrap, AGGREGATES)) {
            Aggregate a = decode(rec.value());
            if (!a.getWindow().name().equals("MINUTE")
                    || !a.getDimension().name().equals("DATACENTER")) continue;
            assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo(key(a));
            all.add(a);
            latest.merge(key(a), a, (x, y) -> y.getRevision() > x.getRevision() ? y : x);
        }
        return latest;
    }

    /**
     * Whether a partition of the topic holds records of a transaction neither committed nor aborted
     * yet: its end offset (read_uncommitted) is past its last stable offset (read_committed). A
     * finished transaction's marker moves both.
     */
    static boolean openTransaction(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> uncommitted = consumer(bootstrap, "read_uncommitted");
                KafkaConsumer<byte[], byte[]> committed = consumer(bootstrap, "read_committed")) {
            List<TopicPartition> parts = partitions(uncommitted, topic);
            Map<TopicPartition, Long> end = uncommitted.endOffsets(parts, Duration.ofSeconds(30));
            Map<TopicPartition, Long> stable = committed.endOffsets(parts, Duration.ofSeconds(30));
            return parts.stream().anyMatch(tp -> end.get(tp) > stable.get(tp));
        }
    }

    /**
     * How many data records the topic holds, committed, aborted or open (transaction markers are
     * not returned).
     */
    static long uncommittedCount(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "read_uncommitted")) {
            List<TopicPartition> parts = partitions(c, topic);
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            long n = 0;
            while (parts.stream()
                    .anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < end.get(tp)))
                n += c.poll(Duration.ofMillis(500)).count();
            return n;
        }
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String isolation) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", isolation);
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "5000");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c, String topic) {
        return c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(i -> new TopicPartition(topic, i.partition()))
                .collect(Collectors.toList());
    }

    /** Every committed record of the topic (read_committed: up to the last stable offset). */
    static List<ConsumerRecord<byte[], byte[]>> committed(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, "read_committed")) {
            List<TopicPartition> parts = partitions(c, topic);
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            while (parts.stream()
                    .anyMatch(tp -> c.position(tp, Duration.ofSeconds(30)) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) out.add(r);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------ helpers

    static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("linger.ms", "10");
        p.put("enable.idempotence", "true");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static byte[] encode(SpecificRecord r) {
        return AvroCodec.encodeOne(r);
    }

    static Aggregate decode(byte[] bytes) {
        return AvroCodec.decodeOne(bytes, Aggregate.class);
    }

    static void close(String what, double actual, double expected) {
        assertThat(actual)
                .as(what)
                .isCloseTo(expected, within(Math.max(Math.abs(expected) * REL, 1e-12)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static double secondsSince(long nanoStart) {
        return (System.nanoTime() - nanoStart) / 1e9;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }
}
