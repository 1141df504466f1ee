package io.carbonstream.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every phase of the benchmark at a tiny size (20k requests, two rounds, the cascaded and the first
 * SQL peer, one scale point with 30 zones at parallelism 1 and 2, the GPU attribution path, a 20-s
 * latency run): each phase must produce its figures and every SQL peer must give carbonstream's
 * answer on every window. No timing thresholds: this keeps the benchmark working, it does not judge
 * performance.
 */
class BenchmarkSmokeIT {

    @Test
    void everyPhaseProducesItsFiguresAndEverySqlPeerAgrees(@TempDir Path tmp) throws Exception {
        Results.Run r =
                Benchmark.run(
                        "--requests",
                        "20000",
                        "--sim-rate",
                        "50",
                        "--warmup-requests",
                        "0",
                        "--rounds",
                        "2",
                        // The tuned cascade is the cascade with two Table API options: the full run
                        // compares all three.
                        "--sql-variants",
                        "CASCADED,PER_WINDOW",
                        "--checkpoint-interval",
                        "1 s",
                        "--scale-points",
                        "40x20x30",
                        "--scale-key-rate",
                        "3",
                        "--scale-minutes",
                        "4",
                        "--scale-min-requests",
                        "1000",
                        "--scale-parallelism",
                        "1,2",
                        "--attribution-requests",
                        "10000",
                        "--latency-seconds",
                        "20",
                        "--latency-warmup-seconds",
                        "0",
                        "--latency-rate",
                        "1000",
                        "--latency-checkpoint-interval",
                        "1 s",
                        "--latency-pool",
                        "5000",
                        "--report-dir",
                        tmp.resolve("report").toString(),
                        "--work-dir",
                        tmp.resolve("work").toString());

        assertThat(r.input().requests()).isEqualTo(20_000);
        assertThat(r.input().datacenters()).isGreaterThanOrEqualTo(20);
        assertThat(r.input().models()).isGreaterThanOrEqualTo(30);
        assertThat(r.input().zones()).isGreaterThanOrEqualTo(10);

        // Two rounds of everything, the second in reverse order.
        assertThat(r.limit().runs())
                .extracting(Results.LimitRun::consumers)
                .containsExactly(1, 2, 2, 1);
        assertThat(r.limit().runs()).allSatisfy(l -> assertThat(l.records()).isEqualTo(20_000));
        assertThat(r.floor())
                .extracting(Results.FloorRun::shape)
                .containsExactly(
                        "SOURCE_ONLY",
                        "SOURCE_FORWARD",
                        "SOURCE_KEYBY",
                        "SOURCE_KEYBY",
                        "SOURCE_FORWARD",
                        "SOURCE_ONLY");
        assertThat(r.throughput().order())
                .containsExactly(
                        "CARBONSTREAM#1",
                        "CASCADED#1",
                        "PER_WINDOW#1",
                        "PER_WINDOW#2",
                        "CASCADED#2",
                        "CARBONSTREAM#2");
        for (Results.SystemRun s : r.throughput().runs()) {
            // The last output record reaches the broker before the transaction that holds it
            // commits.
            assertThat(s.timing().secondsToLastRecord())
                    .as(s.system())
                    .isPositive()
                    .isLessThanOrEqualTo(s.timing().secondsToLastCommit());
            assertThat(s.timing().jitSeconds()).isGreaterThanOrEqualTo(0);
            assertThat(s.timing().cpuSeconds()).isPositive();
            assertThat(s.outputWindows()).isPositive();
        }

        // Every SQL run, cascaded or not, gives carbonstream's answer on every window.
        assertThat(r.agreement()).hasSize(4);
        for (Results.Agreement a : r.agreement()) {
            assertThat(a.differences()).as(a.sqlSystem() + "#" + a.sqlRound()).isEmpty();
            assertThat(a.agree()).isTrue();
            assertThat(a.sqlWindows())
                    .isEqualTo(a.carbonstreamWindows())
                    .isEqualTo(a.windowsCompared());
            assertThat(a.hourlyRequestsSql()).isEqualTo(20_000);
        }

        assertThat(r.scale().points())
                .extracting(p -> p.keys() + "@" + p.parallelism())
                .containsExactly("800@1", "800@2");
        assertThat(r.scale().points())
                .extracting(Results.ScalePoint::zones)
                .containsExactly(30, 30);
        for (Results.ScalePoint p : r.scale().points()) {
            // 800 keys x 3 requests a minute x 4 minutes, and the longer run twice that.
            assertThat(p.shorterRunRequests()).isEqualTo(9_600);
            assertThat(p.requests()).isEqualTo(19_200);
            assertThat(p.shorterRunWindows()).isPositive().isLessThan(p.outputWindows());
            assertThat(p.outputWindows()).isPositive();
            assertThat(p.cpuMicrosPerRequest()).isPositive();
        }
        // The same input at both parallelisms gives the same windows.
        assertThat(r.scale().points().get(0).outputWindows())
                .isEqualTo(r.scale().points().get(1).outputWindows());

        Results.AttributionPhase a = r.attribution();
        assertThat(a.gpus()).isEqualTo(24);
        assertThat(a.gpuSamples()).isPositive();
        assertThat(a.requestsNamingGpus()).isPositive().isLessThan(a.requests());
        assertThat(a.attributionRecords()).isPositive();
        assertThat(a.plainConsumer().records()).isEqualTo(a.requests());
        assertThat(a.carbonstreamWithAttribution().recordsPerSecondToLastCommit()).isPositive();

        Results.LatencyPhase l = r.latency();
        assertThat(l.measuredRequests()).isPositive();
        assertThat(l.windowEndToReadableP99Ms()).isPositive();
        assertThat(l.watermarkToReadableP99Ms()).isLessThanOrEqualTo(l.windowEndToReadableP99Ms());
        assertThat(l.produceToReadableP50Ms()).isPositive();
        assertThat(l.checkpointStateBytes()).isPositive();
        assertThat(l.liveHeapAfterWarmupBytes()).isPositive();
        assertThat(l.liveHeapAtEndBytes()).isPositive();
        assertThat(r.memory().processPeakRssBytes()).isPositive();

        assertThat(r.ratios().bestSqlPeer()).isNotNull();
        assertThat(r.ratios().carbonstreamOverSql()).containsOnlyKeys("CASCADED", "PER_WINDOW");
        assertThat(r.targets()).extracting(Results.Target::target).hasSizeGreaterThanOrEqualTo(5);
        assertThat(Files.readString(tmp.resolve("report/latest.md")))
                .contains(
                        "carbonstream vs. SQL",
                        "Scale",
                        "GPU attribution path",
                        "Latency",
                        "Memory",
                        "JIT s");
        // The JSON is the records, field for field.
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("report/latest.json").toFile());
        assertThat(json.path("throughput").path("runs")).hasSize(6);
        assertThat(
                        json.path("throughput")
                                .path("runs")
                                .get(0)
                                .path("timing")
                                .path("secondsToLastCommit")
                                .asDouble())
                .isEqualTo(r.throughput().runs().get(0).timing().secondsToLastCommit());
    }
}
