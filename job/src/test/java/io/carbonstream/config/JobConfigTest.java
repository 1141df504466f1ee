package io.carbonstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    @Test
    void defaultsAreUsable() {
        JobConfig c = JobConfig.fromArgs();
        assertThat(c.get(JobOptions.TOPIC_EVENTS)).isEqualTo("carbonstream.events");
        assertThat(c.get(JobOptions.ALLOWED_LATENESS)).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.methodology()).startsWith("carbonstream-1/catalog-");
    }

    @Test
    void optionsParseFromTheCommandLine() {
        JobConfig c =
                JobConfig.fromArgs(
                        "--bootstrap-servers",
                        "k:9093",
                        "--allowed-lateness",
                        "5 min",
                        "--bounded",
                        "true",
                        "--intensity.zone-defaults",
                        "DE:332,FR:44");
        assertThat(c.kafkaBootstrap()).isEqualTo("k:9093");
        assertThat(c.ms(JobOptions.ALLOWED_LATENESS)).isEqualTo(300_000);
        assertThat(c.get(JobOptions.BOUNDED)).isTrue();
        assertThat(c.pricer().price("FR", null, 0).gPerKwh()).isEqualTo(44.0);
    }

    @Test
    void mistakesSayWhatToFix() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--allowed-latenes", "5 min"))
                .hasMessageContaining("Unknown option --allowed-latenes")
                .hasMessageContaining("--help");
        assertThatThrownBy(() -> JobConfig.fromArgs("--allowed-lateness", "soon"))
                .hasMessageContaining("--allowed-lateness")
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> JobConfig.fromArgs("--checkpoint-interval", "20 min"))
                .hasMessageContaining("--transaction-timeout");
        assertThatThrownBy(() -> JobConfig.fromArgs("--intensity.zone-defaults", "DE:lots"))
                .hasMessageContaining("zone DE");
        assertThatThrownBy(
                        () -> JobConfig.fromArgs("--registry-file", "/nonexistent/registry.json"))
                .hasMessageContaining("--registry-file")
                .hasMessageContaining("/nonexistent/registry.json");
        assertThatThrownBy(() -> JobConfig.fromArgs("--events.time-floor", "yesterday"))
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void marginalForecastAndKindOptionsAreCheckedAndApplied() {
        JobConfig d = JobConfig.fromArgs();
        assertThat(d.get(JobOptions.TOPIC_FORECASTS)).isEqualTo("carbonstream.forecasts");
        assertThat(d.ms(JobOptions.FORECAST_HORIZON)).isEqualTo(6 * 3_600_000L);
        assertThat(d.alertKinds())
                .containsExactlyInAnyOrder(io.carbonstream.alert.AlertKind.values());
        // Marginal defaults: 1000 g absolute, +50% over the baseline (the lower wins), exit 50 g
        // lower.
        assertThat(d.marginalRule().enterThreshold("CAISO", 450)).isEqualTo(675.0);
        assertThat(d.marginalRule().enterThreshold("CAISO", Double.NaN)).isEqualTo(1000.0);
        assertThat(d.marginalRule().exitThreshold(675)).isEqualTo(625.0);

        JobConfig c =
                JobConfig.fromArgs(
                        "--alerts.marginal.zone-thresholds",
                        "CAISO_NORTH:700",
                        "--alerts.kinds",
                        "GRID_SPIKE;EMISSION_BUDGET",
                        "--forecast.horizon",
                        "12 h",
                        "--alerts.busy-kw",
                        "30");
        assertThat(c.marginalRule().enterThreshold("CAISO_NORTH", Double.NaN)).isEqualTo(700.0);
        assertThat(c.alertKinds())
                .containsExactlyInAnyOrder(
                        io.carbonstream.alert.AlertKind.GRID_SPIKE,
                        io.carbonstream.alert.AlertKind.EMISSION_BUDGET);
        assertThat(c.get(JobOptions.ALERT_BUSY_KW)).isEqualTo(30.0);

        assertThatThrownBy(() -> JobConfig.fromArgs("--alerts.kinds", "GRID_SPIKE;SOLAR_FLARE"))
                .hasMessageContaining("--alerts.kinds")
                .hasMessageContaining("SOLAR_FLARE")
                .hasMessageContaining("FORECAST_SPIKE");
        assertThatThrownBy(() -> JobConfig.fromArgs("--forecast.horizon", "5 d"))
                .hasMessageContaining("--forecast.horizon");
        assertThatThrownBy(() -> JobConfig.fromArgs("--forecast.horizon", "0 s"))
                .hasMessageContaining("--forecast.horizon");
        assertThatThrownBy(() -> JobConfig.fromArgs("--alerts.busy-kw", "-1"))
                .hasMessageContaining("--alerts.busy-kw");
        assertThatThrownBy(() -> JobConfig.fromArgs("--alerts.marginal.relative-margin", "0"))
                .hasMessageContaining("--alerts.marginal");
        assertThatThrownBy(
                        () -> JobConfig.fromArgs("--alerts.marginal.zone-thresholds", "CAISO:high"))
                .hasMessageContaining("zone CAISO");
    }

    @Test
    void helpListsEveryOptionWithItsDescription() {
        String help = JobConfig.help();
        for (var o : JobOptions.all()) assertThat(help).contains("--" + o.key());
        assertThat(help).contains("read_committed");
    }

    @Test
    void docsOptionsListsEveryOption() throws Exception {
        // docs/options.md is the reference (GeneratedDocsTest keeps it equal to the generated
        // text); this says so
        // in one line per option, so a failure names the missing option.
        String options = Files.readString(Path.of("..", "docs", "options.md"));
        for (var o : JobOptions.all())
            assertThat(options).as("docs/options.md").contains("| `--" + o.key() + "` |");
    }

    /**
     * Flags of commands that are not this repository's, shown in the docs (Flink CLI, Kafka CLI,
     * kubectl, helm). Everything else the docs write as --flag must be a job option or be declared
     * by one of the repository's own commands: a renamed or removed option then fails here instead
     * of lingering in the prose.
     */
    private static final Set<String> EXTERNAL_FLAGS =
            Set.of(
                    "savepointPath",
                    "allowNonRestoredState", // flink stop / flink run
                    "bootstrap-server",
                    "create",
                    "alter",
                    "topic",
                    "partitions", // kafka-topics.sh, kafka-get-offsets.sh
                    "namespace",
                    "create-namespace",
                    "set",
                    "for",
                    "timeout"); // helm install, kubectl wait

    private static final Pattern FLAG =
            Pattern.compile("(?<![\\w-])--([A-Za-z][A-Za-z0-9.-]*[A-Za-z0-9])(\\.\\*)?");

    @Test
    void everyFlagTheDocsNameExists() throws Exception {
        Path root = Path.of("..");
        Set<String> jobKeys = new TreeSet<>();
        for (var o : JobOptions.all()) jobKeys.add(o.key());
        String ownCommands = ownCommandSources(root);
        List<Path> docs = new ArrayList<>(List.of(root.resolve("README.md")));
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        Set<String> unknown = new TreeSet<>();
        for (Path doc : docs) {
            Matcher m = FLAG.matcher(Files.readString(doc));
            while (m.find()) {
                String flag = m.group(1);
                boolean known =
                        m.group(2) != null
                                ? jobKeys.stream()
                                        .anyMatch(k -> k.startsWith(flag + ".")) // a family, e.g.
                                // --topic.*
                                : jobKeys.contains(flag)
                                        || EXTERNAL_FLAGS.contains(flag)
                                        || ownCommands.contains("\"--" + flag + "\"");
                if (!known)
                    unknown.add(
                            doc.getFileName() + ": --" + flag + (m.group(2) != null ? ".*" : ""));
            }
        }
        assertThat(docs).hasSizeGreaterThan(3);
        assertThat(unknown)
                .as(
                        "flags in README.md and docs/*.md that are neither a job option"
                            + " (JobOptions), nor declared by a command of this repository, nor in"
                            + " EXTERNAL_FLAGS: stale docs?")
                .isEmpty();
    }

    /**
     * The main sources of every module and the deploy scripts, as one text: their flags appear
     * there quoted, as picocli's names = "--rate", a launcher's a.equals("--help") or a script's [[
     * "$1" == "--clean" ]].
     */
    private static String ownCommandSources(Path root) throws Exception {
        StringBuilder all = new StringBuilder();
        Files.walkFileTree(
                root,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                        String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                        return name.equals("target")
                                        || name.equals("node_modules")
                                        || (name.startsWith(".") && !dir.equals(root))
                                ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        String f = file.toString().replace('\\', '/');
                        if ((f.contains("/src/main/java/") && f.endsWith(".java"))
                                || (f.contains("/deploy/") && f.endsWith(".sh"))) {
                            all.append(Files.readString(file)).append('\n');
                        }
                        return FileVisitResult.CONTINUE;
                    }
                });
        assertThat(all)
                .as("no command sources found under " + root.toAbsolutePath())
                .contains("names = \"--");
        return all.toString();
    }

    @Test
    void kafkaSecretsStayOutOfEverythingPrintable(@TempDir Path dir) throws Exception {
        Path props = dir.resolve("client.properties");
        Files.writeString(
                props,
                "security.protocol=SASL_PLAINTEXT\n"
                        + "sasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"u\" password=\"s3cr3t-pw\";\n");
        JobConfig c = JobConfig.fromArgs("--kafka-properties-file", props.toString());
        assertThat(c.kafkaProperties().getProperty("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(c.toString()).doesNotContain("s3cr3t-pw");
        assertThat(JobConfig.help()).doesNotContain("s3cr3t-pw");
    }
}
