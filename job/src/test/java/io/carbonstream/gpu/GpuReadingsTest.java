package io.carbonstream.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.ingest.Limits;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.Validator;
import io.carbonstream.otlp.SpanMapping;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Exporter-shaped GPU energy records (fixtures in src/test/resources/gpu-feeds, written in the
 * documented shapes of dcgm-exporter, Triton and the Collector's OTLP/JSON) to readings in joules.
 */
class GpuReadingsTest {

    static final long SCRAPE = Instant.parse("2026-11-01T10:00:10Z").toEpochMilli();
    static final long NOW = SCRAPE + 60_000;
    static final String GPU0 = "GPU-5fd4cf8e-1a27-9a4b-2f3e-1c4b0a6d9e11";
    static final String GPU1 = "GPU-0b1e4c2d-77aa-41f0-9c3e-8d2f6a5b4c22";
    static final String TRITON = "GPU-9c0ffee0-0000-4000-8000-000000000001";

    static String resource(String name) throws IOException {
        try (InputStream in = GpuReadingsTest.class.getResourceAsStream("/gpu-feeds/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static GpuReadings readings(GpuReadings.Format f, GpuReadings.GpuIdSource id, String... rules) {
        return new GpuReadings(
                new GpuReadings.Settings(
                        f,
                        "datacenter",
                        java.util.Arrays.stream(rules).map(SpanMapping.Rule::parse).toList(),
                        id,
                        "Hostname"));
    }

    static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, long timestamp) {
        return new ConsumerRecord<>(
                "gpu-energy",
                2,
                99,
                timestamp,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value,
                new RecordHeaders(),
                Optional.empty());
    }

    static GpuReadings.Outcome read(GpuReadings r, String key, String value, long timestamp) {
        return r.read(
                record(
                        key,
                        value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                        timestamp),
                new Validator(Limits.defaults()),
                NOW);
    }

    static List<GpuSample> samples(GpuReadings.Outcome o) {
        return o.inputs().stream().filter(i -> i.sample != null).map(i -> i.sample).toList();
    }

    @Test
    void dcgmExporterScrapeGivesOneReadingPerGpuInJoulesAtTheRecordTime() throws Exception {
        GpuReadings.Outcome o =
                read(
                        readings(
                                GpuReadings.Format.PROMETHEUS_TEXT,
                                GpuReadings.GpuIdSource.UUID,
                                "Hostname=gpu-fra-*->dc-de"),
                        "gpu-fra-03",
                        resource("dcgm-exporter.prom"),
                        SCRAPE);
        assertThat(o.inputs()).hasSize(2).allSatisfy(i -> assertThat(i.rejected).isNull());
        assertThat(o.readings()).isEqualTo(2);
        assertThat(o.otherSeries())
                .isEqualTo(7); // clock, temperature, power (2 GPUs each) and the XID line
        List<GpuSample> s = samples(o);
        assertThat(s.get(0).gpuId).isEqualTo(GPU0);
        assertThat(s.get(0).datacenterId).isEqualTo("dc-de");
        assertThat(s.get(0).time).as("no timestamp on the line: the record's").isEqualTo(SCRAPE);
        assertThat(s.get(0).cumulativeJ).isCloseTo(4.8123456789e7, within(1e-6)); // mJ
        assertThat(s.get(1).gpuId).isEqualTo(GPU1);
        assertThat(s.get(1).cumulativeJ).isCloseTo(1234.567, within(1e-9));
        assertThat(new String(s.get(1).value, StandardCharsets.UTF_8))
                .as("the reading's own line, to replay if late")
                .startsWith("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"1\"")
                .endsWith("1234567");
        assertThat(s.get(1).sourceOffset).isEqualTo(99);

        // The same scrape read with host:index ids.
        o =
                read(
                        readings(
                                GpuReadings.Format.PROMETHEUS_TEXT,
                                GpuReadings.GpuIdSource.HOST_INDEX,
                                "Hostname=gpu-fra-*->dc-de"),
                        null,
                        resource("dcgm-exporter.prom"),
                        SCRAPE);
        assertThat(samples(o))
                .extracting(g -> g.gpuId)
                .containsExactly("gpu-fra-03:0", "gpu-fra-03:1");
    }

    @Test
    void tritonScrapeInJoulesWithItsDatacenterFromTheRecordKey() throws Exception {
        GpuReadings r =
                readings(
                        GpuReadings.Format.PROMETHEUS_TEXT,
                        GpuReadings.GpuIdSource.UUID,
                        "__kafka_key__=triton-waw-*->dc-pl");
        GpuReadings.Outcome o = read(r, "triton-waw-01:8002", resource("triton.prom"), SCRAPE);
        assertThat(samples(o))
                .singleElement()
                .satisfies(
                        g -> {
                            assertThat(g.gpuId).isEqualTo(TRITON);
                            assertThat(g.datacenterId).isEqualTo("dc-pl");
                            assertThat(g.cumulativeJ).isEqualTo(28127.451);
                        });
        assertThat(o.otherSeries()).isEqualTo(6);
        // A line's own timestamp wins over the record's.
        o =
                read(
                        r,
                        "triton-waw-01:8002",
                        "nv_energy_consumption{gpu_uuid=\"" + TRITON + "\"} 10 " + (SCRAPE - 5_000),
                        SCRAPE);
        assertThat(samples(o))
                .singleElement()
                .satisfies(g -> assertThat(g.time).isEqualTo(SCRAPE - 5_000));
        // Triton has no device index label: with host:index ids its readings say so.
        o =
                read(
                        readings(
                                GpuReadings.Format.PROMETHEUS_TEXT,
                                GpuReadings.GpuIdSource.HOST_INDEX,
                                "__kafka_key__=*->dc-pl"),
                        "k",
                        resource("triton.prom"),
                        SCRAPE);
        assertThat(o.inputs())
                .singleElement()
                .satisfies(
                        i -> {
                            assertThat(i.rejected.reason).isEqualTo(Reason.MISSING_FIELD);
                            assertThat(i.rejected.message).contains("device index (gpu)");
                        });
    }

    @Test
    void otlpJsonWithDoubleAndIntPointsAndAReset() throws Exception {
        GpuReadings r =
                readings(
                        GpuReadings.Format.OTLP_JSON,
                        GpuReadings.GpuIdSource.UUID,
                        "host.name=gpu-waw-*->dc-pl");
        GpuReadings.Outcome o = read(r, null, resource("otlp-metrics-1.json"), SCRAPE + 3_000);
        assertThat(o.inputs()).hasSize(3).allSatisfy(i -> assertThat(i.rejected).isNull());
        assertThat(o.otherSeries()).isEqualTo(2); // the temperature and the request count
        List<GpuSample> s = samples(o);
        assertThat(s).extracting(g -> g.gpuId).containsExactly(GPU0, GPU1, TRITON);
        assertThat(s)
                .extracting(g -> g.datacenterId)
                .containsExactly("dc-de", "dc-de", "dc-pl"); // resource label, then a rule
        assertThat(s)
                .extracting(g -> g.time)
                .containsExactly(SCRAPE, SCRAPE, SCRAPE + 2_000); // timeUnixNano, not the record's
        assertThat(s.get(0).cumulativeJ)
                .isCloseTo(
                        4.8123456789e7, within(1e-6)); // mJ by the metric's name (no unit declared)
        assertThat(s.get(1).cumulativeJ).isCloseTo(1234.567, within(1e-9));
        assertThat(s.get(2).cumulativeJ).isEqualTo(28127.0); // asInt, unit J declared
        assertThat(new String(s.get(2).value, StandardCharsets.UTF_8))
                .contains("\"resourceMetrics\"")
                .contains("gpu-waw-01")
                .contains("nv_energy_consumption")
                .doesNotContain("nv_inference_request_success");

        // After the restart the counter is lower: a reading like any (the attribution counts the
        // reset, GpuFeedsIT).
        GpuReadings.Outcome after =
                read(r, null, resource("otlp-metrics-2-reset.json"), SCRAPE + 12_000);
        assertThat(samples(after))
                .singleElement()
                .satisfies(
                        g -> {
                            assertThat(g.gpuId).isEqualTo(GPU0);
                            assertThat(g.cumulativeJ)
                                    .isCloseTo(512.0005, within(1e-9))
                                    .isLessThan(s.get(0).cumulativeJ);
                        });
    }

    @Test
    void unusableReadingsAreDeadLettersOfTheirOwnAndTheRestIsRead() {
        GpuReadings r = readings(GpuReadings.Format.PROMETHEUS_TEXT, GpuReadings.GpuIdSource.UUID);
        String ok =
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-a\",datacenter=\"dc-de\"} 5000";
        String[][] cases = {
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\",datacenter=\"dc-de\"} 5000",
                "MISSING_FIELD",
                "GPU UUID label"
            },
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-b\",Hostname=\"x\"} 5000",
                "UNMAPPED_DATACENTER",
                "--gpu-energy.datacenter-rules"
            },
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-b\",datacenter=\"dc-de\"} NaN",
                "INVALID_VALUE",
                "NaN"
            },
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-b\",datacenter=\"dc-de\"} +Inf",
                "INVALID_VALUE",
                "Infinity"
            },
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-b\",datacenter=\"dc-de\"} -3",
                "INVALID_VALUE",
                "-3.0"
            },
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-b\",datacenter=\"dc-de\"} 3 "
                        + (NOW + 3_600_000),
                "EVENT_TIME_IN_FUTURE",
                "ahead"
            },
            {
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\""
                        + "x".repeat(300)
                        + "\",datacenter=\"dc-de\"} 3",
                "OVERSIZED_STRING",
                "gpu id"
            },
        };
        for (String[] c : cases) {
            GpuReadings.Outcome o =
                    read(r, null, "# a scrape\n" + c[0] + "\n" + ok + "\nother_metric 1\n", SCRAPE);
            assertThat(o.inputs()).as(c[0]).hasSize(2);
            assertThat(o.inputs().get(0).rejected.reason.name()).as(c[0]).isEqualTo(c[1]);
            assertThat(o.inputs().get(0).rejected.message).as(c[0]).contains(c[2]);
            assertThat(new String(o.inputs().get(0).rejected.value, StandardCharsets.UTF_8))
                    .as("the line alone")
                    .isEqualTo(c[0]);
            assertThat(o.inputs().get(1).sample.gpuId).isEqualTo("GPU-a");
            assertThat(o.otherSeries()).isEqualTo(1);
        }
        // No timestamp on the line nor on the record.
        GpuReadings.Outcome o = read(r, null, ok, -1);
        assertThat(o.inputs())
                .singleElement()
                .satisfies(i -> assertThat(i.rejected.reason).isEqualTo(Reason.MISSING_FIELD));
    }

    @Test
    void recordsWithNoReadingAtAllAreOneDeadLetterWithTheirBytes() throws Exception {
        GpuReadings text =
                readings(GpuReadings.Format.PROMETHEUS_TEXT, GpuReadings.GpuIdSource.UUID);
        GpuReadings otlp = readings(GpuReadings.Format.OTLP_JSON, GpuReadings.GpuIdSource.UUID);
        Object[][] cases = {
            {
                text,
                "# only other metrics\nnv_gpu_utilization{gpu_uuid=\"GPU-a\"} 0.5\n",
                Reason.NO_ENERGY_SAMPLE,
                "1 other series"
            },
            {
                text,
                "",
                Reason.NO_ENERGY_SAMPLE,
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION or nv_energy_consumption"
            },
            {
                text,
                "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{UUID=\"GPU-a\" 1\n",
                Reason.UNDECODABLE,
                "line 1"
            },
            {text, resource("otlp-metrics-1.json"), Reason.UNDECODABLE, "PROMETHEUS_TEXT"},
            {otlp, resource("triton.prom"), Reason.UNDECODABLE, "OTLP_JSON"},
            {otlp, "{\"resourceSpans\":[]}", Reason.UNDECODABLE, "no resourceMetrics"},
            {
                otlp,
                "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"x\",\"gauge\":{\"dataPoints\":[{\"asInt\":\"1\"}]}}]}]}]}",
                Reason.NO_ENERGY_SAMPLE,
                "1 other series"
            },
            {otlp, null, Reason.NULL_VALUE, "tombstone"},
        };
        for (Object[] c : cases) {
            GpuReadings.Outcome o = read((GpuReadings) c[0], "k", (String) c[1], SCRAPE);
            assertThat(o.inputs())
                    .as(String.valueOf(c[1]))
                    .singleElement()
                    .satisfies(
                            i -> {
                                assertThat(i.rejected.reason).isEqualTo(c[2]);
                                assertThat(i.rejected.message).contains((String) c[3]);
                                assertThat(i.rejected.value)
                                        .isEqualTo(
                                                c[1] == null
                                                        ? null
                                                        : ((String) c[1])
                                                                .getBytes(StandardCharsets.UTF_8));
                            });
        }
        // Not UTF-8 at all.
        GpuReadings.Outcome o =
                text.read(
                        record(null, new byte[] {(byte) 0xC3, 0x28, 0x0A}, SCRAPE),
                        new Validator(Limits.defaults()),
                        NOW);
        assertThat(o.inputs())
                .singleElement()
                .satisfies(i -> assertThat(i.rejected.message).contains("not UTF-8"));
    }

    @Test
    void otlpPointsThatAreNotCumulativeReadingsAreDeadLetters() {
        GpuReadings r = readings(GpuReadings.Format.OTLP_JSON, GpuReadings.GpuIdSource.UUID);
        String attrs =
                "\"attributes\":[{\"key\":\"UUID\",\"value\":{\"stringValue\":\"GPU-a\"}},{\"key\":\"datacenter\",\"value\":{\"stringValue\":\"dc-de\"}}]";
        String t = "\"timeUnixNano\":\"" + SCRAPE * 1_000_000L + "\"";
        String[][] cases = {
            {
                "\"sum\":{\"aggregationTemporality\":1,\"dataPoints\":[{"
                        + attrs
                        + ","
                        + t
                        + ",\"asDouble\":5}]}",
                "DELTA"
            },
            {
                "\"sum\":{\"aggregationTemporality\":\"AGGREGATION_TEMPORALITY_DELTA\",\"dataPoints\":[{"
                        + attrs
                        + ","
                        + t
                        + ",\"asDouble\":5}]}",
                "DELTA"
            },
            {
                "\"sum\":{\"aggregationTemporality\":2,\"dataPoints\":[{"
                        + attrs
                        + ","
                        + t
                        + ",\"flags\":1}]}",
                "no recorded value"
            },
            {
                "\"sum\":{\"aggregationTemporality\":2,\"dataPoints\":[{" + attrs + "," + t + "}]}",
                "neither asDouble nor asInt"
            },
            {
                "\"sum\":{\"aggregationTemporality\":2,\"dataPoints\":[{"
                        + attrs
                        + ",\"asDouble\":5}]}",
                "no timeUnixNano"
            },
            {
                "\"sum\":{\"aggregationTemporality\":2,\"dataPoints\":[{"
                        + attrs
                        + ","
                        + t
                        + ",\"asDouble\":\"NaN\"}]}",
                "NaN"
            },
            {
                "\"sum\":{\"aggregationTemporality\":2,\"dataPoints\":[{"
                        + attrs
                        + ","
                        + t
                        + ",\"asInt\":\"1.5\"}]}",
                "not a 64-bit integer"
            },
            {"\"histogram\":{\"dataPoints\":[]}", "no sum or gauge"},
        };
        for (String[] c : cases) {
            String json =
                    "{\"resourceMetrics\":[{\"resource\":{},\"scopeMetrics\":[{\"metrics\":[{\"name\":\"nv_energy_consumption\","
                            + c[0]
                            + "}]}]}]}";
            GpuReadings.Outcome o = read(r, null, json, SCRAPE);
            assertThat(o.inputs())
                    .as(c[0])
                    .singleElement()
                    .satisfies(
                            i -> {
                                assertThat(i.rejected).as(c[0]).isNotNull();
                                assertThat(i.rejected.reason).isEqualTo(Reason.INVALID_VALUE);
                                assertThat(i.rejected.message).contains(c[1]);
                            });
        }
        // A gauge of the counter (some pipelines declare it so) and snake_case names are read.
        String gauge =
                "{\"resource_metrics\":[{\"scope_metrics\":[{\"metrics\":[{\"name\":\"nv_energy_consumption\",\"gauge\":{\"data_points\":[{"
                        + attrs
                        + ",\"time_unix_nano\":"
                        + SCRAPE * 1_000_000L
                        + ",\"as_double\":7.5}]}}]}]}]}";
        assertThat(samples(read(r, null, gauge, SCRAPE)))
                .singleElement()
                .satisfies(
                        g -> {
                            assertThat(g.cumulativeJ).isEqualTo(7.5);
                            assertThat(g.time).isEqualTo(SCRAPE);
                        });
    }
}
