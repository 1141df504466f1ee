package io.carbonstream.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every phase of the benchmark at a tiny size (20k requests, a 25-s latency run): each phase must
 * produce its figures and the SQL peer must give carbonstream's answer. No timing thresholds:
 * this keeps the benchmark working, it does not judge performance.
 */
class BenchmarkSmokeIT {

    @Test
    @SuppressWarnings("unchecked")
    void everyPhaseProducesItsFiguresAndBothSystemsAgree(@TempDir Path tmp) throws Exception {
        Map<String, Object> r = Benchmark.run(
                "--requests", "20000", "--sim-rate", "50", "--warmup-requests", "2000",
                "--checkpoint-interval", "1 s",
                "--latency-seconds", "25", "--latency-warmup-seconds", "0", "--latency-rate", "1000",
                "--latency-checkpoint-interval", "1 s", "--latency-pool", "5000",
                "--report-dir", tmp.resolve("report").toString(), "--work-dir", tmp.resolve("work").toString());

        Map<String, Object> input = (Map<String, Object>) r.get("input");
        assertThat(((Number) input.get("requests")).longValue()).isEqualTo(20_000);
        assertThat(((Number) input.get("datacenters")).intValue()).isGreaterThanOrEqualTo(20);
        assertThat(((Number) input.get("models")).intValue()).isGreaterThanOrEqualTo(30);
        assertThat(((Number) input.get("zones")).intValue()).isGreaterThanOrEqualTo(10);

        assertThat(number(r, "limit", "recordsPerSecond")).isPositive();
        assertThat(number(r, "carbonstream", "requestsPerSecond")).isPositive();
        Map<String, Object> floor = (Map<String, Object>) r.get("floor");
        assertThat(floor).containsOnlyKeys("SOURCE_ONLY", "SOURCE_FORWARD", "SOURCE_KEYBY");
        assertThat(number(floor, "SOURCE_ONLY", "requestsPerSecond")).isPositive();
        assertThat(number(floor, "SOURCE_FORWARD", "requestsPerSecond")).isPositive();
        assertThat(number(floor, "SOURCE_KEYBY", "requestsPerSecond")).isPositive();
        assertThat(number(r, "sql", "requestsPerSecond")).isPositive();

        Map<String, Object> agreement = (Map<String, Object>) r.get("agreement");
        assertThat(agreement.get("differences")).asList().isEmpty();
        assertThat(agreement.get("agree")).isEqualTo(true);
        assertThat(((Number) agreement.get("windowsCompared")).intValue()).isPositive();

        assertThat(number(r, "latency", "measuredRequests")).isPositive();
        assertThat(number(r, "latency", "windowEndToReadableP99Ms")).isPositive();
        assertThat(number(r, "latency", "watermarkToReadableP99Ms")).isLessThanOrEqualTo(number(r, "latency", "windowEndToReadableP99Ms"));
        assertThat(number(r, "latency", "produceToReadableP50Ms")).isPositive();
        assertThat(number(r, "latency", "checkpointStateBytes")).isPositive();
        assertThat(number(r, "latency", "checkpointBytesPerDatacenterModelKey")).isPositive();
        assertThat(number(r, "latency", "peakHeapBytes")).isPositive();
        assertThat(number(r, "latency", "liveHeapAfterWarmupBytes")).isPositive();
        assertThat(number(r, "latency", "liveHeapAtEndBytes")).isPositive();
        assertThat(number(r, "memory", "processPeakRssBytes")).isPositive();

        assertThat(r.get("ratios")).isNotNull();
        assertThat(Files.readString(tmp.resolve("report/latest.md"))).contains("carbonstream vs. SQL", "Latency", "Memory");
        assertThat(tmp.resolve("report/latest.json")).exists();
    }

    @SuppressWarnings("unchecked")
    private static double number(Map<String, Object> r, String section, String key) {
        Object v = ((Map<String, Object>) r.get(section)).get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
