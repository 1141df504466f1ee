package io.carbonstream.connect.carbonintensity;

import io.carbonstream.connect.common.Durations;
import io.carbonstream.connect.common.SeriesConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/** Settings of the UK Carbon Intensity API connector (api.carbonintensity.org.uk, no key). */
public final class CarbonIntensityUkConfig extends SeriesConfig {
    public static final String BASE_URL = "carbonintensity.base.url";
    public static final String NATIONAL = "carbonintensity.national";
    public static final String NATIONAL_ZONE = "carbonintensity.national.zone";
    public static final String REGIONS = "carbonintensity.regions";
    public static final String REGION_ZONE_PREFIX = "carbonintensity.region.zone.prefix";
    public static final String ZONE_MAP = "carbonintensity.zone.map";
    public static final String FACTOR_TYPE = "carbonintensity.emission.factor.type";
    public static final String POLL_INTERVAL = "carbonintensity.poll.interval";
    public static final String LOOKBACK = "carbonintensity.lookback";
    public static final String ACTUAL_WAIT = "carbonintensity.actual.wait";
    public static final String PAGE = "carbonintensity.page";
    public static final String FORECAST_ENABLED = "carbonintensity.forecast.enabled";
    public static final String FORECAST_INTERVAL = "carbonintensity.forecast.interval";
    public static final String FORECAST_HORIZON = "carbonintensity.forecast.horizon";

    /** The national work item; regions are their region ids. */
    static final String NATIONAL_ITEM = "national";

    public static final ConfigDef CONFIG_DEF =
            withCommon(new ConfigDef())
                    .define(
                            baseUrlKey(
                                    BASE_URL,
                                    "https://api.carbonintensity.org.uk",
                                    "Base URL of the API (no key needed)."))
                    .define(
                            NATIONAL,
                            Type.BOOLEAN,
                            true,
                            Importance.HIGH,
                            "Fetch the national series, /intensity/{from}/{to}: forecast and"
                                    + " actual.")
                    .define(
                            NATIONAL_ZONE,
                            Type.STRING,
                            "GB",
                            new ConfigDef.NonEmptyString(),
                            Importance.MEDIUM,
                            "Zone id of the national series (Electricity Maps calls Great Britain"
                                    + " GB).")
                    .define(
                            REGIONS,
                            Type.LIST,
                            "",
                            Importance.HIGH,
                            "Region ids (1-17) of /regional/intensity/{from}/{to}/regionid/{id},"
                                    + " e.g. 13 for London. Forecast only: the API publishes no"
                                    + " regional actual, so regional values stay estimated.")
                    .define(
                            REGION_ZONE_PREFIX,
                            Type.STRING,
                            "GB-",
                            Importance.LOW,
                            "A region's zone id is this prefix and its region id (GB-13 for"
                                    + " London), unless carbonintensity.zone.map names it.")
                    .define(
                            ZONE_MAP,
                            Type.LIST,
                            "",
                            Importance.LOW,
                            "Explicit zone ids, e.g. 13=GB-LONDON,national=GB.")
                    .define(
                            FACTOR_TYPE,
                            Type.STRING,
                            "direct",
                            ConfigDef.ValidString.in("direct", "lifecycle"),
                            Importance.MEDIUM,
                            "The API counts CO2 of generation only (its documentation), i.e. direct"
                                    + " emission factors.")
                    .define(
                            POLL_INTERVAL,
                            Type.STRING,
                            "15m",
                            Durations.validator(Duration.ofMillis(100)),
                            Importance.MEDIUM,
                            "How often the half-hourly series is fetched.")
                    .define(
                            LOOKBACK,
                            Type.STRING,
                            "24h",
                            Durations.validator(Duration.ZERO),
                            Importance.LOW,
                            "On a first start (no committed offsets), how far back to begin.")
                    .define(
                            ACTUAL_WAIT,
                            Type.STRING,
                            "2h",
                            Durations.validator(Duration.ZERO),
                            Importance.LOW,
                            "Actuals are published in order; a half-hour still without an actual"
                                + " this long after its end is passed over (its estimate stands) so"
                                + " that later actuals are not held back.")
                    .define(
                            PAGE,
                            Type.STRING,
                            "24h",
                            Durations.validator(Duration.ofHours(1)),
                            Importance.LOW,
                            "Time range of one request while catching up (the API allows up to 14"
                                    + " days).")
                    .define(
                            forecastEnabledKey(
                                    FORECAST_ENABLED,
                                    "Publish the forecast of the half-hours ahead of now to the"
                                            + " forecast topic."))
                    .define(
                            forecastIntervalKey(
                                    FORECAST_INTERVAL,
                                    "1h",
                                    "How often a forecast is published (the API gives no issue"
                                            + " time: forecast_made_at is the fetch time)."))
                    .define(
                            FORECAST_HORIZON,
                            Type.STRING,
                            "48h",
                            Durations.validator(Duration.ofMinutes(30)),
                            Importance.LOW,
                            "How far ahead (the API forecasts up to 48 h).");

    public CarbonIntensityUkConfig(Map<?, ?> props) {
        super(CONFIG_DEF, props, "carbonintensity.");
        for (String r : regions()) {
            if (!r.matches("\\d{1,2}"))
                throw new ConfigException(
                        REGIONS, getList(REGIONS), "region ids are numbers (1-17): " + r);
        }
        readZoneMap("id=ZONE");
        if (items().isEmpty())
            throw new ConfigException(
                    REGIONS,
                    getList(REGIONS),
                    "nothing to fetch: set " + NATIONAL + "=true or list regions");
    }

    /** "national" and/or region ids. */
    @Override
    public List<String> workItems() {
        return items();
    }

    public List<String> items() {
        List<String> out = new ArrayList<>();
        if (getBoolean(NATIONAL)) out.add(NATIONAL_ITEM);
        out.addAll(regions());
        return out;
    }

    public String zoneOf(String item) {
        return mappedZone(
                item,
                NATIONAL_ITEM.equals(item)
                        ? getString(NATIONAL_ZONE)
                        : getString(REGION_ZONE_PREFIX) + item);
    }

    public Duration actualWait() {
        return duration(ACTUAL_WAIT);
    }

    public Duration forecastHorizon() {
        return duration(FORECAST_HORIZON);
    }
}
