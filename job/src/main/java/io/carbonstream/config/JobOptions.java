package io.carbonstream.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every option of the job: key, type, default and description in one place. {@code --help} and the
 * README's option table are generated from these descriptions.
 */
public final class JobOptions {

    private JobOptions() {}

    public enum StartFrom {
        /** The group's committed offsets; earliest where the group has none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka bootstrap servers of every input and output topic.");

    public static final ConfigOption<String> KAFKA_PROPERTIES_FILE =
            ConfigOptions.key("kafka-properties-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka client properties (security.protocol, sasl.*, ssl.*) applied to"
                                + " every source and sink. Read by the job client only: the values"
                                + " are never logged nor put in Flink's configuration.");

    public static final ConfigOption<String> TOPIC_EVENTS =
            ConfigOptions.key("topic.events")
                    .stringType()
                    .defaultValue("carbonstream.events")
                    .withDescription("Input: inference events (InferenceEvent).");
    public static final ConfigOption<String> TOPIC_INTENSITY =
            ConfigOptions.key("topic.intensity")
                    .stringType()
                    .defaultValue("carbonstream.intensity")
                    .withDescription("Input: grid intensity updates (IntensityUpdate).");
    public static final ConfigOption<String> TOPIC_REGISTRY =
            ConfigOptions.key("topic.registry")
                    .stringType()
                    .defaultValue("carbonstream.registry")
                    .withDescription("Input: datacenter registry, compacted (Datacenter).");
    public static final ConfigOption<String> TOPIC_AGGREGATES =
            ConfigOptions.key("topic.aggregates")
                    .stringType()
                    .defaultValue("carbonstream.aggregates")
                    .withDescription("Output: aggregates (Aggregate), compacted.");
    public static final ConfigOption<String> TOPIC_DEAD_LETTERS =
            ConfigOptions.key("topic.dead-letters")
                    .stringType()
                    .defaultValue("carbonstream.dead-letters")
                    .withDescription("Output: rejected input records (DeadLetter).");
    public static final ConfigOption<String> TOPIC_LATE =
            ConfigOptions.key("topic.late-events")
                    .stringType()
                    .defaultValue("carbonstream.late-events")
                    .withDescription(
                            "Output: requests beyond the allowed lateness (DeadLetter, reason"
                                    + " LATE).");

    public static final ConfigOption<String> TOPIC_ALERTS =
            ConfigOptions.key("topic.alerts")
                    .stringType()
                    .defaultValue("carbonstream.alerts")
                    .withDescription(
                            "Output: carbon alerts, RAISED then CLEARED (Alert), compacted.");

    public static final ConfigOption<String> TOPIC_RESTATEMENTS =
            ConfigOptions.key("topic.restatements")
                    .stringType()
                    .defaultValue("carbonstream.restatements")
                    .withDescription(
                            "Output: each correction of intensity or registry that re-priced"
                                    + " windows already emitted, or that was too old to apply"
                                    + " (Restatement).");

    public static final ConfigOption<String> TOPIC_CERTIFICATES =
            ConfigOptions.key("topic.certificates")
                    .stringType()
                    .defaultValue("carbonstream.certificates")
                    .withDescription(
                            "Input: energy attribute certificates and PPA deliveries, one per"
                                + " generation hour (Certificate), matched hour by hour in their"
                                + " grid boundary by the ledger.");

    public static final ConfigOption<String> TOPIC_LEDGER =
            ConfigOptions.key("topic.ledger")
                    .stringType()
                    .defaultValue("carbonstream.ledger")
                    .withDescription(
                            "Output: the hourly Scope 2 / SCI ledger, one row per datacenter and"
                                    + " hour (LedgerEntry), compacted.");

    public static final ConfigOption<Duration> LEDGER_RETENTION =
            ConfigOptions.key("ledger.retention")
                    .durationType()
                    .defaultValue(Duration.ofDays(100))
                    .withDescription(
                            "How long (event time, behind the newest hour of a zone) the ledger"
                                + " keeps an hour open to certificates, which registries issue"
                                + " weeks after generation. Costs state per datacenter and hour; at"
                                + " least the restatement horizon. A certificate for an older hour"
                                + " is dead-lettered (BEYOND_RETENTION).");

    public static final ConfigOption<String> LEDGER_RESIDUAL_MIX_FILE =
            ConfigOptions.key("ledger.residual-mix-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "CSV of residual-mix factors, zone,g_per_kwh,source: the price of load"
                                + " no certificate covers in the market-based ledger. A zone not in"
                                + " it is priced at its hour's grid average, labelled"
                                + " GRID_AVERAGE.");

    public static final ConfigOption<String> TOPIC_GPU_ENERGY =
            ConfigOptions.key("topic.gpu-energy")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Input: GPU energy counter readings (GpuEnergySample), e.g."
                                + " carbonstream.gpu-energy. When set, each GPU's metered energy is"
                                + " split over the requests that name it in gpu_ids, and the rest"
                                + " reported as idle.");

    public static final ConfigOption<String> TOPIC_GPU_ATTRIBUTION =
            ConfigOptions.key("topic.gpu-attribution")
                    .stringType()
                    .defaultValue("carbonstream.gpu-attribution")
                    .withDescription(
                            "Output: metered GPU energy per GPU, datacenter and (datacenter, model)"
                                    + " hour: attributed, idle, and beside the catalog's estimate"
                                    + " (GpuAttribution), compacted. Written only with"
                                    + " --topic.gpu-energy.");

    public static final ConfigOption<AttributionWeightOption> GPU_ATTRIBUTION_WEIGHT =
            ConfigOptions.key("gpu.attribution-weight")
                    .enumType(AttributionWeightOption.class)
                    .defaultValue(AttributionWeightOption.ESTIMATE)
                    .withDescription(
                            "How a GPU's energy is shared between requests running on it at the"
                                + " same time: ESTIMATE (by the catalog estimate's rate: batched"
                                + " requests differ in size), TOKENS (by tokens per ms) or TIME"
                                + " (equally).");

    public static final ConfigOption<Duration> GPU_EXPECTED_SAMPLE_GAP =
            ConfigOptions.key("gpu.expected-sample-gap")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "Counter readings further apart than this are a gap (flagged in the"
                                + " output); a request with no reading after its end for this long"
                                + " (plus --events.max-request-duration) is finished as partly"
                                + " unmetered.");

    public static final ConfigOption<Boolean> GPU_PRICE_ATTRIBUTED =
            ConfigOptions.key("gpu.price-attributed")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "With --topic.gpu-energy: requests that name their GPUs, have a"
                                + " duration and no valid measured joules of their own wait for"
                                + " their metered, attributed energy and are priced with it"
                                + " (provenance METERED_ATTRIBUTED) when every GPU metered their"
                                + " whole span, else with their estimate. Holds every aggregate"
                                + " back by --events.max-request-duration plus"
                                + " --gpu.expected-sample-gap (docs/semantics.md). false: the GPU"
                                + " feed only feeds the attribution output.");

    /**
     * The choices of --gpu.attribution-weight (mirrors io.carbonstream.gpu.AttributionWeight, kept
     * free of it for the docs).
     */
    public enum AttributionWeightOption {
        ESTIMATE,
        TOKENS,
        TIME
    }

    public static final ConfigOption<GpuEnergyFormatOption> GPU_ENERGY_FORMAT =
            ConfigOptions.key("gpu-energy.format")
                    .enumType(GpuEnergyFormatOption.class)
                    .defaultValue(GpuEnergyFormatOption.AVRO)
                    .withDescription(
                            "What --topic.gpu-energy carries: AVRO (GpuEnergySample, one reading a"
                                + " record), PROMETHEUS_TEXT (one scrape of dcgm-exporter or Triton"
                                + " a record) or OTLP_JSON (an ExportMetricsServiceRequest a"
                                + " record, the Collector's Kafka exporter with encoding"
                                + " otlp_json). Said, not guessed: Avro bytes can look like text.");
    public static final ConfigOption<String> GPU_ENERGY_DATACENTER_LABEL =
            ConfigOptions.key("gpu-energy.datacenter-label")
                    .stringType()
                    .defaultValue("datacenter")
                    .withDescription(
                            "PROMETHEUS_TEXT and OTLP_JSON: the label (or point, then resource,"
                                    + " attribute) whose value is a reading's datacenter id; when"
                                    + " absent, --gpu-energy.datacenter-rules decide.");
    public static final ConfigOption<List<String>> GPU_ENERGY_DATACENTER_RULES =
            ConfigOptions.key("gpu-energy.datacenter-rules")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "PROMETHEUS_TEXT and OTLP_JSON: datacenter of a reading from its"
                                + " labels, first match wins, ';'-separated label=glob->datacenter"
                                + " rules, e.g. 'Hostname=gpu-fra-*->dc-de'. A reading no rule maps"
                                + " is dead-lettered UNMAPPED_DATACENTER.");
    public static final ConfigOption<GpuIdOption> GPU_ENERGY_GPU_ID =
            ConfigOptions.key("gpu-energy.gpu-id")
                    .enumType(GpuIdOption.class)
                    .defaultValue(GpuIdOption.UUID)
                    .withDescription(
                            "PROMETHEUS_TEXT and OTLP_JSON: the GPU id of a reading, as requests"
                                + " name it in gpu_ids: UUID (label UUID of dcgm-exporter, gpu_uuid"
                                + " of Triton) or HOST_INDEX (host:index, from"
                                + " --gpu-energy.host-label and dcgm-exporter's gpu label).");
    public static final ConfigOption<String> GPU_ENERGY_HOST_LABEL =
            ConfigOptions.key("gpu-energy.host-label")
                    .stringType()
                    .defaultValue("Hostname")
                    .withDescription(
                            "With --gpu-energy.gpu-id HOST_INDEX: the label naming a reading's host"
                                    + " (dcgm-exporter's Hostname); host.name (point, then resource"
                                    + " attribute) when absent.");

    /** The choices of --gpu-energy.format (mirrors io.carbonstream.gpu.GpuReadings.Format). */
    public enum GpuEnergyFormatOption {
        AVRO,
        PROMETHEUS_TEXT,
        OTLP_JSON
    }

    /** The choices of --gpu-energy.gpu-id (mirrors io.carbonstream.gpu.GpuReadings.GpuIdSource). */
    public enum GpuIdOption {
        UUID,
        HOST_INDEX
    }

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group-id")
                    .stringType()
                    .defaultValue("carbonstream")
                    .withDescription(
                            "Kafka consumer group of the sources (offsets are committed on"
                                    + " checkpoints, for monitoring).");
    public static final ConfigOption<StartFrom> START_FROM =
            ConfigOptions.key("start-from")
                    .enumType(StartFrom.class)
                    .defaultValue(StartFrom.COMMITTED)
                    .withDescription(
                            "Where the sources start when there is no checkpoint or savepoint:"
                                    + " COMMITTED, EARLIEST or LATEST.");
    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Read each input up to the offsets present at start, emit every window,"
                                    + " then finish: for backfills and reproducible reports.");

    public static final ConfigOption<String> REGISTRY_FILE =
            ConfigOptions.key("registry-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "JSON array of datacenters read at start (fields as in"
                                    + " Datacenter.avsc); the registry topic updates it.");
    public static final ConfigOption<String> CATALOG_FILE =
            ConfigOptions.key("catalog-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Model catalog laid over the built-in one (same JSON format); its"
                                    + " version is appended to the methodology.");

    /** Value encoding of the outputs. */
    public enum WireFormat {
        /** Plain Avro binary, no header. */
        PLAIN,
        /** Schema-registry wire format: 0x00, the 4-byte schema id, then Avro binary. */
        REGISTRY
    }

    public static final ConfigOption<String> SCHEMA_REGISTRY_URL =
            ConfigOptions.key("schema-registry.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URL of a Confluent-compatible schema registry (Confluent,"
                                + " Karapace; Apicurio: http://host:8080/apis/ccompat/v7). With it,"
                                + " input records framed 0x00 + schema id are read with the writer"
                                + " schema the registry serves (unset: such records are"
                                + " dead-lettered UNDECODABLE). Required by output.wire-format"
                                + " REGISTRY. No credentials in the URL: put them in"
                                + " schema-registry.properties-file.");
    public static final ConfigOption<String> SCHEMA_REGISTRY_PROPERTIES_FILE =
            ConfigOptions.key("schema-registry.properties-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Properties file with basic.auth.user.info=user:password for the schema"
                                + " registry (HTTP basic auth). Read by the job client only: the"
                                + " values are never logged nor put in Flink's configuration.");
    public static final ConfigOption<WireFormat> OUTPUT_WIRE_FORMAT =
            ConfigOptions.key("output.wire-format")
                    .enumType(WireFormat.class)
                    .defaultValue(WireFormat.PLAIN)
                    .withDescription(
                            "Value encoding of every output topic: PLAIN Avro binary, or REGISTRY"
                                    + " (0x00, the id of the value schema registered under subject"
                                    + " <topic>-value at start, then Avro binary; needs"
                                    + " schema-registry.url and a registry that accepts the"
                                    + " registration, else the job does not start).");

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("events.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How far events may arrive out of event-time order; the watermark"
                                    + " trails the newest event by this much.");
    public static final ConfigOption<Duration> INTENSITY_OUT_OF_ORDERNESS =
            ConfigOptions.key("intensity.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "How far intensity updates may arrive out of valid_from order while the"
                                + " intensity topic is being read (catch-up, replay): the intensity"
                                + " watermark trails the newest valid_from by this much. Live, each"
                                + " update holds results back by this much until"
                                + " intensity.idle-timeout, so keep it 0 unless your feed"
                                + " reorders.");
    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            ConfigOptions.key("allowed-lateness")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "Requests behind the watermark by less than this still update their"
                                + " windows (a higher revision); later ones go to the late-events"
                                + " topic.");
    public static final ConfigOption<Duration> EVENTS_IDLE_TIMEOUT =
            ConfigOptions.key("events.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDeprecatedKeys("idle-timeout")
                    .withDescription(
                            "An events partition silent for this much wall time stops holding back"
                                    + " the watermark. Keep it longer than any start-up, restore or"
                                    + " broker-reconnect skew between source subtasks: a partition"
                                    + " declared idle while it still has a backlog lets the others"
                                    + " close windows early, and its requests become late events.");
    public static final ConfigOption<Duration> INTENSITY_IDLE_TIMEOUT =
            ConfigOptions.key("intensity.idle-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "A silent intensity topic stops holding back the watermark after this"
                                + " much wall time: results for times after the newest update wait"
                                + " at most this long for the next one, then are priced with the"
                                + " latest value known (STALE once older than intensity.max-age)."
                                + " Keep it <= events.out-of-orderness for no added latency.");
    public static final ConfigOption<Duration> INTENSITY_MAX_AGE =
            ConfigOptions.key("intensity.max-age")
                    .durationType()
                    .defaultValue(Duration.ofHours(2))
                    .withDescription(
                            "An intensity older than this at the request's event time is still used"
                                    + " but flagged STALE.");

    /** Which emission factors price the location-based totals. */
    public enum EmissionFactorType {
        LIFECYCLE,
        DIRECT
    }

    public static final ConfigOption<EmissionFactorType> INTENSITY_EMISSION_FACTOR_TYPE =
            ConfigOptions.key("intensity.emission-factor-type")
                    .enumType(EmissionFactorType.class)
                    .defaultValue(EmissionFactorType.LIFECYCLE)
                    .withDescription(
                            "Emission-factor type of the intensity that prices location-based"
                                + " totals: LIFECYCLE (IntensityUpdate's default, and Electricity"
                                + " Maps' and the SCI's usual choice: so that producers that do not"
                                + " say keep working) or DIRECT (combustion only: what a GHG"
                                + " Protocol Scope 2 location-based figure uses; lifecycle upstream"
                                + " emissions belong to Scope 3). Average-signal updates of the"
                                + " other type never price totals: they price each aggregate's"
                                + " location_gco2e_alternative beside them (present when they"
                                + " priced the whole window). Marginal-signal updates never do.");
    public static final ConfigOption<Double> INTENSITY_DEFAULT =
            ConfigOptions.key("intensity.default")
                    .doubleType()
                    .defaultValue(473.0)
                    .withDescription(
                            "gCO2e/kWh for a zone with no update at the event time and no zone"
                                + " default (FALLBACK). 473 = world average (Our World in Data).");
    public static final ConfigOption<Map<String, String>> INTENSITY_ZONE_DEFAULTS =
            ConfigOptions.key("intensity.zone-defaults")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription("Per-zone FALLBACK intensity, e.g. 'DE:332,FR:44'.");
    public static final ConfigOption<Double> IT_OVERHEAD =
            ConfigOptions.key("it-overhead")
                    .doubleType()
                    .defaultValue(1.75)
                    .withDescription(
                            "Server energy / GPU energy for datacenters whose registry entry has"
                                    + " none (MIT Technology Review x2 rule with PUE 1.15).");
    public static final ConfigOption<Double> OFFSITE_WATER =
            ConfigOptions.key("water.offsite-l-per-kwh")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "Off-site water of generation added per facility kWh (about 3.1 L/kWh"
                                    + " in the US); 0 reports on-site water only.");

    public static final ConfigOption<String> EVENT_TIME_FLOOR =
            ConfigOptions.key("events.time-floor")
                    .stringType()
                    .defaultValue("2020-01-01T00:00:00Z")
                    .withDescription(
                            "Events (and intensity updates) before this ISO-8601 instant are"
                                    + " dead-lettered.");
    public static final ConfigOption<Duration> FUTURE_TOLERANCE =
            ConfigOptions.key("events.future-tolerance")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription("Events this far ahead of the wall clock are dead-lettered.");

    public static final ConfigOption<Duration> MAX_REQUEST_DURATION =
            ConfigOptions.key("events.max-request-duration")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(30))
                    .withDescription(
                            "Duration assumed, for the plausibility bound of a measured energy"
                                    + " (gpu_count x 1,500 W x duration), when an event has no"
                                    + " duration_ms. An implausible measurement is replaced by the"
                                    + " estimate, never dropped.");

    public static final ConfigOption<Duration> RESTATEMENT_HORIZON =
            ConfigOptions.key("restatement.horizon")
                    .durationType()
                    .defaultValue(Duration.ofHours(72))
                    .withDescription(
                            "How far back (event time, behind the watermark) an intensity"
                                + " correction or a registry version re-prices windows already"
                                + " emitted and re-emits them as new revisions. Costs state per key"
                                + " and minute for this long (see docs/semantics.md); at most 90"
                                + " days. Older corrections are recorded as NOT_APPLIED. 0 disables"
                                + " restatements.");
    public static final ConfigOption<Duration> REGISTRY_GRACE =
            ConfigOptions.key("registry.grace")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(2))
                    .withDescription(
                            "A request of a datacenter the registry does not know (yet) waits until"
                                + " the watermark passes its event time + this, for the registry"
                                + " topic to bring it, before it is dead-lettered"
                                + " UNKNOWN_DATACENTER. At most allowed-lateness: a request that"
                                + " waited is priced like a late one. The registry's content at"
                                + " start never needs it (it is read before the job runs).");

    public static final ConfigOption<Integer> MAX_MODELS_PER_DATACENTER =
            ConfigOptions.key("models.max-per-datacenter")
                    .intType()
                    .defaultValue(1_000)
                    .withDescription(
                            "Distinct models with live state per datacenter and pricing subtask;"
                                + " requests for further models are dead-lettered (TOO_MANY_MODELS)"
                                + " so that garbage model ids cannot grow state without bound.");

    public static final ConfigOption<Double> SPIKE_ABSOLUTE =
            ConfigOptions.key("alerts.spike.absolute")
                    .doubleType()
                    .defaultValue(800.0)
                    .withDescription(
                            "gCO2e/kWh at or above which any zone is in a carbon spike (above the"
                                    + " coal-heavy zones' usual ~650-740).");
    public static final ConfigOption<Map<String, String>> SPIKE_ZONE_THRESHOLDS =
            ConfigOptions.key("alerts.spike.zone-thresholds")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Per-zone absolute spike thresholds, e.g. 'US-CAL-CISO:350,DE:450'.");
    public static final ConfigOption<Double> SPIKE_RELATIVE =
            ConfigOptions.key("alerts.spike.relative-margin")
                    .doubleType()
                    .defaultValue(0.3)
                    .withDescription(
                            "A zone is also in a spike at baseline x (1 + this); the baseline is"
                                + " the median of its updates over alerts.spike.baseline-window.");
    public static final ConfigOption<Double> SPIKE_EXIT_HYSTERESIS =
            ConfigOptions.key("alerts.spike.exit-hysteresis")
                    .doubleType()
                    .defaultValue(25.0)
                    .withDescription(
                            "gCO2e/kWh below the enter threshold that intensity must fall before a"
                                    + " spike alert clears.");
    public static final ConfigOption<Duration> SPIKE_BASELINE_WINDOW =
            ConfigOptions.key("alerts.spike.baseline-window")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription("Trailing event-time window of the spike baseline.");
    public static final ConfigOption<Integer> SPIKE_MIN_SAMPLES =
            ConfigOptions.key("alerts.spike.min-baseline-samples")
                    .intType()
                    .defaultValue(6)
                    .withDescription(
                            "Updates needed in the baseline window before the relative rule applies"
                                    + " (until then, only absolute thresholds).");
    public static final ConfigOption<Duration> ALERT_MIN_DWELL =
            ConfigOptions.key("alerts.min-dwell")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(15))
                    .withDescription(
                            "An alert stays RAISED at least this long (event time) before it can"
                                    + " clear: no flapping.");
    public static final ConfigOption<Duration> ALERT_RATE_WINDOW =
            ConfigOptions.key("alerts.rate-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "Complete minutes over which a spike alert reports each datacenter's"
                                    + " energy rate (kWh per minute).");
    public static final ConfigOption<Double> BUDGET_DEFAULT =
            ConfigOptions.key("alerts.budget.default")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "Emission budget in gCO2e per hour for datacenters whose registry entry"
                                    + " has none; unset: only registry budgets are watched.");
    public static final ConfigOption<Double> BUDGET_EXIT_FRACTION =
            ConfigOptions.key("alerts.budget.exit-fraction")
                    .doubleType()
                    .defaultValue(0.9)
                    .withDescription("A budget alert clears once the rate is below budget x this.");
    public static final ConfigOption<Duration> BUDGET_WINDOW =
            ConfigOptions.key("alerts.budget.window")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "Trailing window of the emission rate compared with the budget (a whole"
                                    + " number of minutes).");

    public static final ConfigOption<Double> MARGINAL_ABSOLUTE =
            ConfigOptions.key("alerts.marginal.absolute")
                    .doubleType()
                    .defaultValue(1_000.0)
                    .withDescription(
                            "gCO2e/kWh of marginal intensity (IntensityUpdate signal marginal, or"
                                + " marginal_intensity) at or above which a zone with a busy"
                                + " datacenter is in a MARGINAL_SPIKE. Higher than"
                                + " alerts.spike.absolute because marginal values sit above"
                                + " averages (the marginal unit is fossil): 800 g would fire"
                                + " whenever coal is at the margin of a coal-heavy zone (PL"
                                + " averages ~615-662, IN-WE ~738); 1,000 g/kWh (~2,200 lb/MWh in"
                                + " WattTime's units, x 0.4536) means the dirtiest units set the"
                                + " margin.");
    public static final ConfigOption<Map<String, String>> MARGINAL_ZONE_THRESHOLDS =
            ConfigOptions.key("alerts.marginal.zone-thresholds")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Per-zone absolute marginal-spike thresholds, e.g. 'US-CAL-CISO:700'.");
    public static final ConfigOption<Double> MARGINAL_RELATIVE =
            ConfigOptions.key("alerts.marginal.relative-margin")
                    .doubleType()
                    .defaultValue(0.5)
                    .withDescription(
                            "A zone is also in a marginal spike at its baseline x (1 + this): the"
                                + " median of its marginal values over"
                                + " alerts.spike.baseline-window, once it has"
                                + " alerts.spike.min-baseline-samples. 0.5, not the average rule's"
                                + " 0.3: the marginal signal moves in larger steps (another unit"
                                + " type takes the margin), while average intensity changes hour to"
                                + " hour by up to ~100-140 g, about 30-40% of CAISO's or ERCOT's"
                                + " mean.");
    public static final ConfigOption<Double> MARGINAL_EXIT_HYSTERESIS =
            ConfigOptions.key("alerts.marginal.exit-hysteresis")
                    .doubleType()
                    .defaultValue(50.0)
                    .withDescription(
                            "gCO2e/kWh below the enter threshold that marginal intensity must fall"
                                + " before a MARGINAL_SPIKE clears: twice the average rule's 25 g,"
                                + " as 5-minute marginal values are noisier.");
    public static final ConfigOption<Double> ALERT_BUSY_KW =
            ConfigOptions.key("alerts.busy-kw")
                    .doubleType()
                    .defaultValue(0.0)
                    .withDescription(
                            "A datacenter is busy, for MARGINAL_SPIKE (its zone's datacenters"
                                + " together) and FORECAST_SPIKE, when its facility energy rate"
                                + " over alerts.rate-window is above 0 and at least this many kW"
                                + " (kWh per hour). 0: any load; raise it to ignore a trickle of"
                                + " requests.");
    public static final ConfigOption<String> TOPIC_FORECASTS =
            ConfigOptions.key("topic.forecasts")
                    .stringType()
                    .defaultValue("carbonstream.forecasts")
                    .withDescription(
                            "Optional input: intensity forecasts (IntensityForecast) from the"
                                + " connectors, for the FORECAST_SPIKE early warning only: never"
                                + " priced. Subscribed by pattern: a deployment without the topic"
                                + " starts (without early warnings) and picks it up once created.");
    public static final ConfigOption<Duration> FORECAST_HORIZON =
            ConfigOptions.key("forecast.horizon")
                    .durationType()
                    .defaultValue(Duration.ofHours(6))
                    .withDescription(
                            "How far ahead (event time) the early warning projects each busy"
                                + " datacenter's emissions and looks for a forecast spike of its"
                                + " zone: a FORECAST_SPIKE's lead time is less than this. At most"
                                + " 72 h (the longest feeds' forecasts).");
    public static final ConfigOption<List<String>> ALERT_KINDS =
            ConfigOptions.key("alerts.kinds")
                    .stringType()
                    .asList()
                    .defaultValues(
                            "GRID_SPIKE", "EMISSION_BUDGET", "MARGINAL_SPIKE", "FORECAST_SPIKE")
                    .withDescription(
                            "Alert kinds written to topic.alerts, ';'-separated. A consumer still"
                                + " on the first Alert schema (kinds GRID_SPIKE and"
                                + " EMISSION_BUDGET, no enum default) fails on a MARGINAL_SPIKE or"
                                + " FORECAST_SPIKE record: leave those out until every consumer"
                                + " reads the current schema.");

    public static final ConfigOption<String> TOPIC_OTLP =
            ConfigOptions.key("topic.otlp-spans")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Optional input: OpenTelemetry traces as the Collector's Kafka exporter"
                                + " writes them (encoding otlp_proto or otlp_json); each GenAI"
                                + " inference span becomes a request, beside those of topic.events."
                                + " See docs/bring-your-own-events.md.");
    public static final ConfigOption<String> OTLP_DATACENTER_ATTRIBUTE =
            ConfigOptions.key("otlp.datacenter-attribute")
                    .stringType()
                    .defaultValue("carbonstream.datacenter.id")
                    .withDescription(
                            "Resource attribute whose value is the span's datacenter id; when"
                                    + " absent, otlp.datacenter-rules decide.");
    public static final ConfigOption<List<String>> OTLP_DATACENTER_RULES =
            ConfigOptions.key("otlp.datacenter-rules")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Datacenter of a span from its resource (or span) attributes, first"
                                + " match wins, ';'-separated attribute=glob->datacenter rules,"
                                + " e.g."
                                + " 'cloud.region=us-west-2->dc-us-west-1;k8s.cluster.name=prod-eu-*->dc-eu-central-1'."
                                + " A GenAI span no rule maps is dead-lettered"
                                + " UNMAPPED_DATACENTER.");
    public static final ConfigOption<List<String>> OTLP_MODEL_ALIASES =
            ConfigOptions.key("otlp.model-aliases")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Provider model names (gen_ai.response.model, else"
                                    + " gen_ai.request.model) to catalog ids, ';'-separated"
                                    + " name=catalog-id pairs, e.g."
                                    + " 'meta-llama/Llama-3.1-8B-Instruct=llama-3.1-8b'. Names not"
                                    + " listed are used as they are.");
    public static final ConfigOption<String> OTLP_ENERGY_ATTRIBUTE =
            ConfigOptions.key("otlp.energy-attribute")
                    .stringType()
                    .defaultValue("carbonstream.gpu.energy_joules")
                    .withDescription(
                            "Span attribute with the request's measured GPU energy in joules, when"
                                    + " the server measures it.");
    public static final ConfigOption<String> OTLP_GPU_COUNT_ATTRIBUTE =
            ConfigOptions.key("otlp.gpu-count-attribute")
                    .stringType()
                    .defaultValue("carbonstream.gpu.count")
                    .withDescription(
                            "Span (or resource) attribute with the number of GPUs that served the"
                                    + " request; when absent, the number of GPUs the span names"
                                    + " (--otlp.gpu-ids-attribute), else 1.");
    public static final ConfigOption<String> OTLP_GPU_IDS_ATTRIBUTE =
            ConfigOptions.key("otlp.gpu-ids-attribute")
                    .stringType()
                    .defaultValue("carbonstream.gpu.ids")
                    .withDescription(
                            "Span (or resource) attribute with the ids of the GPUs that served the"
                                + " request, a string array, as the energy counters name them (GPU"
                                + " UUIDs): the request's gpu_ids. A value of another type is"
                                + " dead-lettered INVALID_VALUE.");
    public static final ConfigOption<String> OTLP_GPU_INDICES_ATTRIBUTE =
            ConfigOptions.key("otlp.gpu-indices-attribute")
                    .stringType()
                    .defaultValue("carbonstream.gpu.indices")
                    .withDescription(
                            "When the ids attribute is absent: span (or resource) attribute with"
                                + " the device indices of the request's GPUs on its host, an int"
                                + " array; each becomes host:index with the host from"
                                + " --otlp.host-attribute.");
    public static final ConfigOption<String> OTLP_HOST_ATTRIBUTE =
            ConfigOptions.key("otlp.host-attribute")
                    .stringType()
                    .defaultValue("host.name")
                    .withDescription(
                            "Resource (or span) attribute naming the host whose GPU indices a span"
                                    + " gives (OpenTelemetry's host.name); use the name the energy"
                                    + " counters give the host.");
    public static final ConfigOption<Duration> OTLP_DEDUPE_WINDOW =
            ConfigOptions.key("otlp.dedupe-window")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "A span delivered again (the exporter retries a batch it could not"
                                + " confirm) is counted once if it arrives before the watermark is"
                                + " this far past its start; costs one state entry per span for"
                                + " this long.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Exactly-once checkpoint interval. Output becomes visible to"
                                    + " read_committed consumers when a checkpoint completes.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout of the sinks; must not exceed the broker's"
                                    + " transaction.max.timeout.ms (15 min by default).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("transactional-id-prefix")
                    .stringType()
                    .defaultValue("carbonstream")
                    .withDescription(
                            "Prefix of the sinks' transactional ids; keep it stable across restarts"
                                    + " and unique per deployment.");
    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription("Parallelism of the job; -1 uses the cluster's default.");

    /** All options, in declaration order. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : JobOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    out.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
