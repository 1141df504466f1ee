package io.carbonstream.connect.common;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop every carbonstream source task shares. Each poll() runs at most one due {@link
 * FetchUnit} (so a poll returns one bounded batch, one transaction when the worker runs
 * exactly-once), or waits until the next one is due. On a 429, a 5xx or a connection failure the
 * whole task backs off (Retry-After, else exponential with jitter), since rate limits are per
 * account, and then retries the same unit: attempts are not limited, delays are. On 401/403 it
 * fails with a ConnectException naming the setting to fix; malformed responses are counted, logged
 * and skipped. Clock, sleeper and random are injected so that unit tests drive poll() without real
 * time.
 */
public abstract class PollingSourceTask<C extends CommonConfig> extends SourceTask {
    private static final Logger LOG = LoggerFactory.getLogger(PollingSourceTask.class);

    /** The longest a poll() waits before returning empty, so the worker's loop stays responsive. */
    static final Duration MAX_IDLE = Duration.ofSeconds(5);

    protected final Clock clock;
    protected final Sleeper sleeper;
    protected final Random random;
    protected final SourceMetrics metrics = new SourceMetrics();
    protected final Redactor redactor = new Redactor();
    private final List<FetchUnit> units = new ArrayList<>();

    /** Made at start from the configuration's timeout and size limit, shared by the units. */
    protected HttpJson http;

    /** The configuration {@link #configure} read at start; the units read their settings here. */
    protected C config;

    private Backoff backoff;
    private Instant blockedUntil = Instant.MIN;
    private int consecutiveFailures;

    protected PollingSourceTask() {
        this(Clock.systemUTC(), Sleeper.real(), new SecureRandom());
    }

    protected PollingSourceTask(Clock clock, Sleeper sleeper, Random random) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    @Override
    public String version() {
        return Version.get();
    }

    /**
     * Reads the configuration, which start() keeps in {@link #config}. Secrets go to {@link
     * #redactor} first.
     */
    protected abstract C configure(Map<String, String> props);

    /** The units that publish the values of one work item (a zone, a region) of this task. */
    protected abstract List<FetchUnit> valueUnits(String item);

    /** The unit that publishes the forecasts of one work item; asked only when forecasts are on. */
    protected abstract FetchUnit forecastUnit(String item);

    /** The message of the task failure after a 401 or 403: which setting to fix. */
    protected abstract String authFailureMessage(HttpFailure failure, FetchUnit unit);

    @Override
    public final void start(Map<String, String> props) {
        units.clear();
        C c = configure(props);
        config = c;
        http = new HttpJson(c.httpTimeout(), c.maxResponseBytes(), redactor, metrics, clock);
        // The connector gives each task its share of the items; a task started on its own fetches
        // them all.
        List<String> items =
                props.containsKey(CommonConfig.TASK_ITEMS)
                        ? Arrays.stream(props.get(CommonConfig.TASK_ITEMS).split(","))
                                .map(String::trim)
                                .filter(s -> !s.isEmpty())
                                .toList()
                        : c.workItems();
        for (String item : items) {
            units.addAll(valueUnits(item));
            if (c.forecastEnabled()) units.add(forecastUnit(item));
        }
        backoff = new Backoff(c.backoffInitial(), c.backoffMax(), c.retryAfterMax(), random);
        if (context != null) {
            try {
                metrics.register(context.pluginMetrics());
            } catch (LinkageError | UnsupportedOperationException e) {
                // Workers before Kafka 4.1 have no plugin metrics: the counts are still logged when
                // the task stops.
                LOG.info(
                        "no Connect plugin metrics on this worker ({}); counters are logged at"
                                + " stop",
                        e.toString());
            }
        }
        Instant now = clock.instant();
        Collection<Map<String, Object>> partitions = new ArrayList<>();
        units.forEach(u -> partitions.addAll(u.partitions()));
        Map<Map<String, Object>, Map<String, Object>> offsets = new HashMap<>();
        if (context != null && context.offsetStorageReader() != null) {
            Map<Map<String, Object>, Map<String, Object>> read =
                    context.offsetStorageReader().offsets(partitions);
            if (read != null)
                read.forEach(
                        (p, o) -> {
                            if (o != null) offsets.put(p, o);
                        });
        }
        units.forEach(u -> u.restore(offsets, now));
        LOG.info(
                "{} started: {} units, {} of {} source partitions with committed offsets",
                getClass().getSimpleName(),
                units.size(),
                offsets.size(),
                partitions.size());
    }

    @Override
    public final List<SourceRecord> poll() throws InterruptedException {
        Instant now = clock.instant();
        if (now.isBefore(blockedUntil)) {
            sleeper.sleep(shorter(Duration.between(now, blockedUntil)));
            return null;
        }
        FetchUnit unit = units.stream().min(Comparator.comparing(FetchUnit::dueAt)).orElse(null);
        if (unit == null) {
            sleeper.sleep(MAX_IDLE);
            return null;
        }
        if (unit.dueAt().isAfter(now)) {
            sleeper.sleep(shorter(Duration.between(now, unit.dueAt())));
            return null;
        }
        try {
            List<SourceRecord> records = unit.run(now);
            consecutiveFailures = 0;
            if (records.isEmpty()) return null;
            int forecasts =
                    (int)
                            records.stream()
                                    .filter(r -> r.topic().equals(config.forecastTopic()))
                                    .count();
            metrics.forecastRecords(forecasts);
            metrics.intensityRecords(records.size() - forecasts);
            LOG.debug("{}: {} records", unit, records.size());
            return records;
        } catch (HttpFailure f) {
            switch (f.kind()) {
                case RETRYABLE -> {
                    consecutiveFailures++;
                    metrics.countRetry();
                    Duration wait = backoff.delay(consecutiveFailures, f.retryAfter());
                    blockedUntil = now.plus(wait);
                    LOG.warn(
                            "{}: {}; retry #{} in {} ms",
                            unit,
                            redactor.redact(f.getMessage()),
                            consecutiveFailures,
                            wait.toMillis());
                    return null;
                }
                case AUTH ->
                        throw new ConnectException(redactor.redact(authFailureMessage(f, unit)));
                case MALFORMED -> {
                    metrics.countMalformed();
                    unit.skipTurn(now);
                    LOG.warn(
                            "{}: {} (skipped; malformed responses so far: {})",
                            unit,
                            redactor.redact(f.getMessage()),
                            metrics.malformed());
                    return null;
                }
                default -> {
                    unit.skipTurn(now);
                    LOG.warn(
                            "{}: {} (skipped until its next turn)",
                            unit,
                            redactor.redact(f.getMessage()));
                    return null;
                }
            }
        }
    }

    private static Duration shorter(Duration d) {
        return d.compareTo(MAX_IDLE) > 0 ? MAX_IDLE : d;
    }

    @Override
    public void stop() {
        sleeper.wakeUp();
        LOG.info("{} stopping: {}", getClass().getSimpleName(), metrics.summary());
    }

    public SourceMetrics metrics() {
        return metrics;
    }

    /** For tests: the units and when each is due. */
    public List<FetchUnit> units() {
        return List.copyOf(units);
    }
}
