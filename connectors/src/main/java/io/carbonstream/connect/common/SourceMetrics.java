package io.carbonstream.connect.common;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * Counters of one task: HTTP requests, HTTP errors, retries scheduled, malformed responses skipped,
 * invalid data points skipped, records produced. Exposed as Connect plugin metrics (JMX, under the
 * worker's plugin metrics group, tagged with the connector and task), and summarised in the task's
 * log when it stops.
 */
public final class SourceMetrics {
    private final Map<String, AtomicLong> counters = new LinkedHashMap<>();
    private final AtomicLong requests = counter("http-requests-total", "HTTP requests sent");
    private final AtomicLong httpErrors =
            counter(
                    "http-errors-total",
                    "HTTP requests that failed (status >= 400, connection, timeout)");
    private final AtomicLong retries =
            counter(
                    "retries-total",
                    "Backoffs scheduled after a 429, a 5xx or a connection failure");
    private final AtomicLong malformed =
            counter(
                    "malformed-responses-total",
                    "Responses that were not the documented JSON, skipped");
    private final AtomicLong invalidPoints =
            counter("invalid-points-total", "Data points without a usable value or time, skipped");
    private final AtomicLong intensityRecords =
            counter("intensity-records-total", "IntensityUpdate records produced");
    private final AtomicLong forecastRecords =
            counter("forecast-records-total", "IntensityForecast records produced");

    private AtomicLong counter(String name, String description) {
        AtomicLong c = new AtomicLong();
        counters.put(name + "|" + description, c);
        return c;
    }

    /** Registers every counter with the worker's metrics; a no-op outside a worker. */
    public void register(PluginMetrics pluginMetrics) {
        if (pluginMetrics == null) return;
        counters.forEach(
                (key, counter) -> {
                    String[] parts = key.split("\\|", 2);
                    pluginMetrics.addMetric(
                            pluginMetrics.metricName(parts[0], parts[1], new LinkedHashMap<>()),
                            (Measurable) (config, now) -> counter.get());
                });
    }

    public void countRequest() {
        requests.incrementAndGet();
    }

    public void countHttpError() {
        httpErrors.incrementAndGet();
    }

    public void countRetry() {
        retries.incrementAndGet();
    }

    public void countMalformed() {
        malformed.incrementAndGet();
    }

    public void countInvalidPoint() {
        invalidPoints.incrementAndGet();
    }

    public void intensityRecords(int n) {
        intensityRecords.addAndGet(n);
    }

    public void forecastRecords(int n) {
        forecastRecords.addAndGet(n);
    }

    public long requests() {
        return requests.get();
    }

    public long httpErrors() {
        return httpErrors.get();
    }

    public long retries() {
        return retries.get();
    }

    public long malformed() {
        return malformed.get();
    }

    public long invalidPoints() {
        return invalidPoints.get();
    }

    public long intensityRecords() {
        return intensityRecords.get();
    }

    public long forecastRecords() {
        return forecastRecords.get();
    }

    public String summary() {
        StringBuilder sb = new StringBuilder();
        counters.forEach(
                (key, c) ->
                        sb.append(sb.length() == 0 ? "" : ", ")
                                .append(key, 0, key.indexOf('|'))
                                .append('=')
                                .append(c.get()));
        return sb.toString();
    }
}
