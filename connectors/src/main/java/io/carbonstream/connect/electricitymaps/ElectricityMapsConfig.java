package io.carbonstream.connect.electricitymaps;

import io.carbonstream.connect.common.CommonConfig;
import io.carbonstream.connect.common.Durations;
import io.carbonstream.connect.common.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of the Electricity Maps source connector (API v3). */
public final class ElectricityMapsConfig extends CommonConfig {
    public static final String API_TOKEN = "electricitymaps.api.token";
    public static final String BASE_URL = "electricitymaps.base.url";
    public static final String ZONES = "electricitymaps.zones";
    public static final String FACTOR_TYPES = "electricitymaps.emission.factor.types";
    public static final String LATEST_INTERVAL = "electricitymaps.latest.interval";
    public static final String LIVE_HORIZON = "electricitymaps.live.horizon";
    public static final String REFETCH_AGES = "electricitymaps.refetch.ages";
    public static final String REFETCH_INTERVAL = "electricitymaps.refetch.interval";
    public static final String REFETCH_START = "electricitymaps.refetch.start";
    public static final String PAGE = "electricitymaps.past.range.page";
    public static final String FORECAST_ENABLED = "electricitymaps.forecast.enabled";
    public static final String FORECAST_INTERVAL = "electricitymaps.forecast.interval";
    public static final String FORECAST_FACTOR_TYPE =
            "electricitymaps.forecast.emission.factor.type";

    /** The API's documented limit for past-range at hourly granularity is 10 days. */
    static final Duration MAX_PAGE = Duration.ofDays(10);

    public static final ConfigDef CONFIG_DEF =
            withCommon(new ConfigDef())
                    .define(
                            API_TOKEN,
                            Type.PASSWORD,
                            ConfigDef.NO_DEFAULT_VALUE,
                            Importance.HIGH,
                            "Electricity Maps API token, sent as the auth-token header. A PASSWORD:"
                                + " masked in the worker's logs and REST answers; supply it with a"
                                + " config provider, e.g."
                                + " ${file:/etc/carbonstream/secrets.properties:electricitymaps.token}"
                                + " or ${env:ELECTRICITYMAPS_TOKEN}.")
                    .define(
                            baseUrlKey(
                                    BASE_URL,
                                    "https://api.electricitymaps.com",
                                    "Base URL of the API, without /v3 (the older host"
                                        + " https://api.electricitymap.org serves the same API)."))
                    .define(
                            ZONES,
                            Type.LIST,
                            ConfigDef.NO_DEFAULT_VALUE,
                            Importance.HIGH,
                            "Zone ids, e.g. DE,FR,US-CAL-CISO. Zones are spread over the"
                                    + " connector's tasks.")
                    .define(
                            FACTOR_TYPES,
                            Type.LIST,
                            "lifecycle,direct",
                            ConfigDef.ValidList.in("lifecycle", "direct"),
                            Importance.MEDIUM,
                            "Emission-factor types to fetch (the emissionFactorType query"
                                    + " parameter); one record stream each.")
                    .define(
                            LATEST_INTERVAL,
                            Type.STRING,
                            "5m",
                            Durations.validator(Duration.ofMillis(100)),
                            Importance.MEDIUM,
                            "How often /v3/carbon-intensity/latest is polled per zone and factor"
                                    + " type.")
                    .define(
                            LIVE_HORIZON,
                            Type.STRING,
                            "3h",
                            Durations.validator(Duration.ZERO),
                            Importance.MEDIUM,
                            "The live stage owns the versions a value gets within this time after"
                                + " its datetime: it publishes what latest returns and, once a"
                                + " datetime is this old, looks at it once more with past-range"
                                + " (gaps and last-minute updates). Later versions are the refetch"
                                + " stages'. 0 = latest only, no past-range (free plan); then"
                                + " refetch ages must be empty.")
                    .define(
                            REFETCH_AGES,
                            Type.LIST,
                            "48h,7d,30d,90d",
                            Durations.listValidator(),
                            Importance.MEDIUM,
                            "Ages at which each datetime is fetched again with past-range, so that"
                                + " restated values flow in as corrections. Increasing, each above"
                                + " electricitymaps.live.horizon. Empty: no refetch.")
                    .define(
                            REFETCH_INTERVAL,
                            Type.STRING,
                            "1h",
                            Durations.validator(Duration.ofMillis(100)),
                            Importance.LOW,
                            "How often each refetch stage looks for datetimes that reached its"
                                    + " age.")
                    .define(
                            REFETCH_START,
                            Type.STRING,
                            "",
                            Importance.LOW,
                            "ISO-8601 instant where refetch stages without committed offsets begin"
                                + " (e.g. to collect the restatements of a period loaded with the"
                                + " bulk loader). Empty: each begins at now minus its age.")
                    .define(
                            PAGE,
                            Type.STRING,
                            "24h",
                            Durations.validator(Duration.ofMinutes(1)),
                            Importance.LOW,
                            "Time range of one past-range request (at most 10 days, the API's limit"
                                    + " for hourly data).")
                    .define(
                            forecastEnabledKey(
                                    FORECAST_ENABLED,
                                    "Fetch /v3/carbon-intensity/forecast to the forecast topic."))
                    .define(
                            forecastIntervalKey(
                                    FORECAST_INTERVAL,
                                    "1h",
                                    "How often the forecast is fetched; a forecast is published"
                                            + " when its updatedAt is new."))
                    .define(
                            FORECAST_FACTOR_TYPE,
                            Type.STRING,
                            "lifecycle",
                            ConfigDef.ValidString.in("lifecycle", "direct"),
                            Importance.LOW,
                            "Emission-factor type of the forecast (one: forecast records are keyed"
                                    + " zone|signal|valid_from).");

    private final List<Duration> ages;

    public ElectricityMapsConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, "electricitymaps.");
        if (zones().isEmpty())
            throw new ConfigException(ZONES, getList(ZONES), "at least one zone");
        if (factorTypes().isEmpty())
            throw new ConfigException(
                    FACTOR_TYPES, getList(FACTOR_TYPES), "at least one of lifecycle, direct");
        ages = new ArrayList<>();
        for (String s : getList(REFETCH_AGES)) ages.add(Durations.parse(s));
        Duration previous = liveHorizon();
        if (previous.isZero() && !ages.isEmpty()) {
            throw new ConfigException(
                    REFETCH_AGES,
                    getList(REFETCH_AGES),
                    "needs a live horizon: with "
                            + LIVE_HORIZON
                            + "=0 (latest only) leave refetch ages empty");
        }
        for (Duration a : ages) {
            if (a.compareTo(previous) <= 0) {
                throw new ConfigException(
                        REFETCH_AGES,
                        getList(REFETCH_AGES),
                        "ages must increase and each exceed "
                                + LIVE_HORIZON
                                + " ("
                                + Durations.format(liveHorizon())
                                + ")");
            }
            previous = a;
        }
        if (page().compareTo(MAX_PAGE) > 0)
            throw new ConfigException(
                    PAGE, getString(PAGE), "at most 10d (the API's past-range limit)");
        if (!getString(REFETCH_START).isBlank() && refetchStart() == null) {
            throw new ConfigException(
                    REFETCH_START,
                    getString(REFETCH_START),
                    "an ISO-8601 instant such as 2026-01-01T00:00:00Z");
        }
    }

    public Password token() {
        return getPassword(API_TOKEN);
    }

    @Override
    public List<String> workItems() {
        return zones();
    }

    public List<String> zones() {
        return getList(ZONES).stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public List<String> factorTypes() {
        return getList(FACTOR_TYPES).stream()
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .distinct()
                .toList();
    }

    public Duration latestInterval() {
        return duration(LATEST_INTERVAL);
    }

    public Duration liveHorizon() {
        return duration(LIVE_HORIZON);
    }

    public List<Duration> refetchAges() {
        return ages;
    }

    public Duration refetchInterval() {
        return duration(REFETCH_INTERVAL);
    }

    public Instant refetchStart() {
        return Times.parseOrNull(getString(REFETCH_START));
    }

    public Duration page() {
        return duration(PAGE);
    }

    public String forecastFactorType() {
        return getString(FORECAST_FACTOR_TYPE);
    }
}
