package io.carbonstream.demo;

import io.carbonstream.demo.generator.DurationConverter;
import io.carbonstream.demo.generator.TrafficGeneratorCommand;
import io.carbonstream.demo.generator.TrafficOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded default: one command runs Kafka, the job on a local Flink with its web UI, the
 * traffic generator, and a live terminal view of the results, until Ctrl-C or --duration.
 */
@Command(
        name = "carbonstream-demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        subcommands = {
            TrafficGeneratorCommand.class,
            io.carbonstream.demo.tail.TailCommand.class,
            io.carbonstream.demo.view.ViewCommand.class
        },
        description = {
            "Runs carbonstream end to end on this machine: an in-process Kafka broker, the Flink"
                + " job on a local cluster (web UI on 127.0.0.1), simulated AI inference traffic"
                + " and grid intensity, and a live view of the results. Nothing is left behind: the"
                + " broker's data and every temporary file go when it stops.",
            "",
            "Subcommand 'generate' publishes the same traffic to your own Kafka; 'view' shows this"
                + " live view for a job running anywhere, read from its Kafka; 'tail' prints any"
                + " carbonstream topic as JSON lines.",
            ""
        })
public final class EmbeddedRun implements Callable<Integer> {

    public enum ViewMode {
        /** Redraw in place (ANSI clear screen). */
        live,
        /** Print each frame after the previous one (for logs and pipes). */
        log,
        /** No frames; only start and end messages. */
        none
    }

    @Mixin TrafficOptions traffic;

    @Option(
            names = "--web-port",
            defaultValue = "8081",
            description =
                    "Flink web UI port; if taken, the next free one up to +99. 0 = any. Default:"
                            + " ${DEFAULT-VALUE}.")
    int webPort;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description =
                    "Job parallelism (task slots of the local cluster). Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "Output becomes visible at each checkpoint. Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(
            names = "--view",
            description =
                    "live (redraw in place; the default on a terminal), log (the default otherwise)"
                            + " or none.")
    ViewMode view;

    @Option(
            names = "--refresh",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "View refresh interval. Default: ${DEFAULT-VALUE}.")
    Duration refresh;

    @Option(
            names = "--work-dir",
            description = "Parent of the run's temporary directory. Default: the system temp dir.")
    Path workDir;

    /** How the generator hands requests to the job. */
    enum EventsAs {
        avro,
        otlp
    }

    @Option(
            names = "--events-as",
            defaultValue = "avro",
            description =
                    "avro: carbonstream's InferenceEvent on carbonstream.events; otlp:"
                            + " OpenTelemetry GenAI spans, as the Collector's Kafka exporter writes"
                            + " them, on carbonstream.otlp-spans (the job reads them with"
                            + " --topic.otlp-spans). Default: ${DEFAULT-VALUE}.")
    EventsAs eventsAs;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path workParent = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
        DemoRun.logToSessionDir(workParent);
        long now = System.currentTimeMillis();
        TrafficOptions.Plan plan;
        try {
            plan = traffic.plan(now);
            if (parallelism < 1 || parallelism > 16)
                throw new IllegalArgumentException("--parallelism must be in [1, 16]");
        } catch (IllegalArgumentException e) {
            System.err.println("carbonstream-demo: " + e.getMessage());
            return 2;
        }
        // Spans carry no GPU ids: with --events-as otlp the counters would have no request to split
        // over.
        if (eventsAs == EventsAs.otlp)
            plan =
                    new TrafficOptions.Plan(
                            plan.settings().withGpuCounters(false), plan.pacer(), plan.replay());
        ViewMode mode =
                view != null ? view : System.console() != null ? ViewMode.live : ViewMode.log;
        long deadline =
                traffic.duration == null ? Long.MAX_VALUE : now + traffic.duration.toMillis();
        DemoRun.Settings settings =
                new DemoRun.Settings(
                        plan,
                        traffic.count,
                        deadline,
                        webPort,
                        parallelism,
                        checkpointInterval,
                        Duration.ofSeconds(3),
                        mode == ViewMode.none ? null : out,
                        mode == ViewMode.live,
                        refresh,
                        workParent,
                        eventsAs == EventsAs.otlp);
        out.printf(
                Locale.ROOT,
                "carbonstream demo: %d datacenters, %d models, seed %d, simulated time from %s at"
                        + " x%s, %s requests/s%s%n",
                traffic.fleetSize,
                traffic.models,
                traffic.seed,
                plan.settings().start(),
                TrafficGeneratorCommand.trim(traffic.speedup),
                TrafficGeneratorCommand.trim(traffic.rate),
                traffic.duration != null
                        ? " for " + traffic.duration.toString().substring(2).toLowerCase()
                        : "");
        out.printf(
                Locale.ROOT,
                "certificates: hourly deliveries of %s; the rest priced at the demo's illustrative"
                        + " residual mix%n",
                new io.carbonstream.generator.TrafficGenerator(plan.settings())
                        .certificates().ppas().stream()
                                .map(
                                        p ->
                                                "a "
                                                        + p.technology().toLowerCase(Locale.ROOT)
                                                        + " PPA in "
                                                        + p.zone()
                                                        + " (for "
                                                        + (p.datacenterId() != null
                                                                ? p.datacenterId()
                                                                : "the organisation")
                                                        + ")")
                                .collect(java.util.stream.Collectors.joining(" and ")));
        if (plan.settings().gpuCounters()) {
            out.printf(
                    Locale.ROOT,
                    "GPU counters: %d hosts x %d GPUs in %s, read every 10 s (mJ, like DCGM), one"
                            + " host rebooting%n",
                    io.carbonstream.generator.GpuCounters.HOSTS,
                    io.carbonstream.generator.GpuCounters.GPUS_PER_HOST,
                    plan.settings().fleet().datacenters().get(0).id());
        }
        if (plan.replay() != null) {
            out.printf(
                    Locale.ROOT,
                    "intensity of %s: a recorded day of %s (hand-written in the API's documented"
                            + " shape, not real data), as its connector maps it, replayed every"
                            + " simulated day%n",
                    plan.replay().zone(),
                    plan.replay().feed().label());
        }

        CountDownLatch interrupted = new CountDownLatch(1);
        Finisher finisher = new Finisher();
        // Ctrl-C: stop everything in order before the JVM exits, then say where the outputs went.
        Thread hook =
                new Thread(
                        () -> {
                            interrupted.countDown();
                            finisher.finish(null);
                        },
                        "carbonstream-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        DemoRun run;
        try {
            run = DemoRun.start(settings, null, msg -> out.println(msg));
        } catch (Exception e) {
            System.err.println("carbonstream-demo: could not start: " + e);
            removeHook(hook);
            LogManager.shutdown();
            return 1;
        }
        finisher.run = run;
        out.println(
                "running: Flink web UI "
                        + run.webUrl()
                        + ", Kafka "
                        + run.bootstrapServers()
                        + " (Ctrl-C to stop)");
        String failure = null;
        while (!interrupted.await(1, TimeUnit.SECONDS)) {
            if (System.currentTimeMillis() >= deadline) break;
            String status = run.jobStatus();
            if (status.equals("FAILED") || status.equals("CANCELED") || status.equals("FINISHED")) {
                failure = "the job stopped (" + status + "); last log lines:\n" + run.logTail(30);
                break;
            }
            if (run.publisher().stats().failure() != null) {
                failure = "the generator failed: " + run.publisher().stats().failure();
                break;
            }
        }
        if (interrupted.getCount() == 0) return 130; // the hook finishes
        removeHook(hook);
        finisher.finish(failure);
        return failure == null ? 0 : 1;
    }

    /** Closes the run once, from the main thread or the shutdown hook, whichever comes first. */
    private final class Finisher {
        volatile DemoRun run;
        private boolean done;

        synchronized void finish(String failure) {
            if (done) return;
            done = true;
            DemoRun r = run;
            if (r == null) return;
            if (r.view() != null && view != ViewMode.none) {
                // The last frame stays on screen above the summary.
                out.print(
                        (view == null && System.console() != null || view == ViewMode.live
                                        ? "\033[H\033[2J"
                                        : "")
                                + r.view().frame()
                                + "\n");
            }
            if (failure != null) System.err.println("carbonstream-demo: " + failure);
            out.println("stopping: generator, view, job, Flink, Kafka ...");
            try {
                r.close();
            } catch (RuntimeException e) {
                System.err.println("carbonstream-demo: " + e.getMessage());
            }
            out.print(r.summary());
            out.flush();
            LogManager.shutdown();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Already exiting: the hook runs.
        }
    }

    public static void main(String[] args) {
        int code =
                new CommandLine(new EmbeddedRun())
                        .setCaseInsensitiveEnumValuesAllowed(true)
                        .execute(args);
        System.exit(code);
    }
}
