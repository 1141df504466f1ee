package io.carbonstream.demo;

import io.carbonstream.config.JobConfig;
import io.carbonstream.config.JobOptions;
import io.carbonstream.demo.generator.KafkaPublisher;
import io.carbonstream.demo.generator.TrafficOptions;
import io.carbonstream.demo.view.LiveView;
import io.carbonstream.demo.view.ScreenRenderer;
import io.carbonstream.generator.GeneratedRecord;
import io.carbonstream.generator.RegistryJson;
import io.carbonstream.generator.TrafficGenerator;
import io.carbonstream.kafka.EmbeddedKafka;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * One embedded run: an in-process Kafka broker, the carbonstream job on a local Flink cluster, the
 * traffic generator and the live view, started in that order and closed in reverse.
 */
public final class DemoRun implements AutoCloseable {

    /** How to run. */
    public record Settings(
            TrafficOptions.Plan plan,
            Long count,
            long wallDeadline,
            int webPort,
            int parallelism,
            Duration checkpointInterval,
            Duration idleTimeout,
            PrintStream screen,
            boolean ansi,
            Duration refresh,
            Path workDirParent,
            boolean otlp) {}

    /** System property naming the log file (read by log4j2.properties). */
    static final String LOG_PROPERTY = "carbonstream.demo.log";

    static final String LOG_FILE = "demo.log";

    /**
     * Sends Kafka's and Flink's logs to the session dir. Call before anything logs: log4j reads the
     * property once, when the first logger is made (Avro's classes make one as they load).
     */
    public static void logToSessionDir(Path workDirParent) {
        if (System.getProperty(LOG_PROPERTY) == null) {
            System.setProperty(
                    LOG_PROPERTY, SessionDir.pathFor(workDirParent).resolve(LOG_FILE).toString());
        }
    }

    private final Settings settings;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Deletions of the broker's temporary dirs, deferred until the broker is closed. */
    private final java.util.List<Runnable> kafkaCleanups =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private final long startedWall = System.currentTimeMillis();
    private SessionDir session;
    private EmbeddedKafka kafka;
    private String bootstrap;
    private LocalFlink flink;
    private TrafficGenerator generator;
    private KafkaPublisher publisher;
    private LiveView view;

    private DemoRun(Settings settings) {
        this.settings = settings;
    }

    /**
     * Starts everything; on failure, closes what was started and rethrows.
     *
     * @param tap sees every record the generator hands to Kafka (tests count with it); may be null
     */
    public static DemoRun start(
            Settings s, Consumer<GeneratedRecord> tap, Consumer<String> progress) throws Exception {
        DemoRun run = new DemoRun(s);
        try {
            run.startAll(tap, progress);
            return run;
        } catch (Exception | Error e) {
            run.close();
            throw e;
        }
    }

    private void startAll(Consumer<GeneratedRecord> tap, Consumer<String> progress)
            throws Exception {
        session = SessionDir.create(settings.workDirParent());
        progress.accept("starting Kafka (in-process) ...");
        PrintStream stdout = System.out;
        try {
            // Kafka's storage formatter prints to System.out; the terminal belongs to the view.
            System.setOut(new PrintStream(java.io.OutputStream.nullOutputStream()));
            // Kafka's test kit registers JVM shutdown hooks that delete the broker's log dirs. On
            // Ctrl-C
            // they would run concurrently with our orderly shutdown, and a broker whose log dir
            // vanishes
            // halts the JVM at once (exit 1, nothing cleaned up). Keep them, and run them after the
            // broker stopped.
            org.apache.kafka.common.utils.Exit.setShutdownHookAdder(
                    (name, hook) -> kafkaCleanups.add(hook));
            kafka = EmbeddedKafka.start();
        } finally {
            System.setOut(stdout);
        }
        bootstrap = kafka.bootstrapServers();
        kafka.createTopics(DemoTopics.all());

        generator = new TrafficGenerator(settings.plan().settings(), settings.plan().replay());
        Path registryFile = session.resolve("registry.json");
        RegistryJson.write(generator.registry(), registryFile);
        Path residualMix = session.resolve(RESIDUAL_MIX_FILE);
        try (java.io.InputStream in =
                DemoRun.class.getResourceAsStream("/ledger/" + RESIDUAL_MIX_FILE)) {
            java.nio.file.Files.copy(
                    java.util.Objects.requireNonNull(in, "resource /ledger/" + RESIDUAL_MIX_FILE),
                    residualMix);
        }

        progress.accept("starting Flink (local cluster, web UI on 127.0.0.1) ...");
        flink = LocalFlink.start(settings.webPort(), settings.parallelism(), session.path());
        flink.submit(
                JobConfig.fromMap(jobOptions(registryFile, residualMix)),
                "carbonstream (embedded demo)");

        progress.accept("Flink web UI: " + webUrl());
        publisher =
                new KafkaPublisher(
                        bootstrap,
                        new Properties(),
                        new KafkaPublisher.Topics(
                                DemoTopics.EVENTS,
                                DemoTopics.INTENSITY,
                                DemoTopics.REGISTRY,
                                settings.otlp() ? DemoTopics.OTLP_SPANS : null,
                                DemoTopics.CERTIFICATES,
                                DemoTopics.GPU_ENERGY),
                        generator,
                        settings.plan().pacer(),
                        settings.count(),
                        settings.wallDeadline());
        if (tap != null) publisher.onSent(tap);
        publisher.start();

        view =
                new LiveView(
                                new Properties(),
                                bootstrap,
                                new LiveView.Topics(
                                        DemoTopics.INTENSITY,
                                        DemoTopics.REGISTRY,
                                        DemoTopics.AGGREGATES,
                                        DemoTopics.ALERTS,
                                        DemoTopics.LATE,
                                        DemoTopics.DEAD_LETTERS,
                                        DemoTopics.RESTATEMENTS,
                                        DemoTopics.LEDGER,
                                        DemoTopics.GPU_ATTRIBUTION),
                                this::header,
                                settings.screen(),
                                settings.ansi(),
                                settings.refresh())
                        .start();
    }

    /**
     * The job's --events.max-request-duration in the demo: longer than the metered requests plus
     * their out-of-orderness.
     */
    static final Duration MAX_REQUEST_DURATION = Duration.ofMinutes(2);

    /**
     * The demo's residual-mix table (a resource; illustrative figures), copied to the session dir
     * for the job.
     */
    static final String RESIDUAL_MIX_FILE = "residual-mix-demo.csv";

    /** The job's options: the same keys as its command line. */
    private Map<String, String> jobOptions(Path registryFile, Path residualMix) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("bootstrap-servers", bootstrap);
        o.put("topic.events", DemoTopics.EVENTS);
        o.put("topic.intensity", DemoTopics.INTENSITY);
        o.put("topic.registry", DemoTopics.REGISTRY);
        o.put("topic.aggregates", DemoTopics.AGGREGATES);
        o.put("topic.dead-letters", DemoTopics.DEAD_LETTERS);
        o.put("topic.late-events", DemoTopics.LATE);
        // The file makes every datacenter known before the first request; the topic can update it.
        o.put("registry-file", registryFile.toString());
        o.put("start-from", "EARLIEST");
        o.put("group-id", "carbonstream-demo");
        o.put("transactional-id-prefix", "carbonstream-demo");
        o.put("parallelism", String.valueOf(settings.parallelism()));
        // Output is visible at each checkpoint: a short interval keeps the view moving.
        o.put("checkpoint-interval", settings.checkpointInterval().toMillis() + " ms");
        o.put("topic.alerts", DemoTopics.ALERTS);
        // The hourly ledger: the generator's PPA deliveries matched hour by hour, the rest at the
        // demo's residual mix.
        o.put("topic.certificates", DemoTopics.CERTIFICATES);
        o.put("topic.ledger", DemoTopics.LEDGER);
        o.put("ledger.residual-mix-file", residualMix.toString());
        // Forecasts published to the demo's broker (a connector, a producer) raise FORECAST_SPIKE
        // early warnings.
        o.put(JobOptions.TOPIC_FORECASTS.key(), DemoTopics.FORECASTS);
        if (generator.settings().gpuCounters()) {
            o.put(JobOptions.TOPIC_GPU_ENERGY.key(), DemoTopics.GPU_ENERGY);
            o.put(JobOptions.TOPIC_GPU_ATTRIBUTION.key(), DemoTopics.GPU_ATTRIBUTION);
            // A counter interval is final this long (event time) after it ends: every request that
            // ran in it has
            // arrived. The metered pool's requests last at most 90 s (GpuCounters.MAX_REQUEST_MS),
            // so 2 min
            // instead of 30 shows attributed energy sooner.
            o.put(JobOptions.MAX_REQUEST_DURATION.key(), MAX_REQUEST_DURATION.toMillis() + " ms");
        }
        if (settings.otlp()) o.put("topic.otlp-spans", DemoTopics.OTLP_SPANS);
        // At x144 a few wall seconds are minutes of simulated time: with the job's defaults (2 min
        // for
        // events, 30 s for intensity) a bounded run would wait that long for its last windows. Here
        // the
        // generator starts after the job and the broker is local, so there is no start-up skew to
        // absorb.
        o.put("events.idle-timeout", settings.idleTimeout().toMillis() + " ms");
        o.put("intensity.idle-timeout", settings.idleTimeout().toMillis() + " ms");
        // A zone without an update yet is priced with its own typical level, not the world average.
        o.put(
                "intensity.zone-defaults",
                generator.fleet().zones().stream()
                        .map(z -> z.id() + ":" + Math.round(z.mean()))
                        .collect(Collectors.joining(",")));
        return o;
    }

    private ScreenRenderer.Header header() {
        long now = System.currentTimeMillis();
        KafkaPublisher.Stats st = publisher.stats();
        double seconds = Math.max(1, (now - startedWall) / 1000.0);
        return new ScreenRenderer.Header(
                settings.plan().pacer().simAt(now),
                settings.plan().pacer().speedAt(now),
                webUrl(),
                bootstrap,
                st.requests(),
                st.intensityUpdates(),
                Math.round(st.requests() / seconds * 10) / 10.0,
                flink.status() + (st.done() ? ", generator done" : ""),
                st.certificates(),
                st.gpuReadings());
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public String webUrl() {
        return flink == null ? "-" : flink.webUrl().toString();
    }

    public TrafficGenerator generator() {
        return generator;
    }

    public KafkaPublisher publisher() {
        return publisher;
    }

    public LiveView view() {
        return view;
    }

    public String jobStatus() {
        return flink == null ? "not started" : flink.status();
    }

    Path sessionDir() {
        return session == null ? null : session.path();
    }

    /**
     * Stops the generator, the view, the job and Flink, then the broker, and deletes the session
     * dir. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) return;
        RuntimeException first = null;
        AutoCloseable kafkaDirs =
                () -> {
                    for (Runnable r : kafkaCleanups) r.run();
                    org.apache.kafka.common.utils.Exit.resetShutdownHookAdder();
                };
        for (AutoCloseable c :
                new AutoCloseable[] {publisher, view, flink, kafka, kafkaDirs, session}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception e) {
                if (first == null)
                    first =
                            new IllegalStateException(
                                    "while stopping " + c.getClass().getSimpleName() + ": " + e, e);
            }
        }
        if (first != null) throw first;
    }

    /** The job's output topics the summary lists, each with what it held, in the listed order. */
    private static final Map<String, String> OUTPUT_TOPICS = outputTopics();

    private static Map<String, String> outputTopics() {
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put(DemoTopics.AGGREGATES, "Aggregate, compacted (latest revision per window)");
        topics.put(DemoTopics.LATE, "DeadLetter, reason LATE");
        topics.put(DemoTopics.DEAD_LETTERS, "DeadLetter");
        topics.put(DemoTopics.ALERTS, "Alert");
        topics.put(DemoTopics.RESTATEMENTS, "Restatement (corrections applied after the fact)");
        topics.put(DemoTopics.LEDGER, "LedgerEntry, compacted (hourly Scope 2 / SCI ledger)");
        topics.put(DemoTopics.GPU_ATTRIBUTION, "GpuAttribution, compacted (metered GPU energy)");
        return topics;
    }

    /** What the run produced and where it went: printed after it stopped. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        KafkaPublisher.Stats st = publisher == null ? null : publisher.stats();
        long secs = (System.currentTimeMillis() - startedWall) / 1000;
        b.append(
                String.format(
                        java.util.Locale.ROOT,
                        "carbonstream demo stopped after %dm%02ds.%n",
                        secs / 60,
                        secs % 60));
        if (st != null) {
            b.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "  generator: %,d requests and %,d intensity updates from %d"
                                + " datacenters in %d zones, %d models; %,d certificates, %,d GPU"
                                + " counter readings%n",
                            st.requests(),
                            st.intensityUpdates(),
                            generator.fleet().datacenters().size(),
                            generator.fleet().zones().size(),
                            generator.fleet().models().size(),
                            st.certificates(),
                            st.gpuReadings()));
        }
        if (view != null) {
            b.append(
                    String.format(
                            java.util.Locale.ROOT,
                            "  job output: %,d aggregate records, %,d late events, %,d dead"
                                    + " letters%n",
                            view.state().aggregateRecords(),
                            view.state().lateEvents(),
                            view.state().deadLetters()));
        }
        b.append("  Outputs were on the in-process broker ")
                .append(bootstrap == null ? "-" : bootstrap)
                .append("; it is gone, with its data:\n");
        OUTPUT_TOPICS.forEach(
                (topic, holds) ->
                        b.append("    ")
                                .append(String.format("%-29s", topic))
                                .append(holds)
                                .append('\n'));
        b.append(
                        "  To keep them, run both against your own Kafka (create the topics first,"
                                + " see the README):\n")
                .append("    java -jar demo/target/carbonstream-demo.jar generate \\\n")
                .append("        --bootstrap-servers HOST:9092 --registry-out registry.json\n")
                .append("    flink run job/target/carbonstream-job-*-flink.jar \\\n")
                .append("        --bootstrap-servers HOST:9092 --registry-file registry.json\n")
                .append(
                        "  then read carbonstream.aggregates with"
                                + " isolation.level=read_committed.\n");
        return b.toString();
    }

    /**
     * The last lines of the run's log (Kafka and Flink warnings), to explain a failure before the
     * log is deleted.
     */
    public String logTail(int lines) {
        if (session == null) return "";
        Path log = session.resolve(LOG_FILE);
        try {
            java.util.List<String> all = java.nio.file.Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (java.io.IOException | RuntimeException e) {
            return "";
        }
    }
}
