package io.carbonstream.demo.view;

import io.carbonstream.demo.generator.DurationConverter;
import io.carbonstream.demo.util.KafkaClientOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The demo's live view attached to any Kafka that a carbonstream job writes to: the same screen as
 * the embedded run, read from the job's topics (committed records only). With {@code --once} it
 * reads every topic to its current end, prints one frame and exits, which suits scripts and checks.
 */
@Command(
        name = "view",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Shows the live view of a carbonstream job running anywhere: reads its topics from your"
                    + " Kafka (read_committed) and redraws the screen of the embedded demo.",
            ""
        })
public final class ViewCommand implements Callable<Integer> {

    @Mixin KafkaClientOptions kafka;

    @Option(
            names = "--topic-prefix",
            defaultValue = "carbonstream",
            description =
                    "Prefix of the job's topic names (<prefix>.aggregates, .alerts, .intensity,"
                            + " ...; the job's defaults). Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(
            names = "--once",
            description = "Read every topic to its current end, print one frame and exit.")
    boolean once;

    @Option(
            names = "--timeout",
            defaultValue = "2m",
            converter = DurationConverter.class,
            description =
                    "With --once: how long reading to the end may take. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(
            names = "--view",
            description =
                    "live (redraw in place; the default on a terminal) or log (frames one after"
                            + " another).")
    Mode mode;

    @Option(
            names = "--refresh",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "Redraw interval. Default: ${DEFAULT-VALUE}.")
    Duration refresh;

    @Option(
            names = "--duration",
            converter = DurationConverter.class,
            description = "Stop after this long (default: until Ctrl-C).")
    Duration duration;

    /** How frames are drawn. */
    public enum Mode {
        live,
        log
    }

    PrintStream out = System.out;

    /** The job's default topic names under a prefix. */
    static LiveView.Topics topics(String prefix) {
        String p = prefix.endsWith(".") ? prefix : prefix + ".";
        return new LiveView.Topics(
                p + "intensity",
                p + "registry",
                p + "aggregates",
                p + "alerts",
                p + "late-events",
                p + "dead-letters",
                p + "restatements",
                p + "ledger",
                p + "gpu-attribution");
    }

    @Override
    public Integer call() throws Exception {
        Properties client = kafka.clientPropertiesOrNull("carbonstream-demo view");
        if (client == null) return 2;
        String bootstrap = kafka.bootstrap();
        boolean ansi = mode == null ? System.console() != null && !once : mode == Mode.live;
        LiveView view =
                new LiveView(
                        client,
                        bootstrap,
                        topics(prefix),
                        () -> ScreenRenderer.Header.attachedTo(bootstrap),
                        out,
                        ansi,
                        refresh);
        if (once) {
            view.readToEnd(timeout);
            out.print(view.frame());
            out.flush();
            return 0;
        }
        CountDownLatch forever = new CountDownLatch(1);
        try (LiveView running = view.start()) {
            if (duration != null) forever.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            else forever.await();
            if (running.failure() != null)
                throw new IllegalStateException(
                        "the view stopped reading Kafka", running.failure());
        }
        return 0;
    }
}
