package io.carbonstream.connect.common;

import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.metrics.PluginMetrics;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.SourceTaskContext;
import org.apache.kafka.connect.storage.OffsetStorageReader;
import org.assertj.core.api.Assertions;
import org.assertj.core.groups.Tuple;

/**
 * Runs a source task as a worker would, minus Kafka: poll() on the test's clock, every returned
 * record "delivered" (kept in {@link #records}) and its offset committed (as a worker commits the
 * offsets of acknowledged records), and restart(): stop the task and start a fresh instance that
 * reads the committed offsets.
 */
public final class TaskHarness<T extends PollingSourceTask<?>> {
    private final Supplier<T> factory;
    private final Map<String, String> props;
    private final FakeClock clock;
    private final ClockSleeper sleeper;
    public final Map<Map<String, Object>, Map<String, Object>> committed = new HashMap<>();
    public final List<SourceRecord> records = new ArrayList<>();
    private T task;

    public TaskHarness(
            Supplier<T> factory, Map<String, String> props, FakeClock clock, ClockSleeper sleeper) {
        this.factory = factory;
        this.props = props;
        this.clock = clock;
        this.sleeper = sleeper;
        start();
    }

    /** A task's settings: {@code base} with name/value pairs added or replaced. */
    public static Map<String, String> props(Map<String, String> base, String... overrides) {
        Map<String, String> p = new HashMap<>(base);
        for (int i = 0; i + 1 < overrides.length; i += 2) p.put(overrides[i], overrides[i + 1]);
        return p;
    }

    /** The IntensityUpdate a record carries. */
    public static IntensityUpdate update(SourceRecord r) {
        return AvroWire.decode((byte[]) r.value(), IntensityUpdate.class);
    }

    /** An update as the tests compare them: (valid_from, carbon_intensity, estimated). */
    public static Tuple value(IntensityUpdate u) {
        return Assertions.tuple(u.getValidFrom(), u.getCarbonIntensity(), u.getEstimated());
    }

    /** The update a record carries, as {@link #value(IntensityUpdate)}. */
    public static Tuple updateValue(SourceRecord r) {
        return value(update(r));
    }

    /** A forecast as the tests compare them: (valid_from, valid_to, carbon_intensity). */
    public static Tuple forecastValue(SourceRecord r) {
        IntensityForecast f = forecast(r);
        return Assertions.tuple(f.getValidFrom(), f.getValidTo(), f.getCarbonIntensity());
    }

    /** The IntensityForecast a record carries. */
    public static IntensityForecast forecast(SourceRecord r) {
        return AvroWire.decode((byte[]) r.value(), IntensityForecast.class);
    }

    public T task() {
        return task;
    }

    private void start() {
        task = factory.get();
        task.initialize(
                new SourceTaskContext() {
                    @Override
                    public Map<String, String> configs() {
                        return props;
                    }

                    @Override
                    public OffsetStorageReader offsetStorageReader() {
                        return new OffsetStorageReader() {
                            @Override
                            @SuppressWarnings("unchecked")
                            public <V> Map<String, Object> offset(Map<String, V> partition) {
                                return committed.get(
                                        (Map<String, Object>) (Map<String, ?>) partition);
                            }

                            @Override
                            @SuppressWarnings("unchecked")
                            public <V> Map<Map<String, V>, Map<String, Object>> offsets(
                                    Collection<Map<String, V>> partitions) {
                                Map<Map<String, V>, Map<String, Object>> out = new HashMap<>();
                                for (Map<String, V> p : partitions) {
                                    Map<String, Object> o =
                                            committed.get((Map<String, Object>) (Map<String, ?>) p);
                                    if (o != null) out.put(p, o);
                                }
                                return out;
                            }
                        };
                    }

                    @Override
                    public PluginMetrics pluginMetrics() {
                        return null;
                    }
                });
        task.start(props);
    }

    public void restart() {
        task.stop();
        start();
    }

    /** One poll(); its records are delivered and their offsets committed. */
    @SuppressWarnings("unchecked")
    public List<SourceRecord> poll() throws InterruptedException {
        List<SourceRecord> out = task.poll();
        if (out == null) return List.of();
        for (SourceRecord r : out) {
            committed.put(
                    (Map<String, Object>) r.sourcePartition(),
                    (Map<String, Object>) r.sourceOffset());
            records.add(r);
        }
        return out;
    }

    /**
     * Polls until the task waits (no unit due); returns the records of these polls. Bounded, in
     * case of a bug.
     */
    public List<SourceRecord> drain() throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int sleeps = sleeper.sleeps.size();
            out.addAll(poll());
            if (sleeper.sleeps.size() > sleeps) return out;
        }
        throw new AssertionError("the task never waited in 10000 polls");
    }

    /**
     * Polls until the clock reaches {@code t} (sleeps move it); returns the records of these polls.
     */
    public List<SourceRecord> runUntil(Instant t) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>();
        for (int i = 0; i < 1_000_000 && clock.instant().isBefore(t); i++) out.addAll(poll());
        if (clock.instant().isBefore(t))
            throw new AssertionError("clock stuck at " + clock.instant());
        return out;
    }

    public void stop() {
        task.stop();
    }

    public static <T extends SourceTask> void noop(T t) {}
}
