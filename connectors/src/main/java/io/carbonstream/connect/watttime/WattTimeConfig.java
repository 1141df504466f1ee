package io.carbonstream.connect.watttime;

import io.carbonstream.connect.common.Durations;
import io.carbonstream.connect.common.SeriesConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** Settings of the WattTime v3 connector (marginal emissions, MOER). */
public final class WattTimeConfig extends SeriesConfig {
    public static final String BASE_URL = "watttime.base.url";
    public static final String USERNAME = "watttime.username";
    public static final String PASSWORD = "watttime.password";
    public static final String REGIONS = "watttime.regions";
    public static final String ZONE_MAP = "watttime.zone.map";
    public static final String SIGNAL_TYPE = "watttime.signal.type";
    public static final String FACTOR_TYPE = "watttime.emission.factor.type";
    public static final String POLL_INTERVAL = "watttime.poll.interval";
    public static final String LOOKBACK = "watttime.lookback";
    public static final String PAGE = "watttime.page";
    public static final String TOKEN_TTL = "watttime.token.ttl";
    public static final String FORECAST_ENABLED = "watttime.forecast.enabled";
    public static final String FORECAST_INTERVAL = "watttime.forecast.interval";
    public static final String FORECAST_HORIZON_HOURS = "watttime.forecast.horizon.hours";

    public static final ConfigDef CONFIG_DEF =
            withCommon(new ConfigDef())
                    .define(
                            baseUrlKey(
                                    BASE_URL,
                                    "https://api.watttime.org",
                                    "Base URL of the API (login at /login, data under /v3)."))
                    .define(
                            USERNAME,
                            Type.STRING,
                            ConfigDef.NO_DEFAULT_VALUE,
                            new ConfigDef.NonEmptyString(),
                            Importance.HIGH,
                            "WattTime user name (HTTP basic auth on /login).")
                    .define(
                            PASSWORD,
                            Type.PASSWORD,
                            ConfigDef.NO_DEFAULT_VALUE,
                            Importance.HIGH,
                            "WattTime password. A PASSWORD: supply it with a config provider, e.g."
                                    + " ${env:WATTTIME_PASSWORD}.")
                    .define(
                            REGIONS,
                            Type.LIST,
                            ConfigDef.NO_DEFAULT_VALUE,
                            Importance.HIGH,
                            "WattTime region codes, e.g. CAISO_NORTH (the only region of the free"
                                    + " preview).")
                    .define(
                            ZONE_MAP,
                            Type.LIST,
                            "",
                            Importance.MEDIUM,
                            "Zone id per region, e.g. CAISO_NORTH=US-CAL-CISO (default: the region"
                                    + " code itself).")
                    .define(
                            SIGNAL_TYPE,
                            Type.STRING,
                            "co2_moer",
                            new ConfigDef.NonEmptyString(),
                            Importance.LOW,
                            "signal_type query parameter; co2_moer is the marginal operating"
                                    + " emissions rate.")
                    .define(
                            FACTOR_TYPE,
                            Type.STRING,
                            "direct",
                            ConfigDef.ValidString.in("direct", "lifecycle"),
                            Importance.LOW,
                            "emission_factor_type written on the records (MOER counts combustion"
                                    + " emissions: direct).")
                    .define(
                            POLL_INTERVAL,
                            Type.STRING,
                            "5m",
                            Durations.validator(Duration.ofMillis(100)),
                            Importance.MEDIUM,
                            "How often /v3/historical is asked for the points since the last one"
                                    + " published (data every 5 min).")
                    .define(
                            LOOKBACK,
                            Type.STRING,
                            "1h",
                            Durations.validator(Duration.ZERO),
                            Importance.LOW,
                            "On a first start (no committed offsets), how far back to begin.")
                    .define(
                            PAGE,
                            Type.STRING,
                            "24h",
                            Durations.validator(Duration.ofMinutes(5)),
                            Importance.LOW,
                            "Time range of one /v3/historical request while catching up (the API"
                                    + " allows up to 32 days).")
                    .define(
                            TOKEN_TTL,
                            Type.STRING,
                            "25m",
                            Durations.validator(Duration.ofMinutes(1)),
                            Importance.LOW,
                            "Log in again after this long (tokens last 30 minutes), or at once"
                                    + " after a 401.")
                    .define(
                            forecastEnabledKey(
                                    FORECAST_ENABLED,
                                    "Fetch /v3/forecast to the forecast topic (signal marginal)."))
                    .define(
                            forecastIntervalKey(
                                    FORECAST_INTERVAL,
                                    "30m",
                                    "How often the forecast is fetched; published when its"
                                            + " generated_at is new."))
                    .define(
                            FORECAST_HORIZON_HOURS,
                            Type.INT,
                            24,
                            ConfigDef.Range.between(1, 72),
                            Importance.LOW,
                            "horizon_hours query parameter of /v3/forecast.");

    public WattTimeConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, "watttime.");
        if (regions().isEmpty())
            throw new ConfigException(REGIONS, getList(REGIONS), "at least one region");
        readZoneMap("REGION=ZONE");
    }

    public String username() {
        return getString(USERNAME);
    }

    public Password password() {
        return getPassword(PASSWORD);
    }

    @Override
    public List<String> workItems() {
        return regions();
    }

    public String zoneOf(String region) {
        return mappedZone(region, region);
    }

    public String signalType() {
        return getString(SIGNAL_TYPE);
    }

    public Duration tokenTtl() {
        return duration(TOKEN_TTL);
    }

    public int forecastHorizonHours() {
        return getInt(FORECAST_HORIZON_HOURS);
    }
}
