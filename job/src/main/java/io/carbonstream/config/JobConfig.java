package io.carbonstream.config;

import static io.carbonstream.config.JobOptions.*;

import io.carbonstream.energy.ModelCatalog;
import io.carbonstream.ingest.Limits;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.RegistryFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.ParameterTool;

/**
 * The job's configuration, parsed and checked once on the client. Every error names the option and
 * says what to change. Kafka client properties are kept apart and never printed.
 */
public final class JobConfig implements Serializable {

    /** Wrong configuration: the message tells the user what to fix. */
    public static final class ConfigException extends IllegalArgumentException {
        public ConfigException(String message) {
            super(message);
        }
    }

    private final Configuration conf;
    private final transient Properties kafkaProperties;
    private final Map<String, DatacenterHistory> registry;
    private final ModelCatalog catalog;

    private JobConfig(
            Configuration conf,
            Properties kafkaProperties,
            Map<String, DatacenterHistory> registry,
            ModelCatalog catalog) {
        this.conf = conf;
        this.kafkaProperties = kafkaProperties;
        this.registry = registry;
        this.catalog = catalog;
    }

    public static JobConfig fromArgs(String... args) {
        ParameterTool params;
        try {
            params = ParameterTool.fromArgs(args);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "Cannot read the command line: "
                            + e.getMessage()
                            + ". Options are --key value; see --help.");
        }
        return fromMap(params.toMap());
    }

    public static JobConfig fromMap(Map<String, String> values) {
        Set<String> known =
                JobOptions.all().stream()
                        .flatMap(
                                o ->
                                        java.util.stream.Stream.concat(
                                                java.util.stream.Stream.of(o.key()),
                                                java.util.stream.StreamSupport.stream(
                                                                o.fallbackKeys().spliterator(),
                                                                false)
                                                        .map(k -> k.getKey())))
                        .collect(Collectors.toSet());
        for (String k : values.keySet()) {
            if (!known.contains(k) && !k.equals("help")) {
                throw new ConfigException(
                        "Unknown option --" + k + ". Run with --help to list the options.");
            }
        }
        Configuration conf = Configuration.fromMap(values);
        // Read every option once so that a malformed value fails here, naming its option.
        for (ConfigOption<?> o : JobOptions.all()) {
            try {
                conf.get(o);
            } catch (RuntimeException e) {
                throw new ConfigException(
                        "Option --"
                                + o.key()
                                + " has an invalid value '"
                                + values.get(o.key())
                                + "': "
                                + rootMessage(e)
                                + ". Expected: "
                                + text(o)
                                + ".");
            }
        }
        positive(conf, CHECKPOINT_INTERVAL);
        positive(conf, TRANSACTION_TIMEOUT);
        positive(conf, EVENTS_IDLE_TIMEOUT);
        positive(conf, INTENSITY_IDLE_TIMEOUT);
        positive(conf, INTENSITY_MAX_AGE);
        nonNegative(conf, OUT_OF_ORDERNESS);
        nonNegative(conf, INTENSITY_OUT_OF_ORDERNESS);
        nonNegative(conf, ALLOWED_LATENESS);
        if (conf.get(TRANSACTION_TIMEOUT).compareTo(conf.get(CHECKPOINT_INTERVAL)) <= 0) {
            throw new ConfigException(
                    "--transaction-timeout ("
                            + conf.get(TRANSACTION_TIMEOUT)
                            + ") must be longer than --checkpoint-interval ("
                            + conf.get(CHECKPOINT_INTERVAL)
                            + "): a transaction stays open for one checkpoint interval at least.");
        }
        if (!(conf.get(INTENSITY_DEFAULT) >= 0 && conf.get(INTENSITY_DEFAULT) <= 3000)) {
            throw new ConfigException("--intensity.default must be a gCO2e/kWh value in [0, 3000]");
        }
        if (!(conf.get(IT_OVERHEAD) >= 1 && conf.get(IT_OVERHEAD) <= 5)) {
            throw new ConfigException(
                    "--it-overhead must be in [1, 5] (server energy / GPU energy)");
        }
        if (!(conf.get(OFFSITE_WATER) >= 0 && conf.get(OFFSITE_WATER) <= 50)) {
            throw new ConfigException("--water.offsite-l-per-kwh must be in [0, 50] L/kWh");
        }
        zoneDefaults(conf);
        gramsMap(conf, SPIKE_ZONE_THRESHOLDS);
        positive(conf, ALERT_MIN_DWELL);
        positive(conf, ALERT_RATE_WINDOW);
        positive(conf, SPIKE_BASELINE_WINDOW);
        positive(conf, BUDGET_WINDOW);
        if (conf.get(BUDGET_WINDOW).toMillis() % 60_000 != 0
                || conf.get(ALERT_RATE_WINDOW).toMillis() % 60_000 != 0) {
            throw new ConfigException(
                    "--alerts.budget.window and --alerts.rate-window must be whole minutes");
        }
        if (!(conf.get(SPIKE_ABSOLUTE) > 0)
                || !(conf.get(SPIKE_EXIT_HYSTERESIS) >= 0)
                || conf.get(SPIKE_MIN_SAMPLES) < 1) {
            throw new ConfigException(
                    "--alerts.spike.absolute must be > 0 gCO2e/kWh, --alerts.spike.exit-hysteresis"
                            + " >= 0 and --alerts.spike.min-baseline-samples >= 1");
        }
        Double budget = conf.getOptional(BUDGET_DEFAULT).orElse(null);
        if (budget != null && !(budget > 0)) {
            throw new ConfigException(
                    "--alerts.budget.default must be a positive gCO2e per hour (leave it unset for"
                            + " registry budgets only)");
        }
        if (!(conf.get(SPIKE_RELATIVE) > 0)
                || !(conf.get(BUDGET_EXIT_FRACTION) > 0 && conf.get(BUDGET_EXIT_FRACTION) <= 1)) {
            throw new ConfigException(
                    "--alerts.spike.relative-margin must be > 0 and --alerts.budget.exit-fraction"
                            + " in (0, 1]");
        }
        gramsMap(conf, MARGINAL_ZONE_THRESHOLDS);
        if (!(conf.get(MARGINAL_ABSOLUTE) > 0)
                || !(conf.get(MARGINAL_EXIT_HYSTERESIS) >= 0)
                || !(conf.get(MARGINAL_RELATIVE) > 0)) {
            throw new ConfigException(
                    "--alerts.marginal.absolute must be > 0 gCO2e/kWh,"
                            + " --alerts.marginal.exit-hysteresis >= 0 and"
                            + " --alerts.marginal.relative-margin > 0");
        }
        if (!(conf.get(ALERT_BUSY_KW) >= 0) || Double.isInfinite(conf.get(ALERT_BUSY_KW))) {
            throw new ConfigException("--alerts.busy-kw must be a number of kW >= 0 (0: any load)");
        }
        positive(conf, FORECAST_HORIZON);
        if (conf.get(FORECAST_HORIZON).compareTo(Duration.ofHours(72)) > 0) {
            throw new ConfigException(
                    "--forecast.horizon must be at most 72 h: no feed forecasts further");
        }
        alertKinds(conf);
        floor(conf);
        positive(conf, MAX_REQUEST_DURATION);
        positive(conf, OTLP_DEDUPE_WINDOW);
        spanMapping(conf);
        gpuReadings(conf);
        nonNegative(conf, RESTATEMENT_HORIZON);
        nonNegative(conf, REGISTRY_GRACE);
        if (conf.get(REGISTRY_GRACE).compareTo(conf.get(ALLOWED_LATENESS)) > 0) {
            throw new ConfigException(
                    "--registry.grace ("
                            + conf.get(REGISTRY_GRACE)
                            + ") must not exceed --allowed-lateness ("
                            + conf.get(ALLOWED_LATENESS)
                            + "): a request that waited for its datacenter is priced like a late"
                            + " one");
        }
        if (conf.get(RESTATEMENT_HORIZON).compareTo(Duration.ofDays(90)) > 0) {
            throw new ConfigException(
                    "--restatement.horizon must be at most 90 days (the state it keeps grows with"
                            + " it)");
        }
        if (conf.get(LEDGER_RETENTION).compareTo(conf.get(RESTATEMENT_HORIZON)) < 0) {
            throw new ConfigException(
                    "--ledger.retention ("
                            + conf.get(LEDGER_RETENTION)
                            + ") must be at least --restatement.horizon ("
                            + conf.get(RESTATEMENT_HORIZON)
                            + "): a restated hour must still be in the ledger");
        }
        residualMix(conf);
        if (conf.get(MAX_MODELS_PER_DATACENTER) < 1) {
            throw new ConfigException("--models.max-per-datacenter must be at least 1");
        }
        if (conf.get(PARALLELISM) == 0 || conf.get(PARALLELISM) < -1) {
            throw new ConfigException(
                    "--parallelism must be a positive number, or -1 for the cluster default");
        }
        Properties kafka = new Properties();
        if (conf.getOptional(KAFKA_PROPERTIES_FILE).isPresent()) {
            Path p = Path.of(conf.get(KAFKA_PROPERTIES_FILE));
            try (InputStream in = Files.newInputStream(p)) {
                kafka.load(in);
            } catch (IOException e) {
                throw new ConfigException(
                        "--kafka-properties-file "
                                + p
                                + " cannot be read: "
                                + e.getClass().getSimpleName()
                                + ". Give the path of a Java properties file with Kafka client"
                                + " settings.");
            }
        }
        Map<String, DatacenterHistory> registry = new LinkedHashMap<>();
        if (conf.getOptional(REGISTRY_FILE).isPresent()) {
            try {
                registry.putAll(RegistryFile.read(Path.of(conf.get(REGISTRY_FILE))));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--registry-file: " + e.getMessage());
            }
        }
        ModelCatalog catalog;
        try {
            catalog =
                    conf.getOptional(CATALOG_FILE).isPresent()
                            ? ModelCatalog.withOverrides(Path.of(conf.get(CATALOG_FILE)))
                            : ModelCatalog.builtIn();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--catalog-file: " + e.getMessage());
        }
        schemaRegistry(
                conf); // a wrong registry option fails here, naming it, not on the first framed
        // record
        return new JobConfig(conf, kafka, registry, catalog);
    }

    /**
     * The client of --schema-registry.url (null when unset); its credentials are read from the
     * properties file on the client.
     */
    private static io.carbonstream.ingest.SchemaRegistryClient schemaRegistry(Configuration conf) {
        String url = conf.getOptional(SCHEMA_REGISTRY_URL).orElse(null);
        String file = conf.getOptional(SCHEMA_REGISTRY_PROPERTIES_FILE).orElse(null);
        if (url == null || url.isBlank()) {
            if (conf.get(OUTPUT_WIRE_FORMAT) == JobOptions.WireFormat.REGISTRY) {
                throw new ConfigException(
                        "--output.wire-format REGISTRY needs --schema-registry.url (the registry"
                                + " the output schemas are registered with), or use"
                                + " --output.wire-format PLAIN");
            }
            if (file != null) {
                throw new ConfigException(
                        "--schema-registry.properties-file is set but --schema-registry.url is not:"
                                + " give the registry's URL too");
            }
            return null;
        }
        try {
            return io.carbonstream.ingest.SchemaRegistryClient.of(
                    url, file == null ? null : Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * The schema registry of the outputs, or null when they are written plain (--output.wire-format
     * PLAIN).
     */
    public io.carbonstream.ingest.SchemaRegistryClient outputRegistry() {
        return conf.get(OUTPUT_WIRE_FORMAT) == JobOptions.WireFormat.REGISTRY
                ? schemaRegistry(conf)
                : null;
    }

    public static boolean wantsHelp(String... args) {
        for (String a : args) if (a.equals("--help") || a.equals("-h")) return true;
        return false;
    }

    public static String help() {
        StringBuilder b = new StringBuilder();
        b.append(
                        "carbonstream: live energy, emissions and water of AI inference (Apache"
                                + " Flink job)\n\n")
                .append(
                        "Usage: flink run carbonstream-job-<version>-flink.jar [--option value"
                                + " ...]\n\n"
                                + "Options:\n");
        for (ConfigOption<?> o : JobOptions.all()) {
            b.append("  --").append(o.key());
            b.append(o.hasDefaultValue() ? "  (default: " + defaultText(o) + ")" : "  (optional)")
                    .append('\n');
            b.append("      ").append(text(o)).append('\n');
        }
        return b.toString();
    }

    /**
     * docs/options.md: every option as a Markdown table row, from the same descriptions as --help.
     */
    public static String optionsMarkdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Options\n\n")
                .append(
                        "Generated from `JobOptions.java` (the same descriptions as `--help`);"
                                + " `GeneratedDocsTest` fails when this\n")
                .append(
                        "file is out of date. Durations are written like `10 s`, `2 min`, `1"
                                + " h`.\n\n")
                .append("| option | default | meaning |\n|---|---|---|\n");
        for (ConfigOption<?> o : JobOptions.all()) {
            b.append("| `--")
                    .append(o.key())
                    .append("` | ")
                    .append(o.hasDefaultValue() ? defaultText(o) : "(unset)")
                    .append(" | ")
                    .append(text(o).replace("|", "\\|"))
                    .append(" |\n");
        }
        return b.toString();
    }

    static String defaultText(ConfigOption<?> o) {
        Object v = o.defaultValue();
        if (v instanceof Duration d) return d.toString().substring(2).toLowerCase();
        if (v instanceof Map<?, ?> m && m.isEmpty()) return "none";
        return String.valueOf(v);
    }

    static String text(ConfigOption<?> o) {
        return o.description().getBlocks().stream()
                .map(bl -> bl instanceof TextElement t ? t.getFormat() : bl.toString())
                .collect(Collectors.joining(" "));
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return e.getMessage();
    }

    private static void positive(Configuration c, ConfigOption<Duration> o) {
        if (c.get(o).isNegative() || c.get(o).isZero())
            throw new ConfigException("--" + o.key() + " must be a positive duration, e.g. '10 s'");
    }

    private static void nonNegative(Configuration c, ConfigOption<Duration> o) {
        if (c.get(o).isNegative())
            throw new ConfigException("--" + o.key() + " must not be negative");
    }

    private static Map<String, Double> zoneDefaults(Configuration c) {
        return gramsMap(c, INTENSITY_ZONE_DEFAULTS);
    }

    private static Map<String, Double> gramsMap(
            Configuration c, ConfigOption<Map<String, String>> option) {
        Map<String, Double> out = new HashMap<>();
        for (Map.Entry<String, String> e : c.get(option).entrySet()) {
            try {
                double v = Double.parseDouble(e.getValue());
                if (!(v >= 0 && v <= 3000)) throw new NumberFormatException();
                out.put(e.getKey(), v);
            } catch (NumberFormatException ex) {
                throw new ConfigException(
                        "--"
                                + option.key()
                                + ": zone "
                                + e.getKey()
                                + " has '"
                                + e.getValue()
                                + "', expected a gCO2e/kWh number in [0, 3000] as in"
                                + " 'DE:332,FR:44'");
            }
        }
        return out;
    }

    private static long floor(Configuration c) {
        try {
            return Instant.parse(c.get(EVENT_TIME_FLOOR)).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ConfigException(
                    "--events.time-floor must be an ISO-8601 instant such as 2020-01-01T00:00:00Z");
        }
    }

    public <T> T get(ConfigOption<T> option) {
        return conf.get(option);
    }

    /** The value, or null when an option without default is unset. */
    public <T> T getOptional(ConfigOption<T> option) {
        return conf.getOptional(option).orElse(null);
    }

    public String kafkaBootstrap() {
        return conf.get(BOOTSTRAP_SERVERS);
    }

    /** Kafka client properties from --kafka-properties-file. Secrets: never log these. */
    public Properties kafkaProperties() {
        Properties p = new Properties();
        if (kafkaProperties != null) p.putAll(kafkaProperties);
        return p;
    }

    /** The registry file's datacenters (empty without --registry-file). */
    public Map<String, DatacenterHistory> registry() {
        return registry;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /** How OTLP spans map to requests (--otlp.*). */
    public io.carbonstream.otlp.SpanMapping spanMapping() {
        return spanMapping(conf);
    }

    private static io.carbonstream.otlp.SpanMapping spanMapping(Configuration c) {
        java.util.List<io.carbonstream.otlp.SpanMapping.Rule> rules = new java.util.ArrayList<>();
        for (String r : c.get(OTLP_DATACENTER_RULES)) {
            if (r.isBlank()) continue;
            try {
                rules.add(io.carbonstream.otlp.SpanMapping.Rule.parse(r));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--otlp.datacenter-rules: " + e.getMessage());
            }
        }
        Map<String, String> aliases = new HashMap<>();
        for (String a : c.get(OTLP_MODEL_ALIASES)) {
            if (a.isBlank()) continue;
            int eq = a.lastIndexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new ConfigException(
                        "--otlp.model-aliases: '"
                                + a
                                + "' is not name=catalog-id, e.g."
                                + " meta-llama/Llama-3.1-8B-Instruct=llama-3.1-8b");
            }
            aliases.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        return new io.carbonstream.otlp.SpanMapping(
                new io.carbonstream.otlp.SpanMapping.Settings(
                        c.get(OTLP_DATACENTER_ATTRIBUTE),
                        rules,
                        aliases,
                        c.get(OTLP_ENERGY_ATTRIBUTE),
                        c.get(OTLP_GPU_COUNT_ATTRIBUTE),
                        c.get(OTLP_GPU_IDS_ATTRIBUTE),
                        c.get(OTLP_GPU_INDICES_ATTRIBUTE),
                        c.get(OTLP_HOST_ATTRIBUTE)));
    }

    /** How the GPU energy topic is read (--gpu-energy.*). */
    public io.carbonstream.gpu.GpuReadings gpuReadings() {
        return gpuReadings(conf);
    }

    private static io.carbonstream.gpu.GpuReadings gpuReadings(Configuration c) {
        java.util.List<io.carbonstream.otlp.SpanMapping.Rule> rules = new java.util.ArrayList<>();
        for (String r : c.get(GPU_ENERGY_DATACENTER_RULES)) {
            if (r.isBlank()) continue;
            try {
                rules.add(io.carbonstream.otlp.SpanMapping.Rule.parse(r));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--gpu-energy.datacenter-rules: " + e.getMessage());
            }
        }
        if (c.get(GPU_ENERGY_DATACENTER_LABEL).isBlank()
                || c.get(GPU_ENERGY_HOST_LABEL).isBlank()) {
            throw new ConfigException(
                    "--gpu-energy.datacenter-label and --gpu-energy.host-label must name a label");
        }
        return new io.carbonstream.gpu.GpuReadings(
                new io.carbonstream.gpu.GpuReadings.Settings(
                        io.carbonstream.gpu.GpuReadings.Format.valueOf(
                                c.get(GPU_ENERGY_FORMAT).name()),
                        c.get(GPU_ENERGY_DATACENTER_LABEL),
                        rules,
                        io.carbonstream.gpu.GpuReadings.GpuIdSource.valueOf(
                                c.get(GPU_ENERGY_GPU_ID).name()),
                        c.get(GPU_ENERGY_HOST_LABEL)));
    }

    public io.carbonstream.energy.EnergyModel energyModel() {
        return new io.carbonstream.energy.EnergyModel(
                catalog, limits().maxGpuWatts(), conf.get(MAX_REQUEST_DURATION).toMillis());
    }

    /** The residual-mix table of --ledger.residual-mix-file (empty without it). */
    public io.carbonstream.ledger.ResidualMix residualMix() {
        return residualMix(conf);
    }

    private static io.carbonstream.ledger.ResidualMix residualMix(Configuration c) {
        String file = c.getOptional(LEDGER_RESIDUAL_MIX_FILE).orElse(null);
        if (file == null || file.isBlank()) return io.carbonstream.ledger.ResidualMix.none();
        try {
            return io.carbonstream.ledger.ResidualMix.read(Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("--ledger.residual-mix-file: " + e.getMessage());
        }
    }

    public String methodology() {
        return "carbonstream-1/catalog-" + catalog.version();
    }

    public Limits limits() {
        return Limits.defaults()
                .withEventTimeFloor(floor(conf))
                .withFutureTolerance(conf.get(FUTURE_TOLERANCE).toMillis())
                .withSchemaRegistry(schemaRegistry(conf));
    }

    public io.carbonstream.alert.SpikeRule spikeRule() {
        return new io.carbonstream.alert.SpikeRule(
                conf.get(SPIKE_ABSOLUTE),
                gramsMap(conf, SPIKE_ZONE_THRESHOLDS),
                conf.get(SPIKE_RELATIVE),
                conf.get(SPIKE_EXIT_HYSTERESIS),
                conf.get(SPIKE_MIN_SAMPLES));
    }

    /**
     * When the marginal intensity of a zone is a spike (--alerts.marginal.*; baseline window and
     * samples as grid spikes).
     */
    public io.carbonstream.alert.SpikeRule marginalRule() {
        return new io.carbonstream.alert.SpikeRule(
                conf.get(MARGINAL_ABSOLUTE),
                gramsMap(conf, MARGINAL_ZONE_THRESHOLDS),
                conf.get(MARGINAL_RELATIVE),
                conf.get(MARGINAL_EXIT_HYSTERESIS),
                conf.get(SPIKE_MIN_SAMPLES));
    }

    /** The alert kinds this deployment writes (--alerts.kinds). */
    public java.util.Set<io.carbonstream.alert.AlertKind> alertKinds() {
        return alertKinds(conf);
    }

    private static java.util.Set<io.carbonstream.alert.AlertKind> alertKinds(Configuration c) {
        java.util.Set<io.carbonstream.alert.AlertKind> kinds =
                java.util.EnumSet.noneOf(io.carbonstream.alert.AlertKind.class);
        for (String k : c.get(ALERT_KINDS)) {
            if (k.isBlank()) continue;
            try {
                kinds.add(io.carbonstream.alert.AlertKind.valueOf(k.trim()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(
                        "--alerts.kinds: '"
                                + k.trim()
                                + "' is not an alert kind; the kinds are "
                                + java.util.Arrays.toString(
                                        io.carbonstream.alert.AlertKind.values()));
            }
        }
        return kinds;
    }

    public IntensityPricer pricer() {
        return new IntensityPricer(
                zoneDefaults(conf),
                conf.get(INTENSITY_DEFAULT),
                conf.get(INTENSITY_MAX_AGE).toMillis());
    }

    public long ms(ConfigOption<Duration> o) {
        return conf.get(o).toMillis();
    }

    @Override
    public String toString() {
        // Kafka properties are deliberately left out: they hold credentials.
        return "JobConfig" + conf.toMap();
    }
}
