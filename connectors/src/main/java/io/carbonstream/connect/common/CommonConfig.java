package io.carbonstream.connect.common;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Settings every carbonstream connector has: topics, HTTP timeouts, backoff. */
public abstract class CommonConfig extends AbstractConfig {
    public static final String TOPIC = "topic";
    public static final String FORECAST_TOPIC = "forecast.topic";
    public static final String HTTP_TIMEOUT = "http.timeout";
    public static final String HTTP_MAX_RESPONSE_BYTES = "http.max.response.bytes";
    public static final String RETRY_BACKOFF_INITIAL = "retry.backoff.initial";
    public static final String RETRY_BACKOFF_MAX = "retry.backoff.max";
    public static final String RETRY_AFTER_MAX = "retry.after.max";

    /**
     * Internal: the work items (zones, regions) of one task, set by the connector in taskConfigs.
     */
    public static final String TASK_ITEMS = "task.items";

    public static final String DEFAULT_TOPIC = "carbonstream.intensity";
    public static final String DEFAULT_FORECAST_TOPIC = "carbonstream.forecasts";

    /** The connector's own settings' prefix, e.g. "watttime.". */
    private final String prefix;

    /**
     * Reads the settings (and checks that the two topics differ); {@code prefix} begins the names
     * of the settings every connector has under its own name: base.url, forecast.enabled,
     * forecast.interval.
     */
    protected CommonConfig(ConfigDef def, Map<?, ?> props, String prefix) {
        super(def, props);
        this.prefix = prefix;
        checkTopicsDiffer(topic(), forecastTopic());
    }

    /** The name of one of the connector's own settings, e.g. key("page"). */
    protected String key(String name) {
        return prefix + name;
    }

    /** The API's base URL, without trailing slashes. */
    public String baseUrl() {
        return getString(key("base.url")).replaceAll("/+$", "");
    }

    public boolean forecastEnabled() {
        return getBoolean(key("forecast.enabled"));
    }

    public Duration forecastInterval() {
        return duration(key("forecast.interval"));
    }

    public static ConfigDef withCommon(ConfigDef def) {
        return def.define(
                        TOPIC,
                        Type.STRING,
                        DEFAULT_TOPIC,
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Topic of the IntensityUpdate records (the job's --topic.intensity).")
                .define(
                        FORECAST_TOPIC,
                        Type.STRING,
                        DEFAULT_FORECAST_TOPIC,
                        new ConfigDef.NonEmptyString(),
                        Importance.HIGH,
                        "Topic of the IntensityForecast records; never the intensity topic.")
                .define(
                        HTTP_TIMEOUT,
                        Type.STRING,
                        "30s",
                        Durations.validator(Duration.ofMillis(100)),
                        Importance.LOW,
                        "Connect and response timeout of one HTTP request.")
                .define(
                        HTTP_MAX_RESPONSE_BYTES,
                        Type.LONG,
                        16L * 1024 * 1024,
                        ConfigDef.Range.atLeast(1024),
                        Importance.LOW,
                        "Larger responses are treated as malformed (bounded memory).")
                .define(
                        RETRY_BACKOFF_INITIAL,
                        Type.STRING,
                        "1s",
                        Durations.validator(Duration.ofMillis(1)),
                        Importance.LOW,
                        "First backoff after a 429, a 5xx or a connection failure; doubles on every"
                                + " further failure.")
                .define(
                        RETRY_BACKOFF_MAX,
                        Type.STRING,
                        "5m",
                        Durations.validator(Duration.ofMillis(1)),
                        Importance.LOW,
                        "Longest backoff (jittered between half of it and all of it).")
                .define(
                        RETRY_AFTER_MAX,
                        Type.STRING,
                        "1h",
                        Durations.validator(Duration.ofMillis(1)),
                        Importance.LOW,
                        "Longest wait a server's Retry-After header can impose.");
    }

    /** The definition of a connector's base.url setting (see {@link #baseUrl()}). */
    protected static ConfigKey baseUrlKey(String name, String url, String doc) {
        return keyOf(name, Type.STRING, url, new ConfigDef.NonEmptyString(), Importance.LOW, doc);
    }

    /** The definition of a connector's forecast.enabled setting: forecasts are on by default. */
    protected static ConfigKey forecastEnabledKey(String name, String doc) {
        return keyOf(name, Type.BOOLEAN, true, null, Importance.MEDIUM, doc);
    }

    /** The definition of a connector's forecast.interval setting, a duration of 100 ms or more. */
    protected static ConfigKey forecastIntervalKey(String name, String interval, String doc) {
        return keyOf(
                name,
                Type.STRING,
                interval,
                Durations.validator(Duration.ofMillis(100)),
                Importance.LOW,
                doc);
    }

    /**
     * The key {@code define(name, type, value, validator, importance, doc)} adds, made on its own
     * so that each connector defines it at its place among its settings.
     */
    private static ConfigKey keyOf(
            String name,
            Type type,
            Object value,
            ConfigDef.Validator validator,
            Importance importance,
            String doc) {
        return new ConfigDef()
                .define(name, type, value, validator, importance, doc)
                .configKeys()
                .get(name);
    }

    /**
     * The zones or regions this connector fetches: its source partition groups, spread over its
     * tasks.
     */
    public abstract List<String> workItems();

    public String topic() {
        return getString(TOPIC);
    }

    public String forecastTopic() {
        return getString(FORECAST_TOPIC);
    }

    public Duration httpTimeout() {
        return duration(HTTP_TIMEOUT);
    }

    public long maxResponseBytes() {
        return getLong(HTTP_MAX_RESPONSE_BYTES);
    }

    public Duration backoffInitial() {
        return duration(RETRY_BACKOFF_INITIAL);
    }

    public Duration backoffMax() {
        return duration(RETRY_BACKOFF_MAX);
    }

    public Duration retryAfterMax() {
        return duration(RETRY_AFTER_MAX);
    }

    public Duration duration(String key) {
        return Durations.parse(getString(key));
    }

    public static void checkTopicsDiffer(String topic, String forecastTopic) {
        if (topic.equals(forecastTopic)) {
            throw new org.apache.kafka.common.config.ConfigException(
                    FORECAST_TOPIC,
                    forecastTopic,
                    "forecasts never go to the intensity topic: set "
                            + FORECAST_TOPIC
                            + " to another topic than "
                            + TOPIC);
        }
    }
}
