package io.carbonstream.connect.common;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.apache.kafka.connect.util.ConnectorUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the three connectors share: work items (zones, regions) spread over tasks, exactly-once
 * support, and offsets that operators may reset or move through the worker's REST API (PATCH
 * /connectors/NAME/offsets).
 */
public abstract class CarbonSourceConnector extends SourceConnector {
    private static final Logger LOG = LoggerFactory.getLogger(CarbonSourceConnector.class);
    static final String BYTE_ARRAY_CONVERTER =
            "org.apache.kafka.connect.converters.ByteArrayConverter";

    private final String kind;
    private final Class<? extends Task> taskClass;
    private final ConfigDef configDef;
    private final Function<Map<String, String>, CommonConfig> parse;
    private Map<String, String> props;
    private List<String> items;

    /**
     * @param kind the "connector" field of every source partition of this connector
     * @param parse validates a configuration (a ConfigException says what to fix)
     */
    protected CarbonSourceConnector(
            String kind,
            Class<? extends Task> taskClass,
            ConfigDef configDef,
            Function<Map<String, String>, CommonConfig> parse) {
        this.kind = kind;
        this.taskClass = taskClass;
        this.configDef = configDef;
        this.parse = parse;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return taskClass;
    }

    @Override
    public ConfigDef config() {
        return configDef;
    }

    @Override
    public void start(Map<String, String> props) {
        this.props = Map.copyOf(props);
        this.items = parse.apply(props).workItems();
        if (items.isEmpty())
            throw new ConfigException("nothing to fetch: no zone or region configured");
        for (String key : List.of("key.converter", "value.converter")) {
            if (!BYTE_ARRAY_CONVERTER.equals(props.get(key))) {
                LOG.warn(
                        "{} is {}: carbonstream's topics hold plain Avro bytes, so the records must"
                                + " pass through {}; set it on the connector unless the worker's"
                                + " default already is",
                        key,
                        props.getOrDefault(key, "the worker's default"),
                        BYTE_ARRAY_CONVERTER);
            }
        }
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> out = new ArrayList<>();
        for (List<String> group :
                ConnectorUtils.groupPartitions(
                        items, Math.max(1, Math.min(maxTasks, items.size())))) {
            Map<String, String> task = new HashMap<>(props);
            task.put(CommonConfig.TASK_ITEMS, String.join(",", group));
            out.add(task);
        }
        return out;
    }

    @Override
    public void stop() {}

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public ExactlyOnceSupport exactlyOnceSupport(Map<String, String> connectorConfig) {
        // Offsets name exactly what was published (see the task's units), and a task resumes from
        // them: with the
        // worker's exactly.once.source.support=enabled, records and offsets commit in one
        // transaction per poll.
        return ExactlyOnceSupport.SUPPORTED;
    }

    @Override
    public boolean alterOffsets(
            Map<String, String> connectorConfig, Map<Map<String, ?>, Map<String, ?>> offsets) {
        offsets.forEach(
                (partition, offset) -> {
                    if (partition == null || !kind.equals(partition.get("connector"))) {
                        throw new org.apache.kafka.connect.errors.ConnectException(
                                "not a source partition of this connector: "
                                        + partition
                                        + " (expected \"connector\": \""
                                        + kind
                                        + "\")");
                    }
                    if (offset != null) {
                        offset.forEach(
                                (k, v) -> {
                                    if (!(v instanceof Number)) {
                                        throw new org.apache.kafka.connect.errors.ConnectException(
                                                "offset field "
                                                        + k
                                                        + " must be epoch milliseconds, got "
                                                        + v);
                                    }
                                });
                    }
                });
        return true;
    }
}
