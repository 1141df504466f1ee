package io.carbonstream.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text exposition format, line by line, against values written out by hand. */
class PrometheusTextTest {

    @Test
    void samplesLabelsValuesAndTimestamps() throws Exception {
        List<PrometheusText.Sample> s =
                PrometheusText.parse(
                        """
                        # HELP http_requests_total The total number of HTTP requests.\\n With an escaped \\\\ newline.
                        # TYPE http_requests_total counter
                        http_requests_total{method="post",code="200"} 1027 1395066363000
                        http_requests_total{method="post",code="400"}    3   1395066363000
                        # a free comment
                           \t
                        msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                        metric_without_timestamp_and_labels 12.47
                        something_weird{problem="division by zero"} +Inf -3982045
                        minus_inf -Inf
                        not_a_number NaN
                        trailing_comma{a="1",} .5
                        empty_set{} 0
                        spaced { a = "x" , b="y" }\t7\t
                        colon:name_1 1e-3
                        """);
        assertThat(s).hasSize(11);
        assertThat(s.get(0).name()).isEqualTo("http_requests_total");
        assertThat(s.get(0).labels())
                .containsExactly(Map.entry("method", "post"), Map.entry("code", "200"));
        assertThat(s.get(0).value()).isEqualTo(1027.0);
        assertThat(s.get(0).timestampMs()).isEqualTo(1395066363000L);
        assertThat(s.get(0).line()).isEqualTo(3);
        assertThat(s.get(1).value()).isEqualTo(3.0);
        assertThat(s.get(2).labels())
                .containsEntry("path", "C:\\DIR\\FILE.TXT")
                .containsEntry("error", "Cannot find file:\n\"FILE.TXT\"");
        assertThat(s.get(2).value()).isEqualTo(1.458255915e9);
        assertThat(s.get(2).line()).isEqualTo(7);
        assertThat(s.get(3).labels()).isEmpty();
        assertThat(s.get(3).timestampMs()).isNull();
        assertThat(s.get(4).value()).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(s.get(4).timestampMs()).isEqualTo(-3982045L);
        assertThat(s.get(5).value()).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(s.get(6).value()).isNaN();
        assertThat(s.get(7).labels()).containsExactly(Map.entry("a", "1"));
        assertThat(s.get(7).value()).isEqualTo(0.5);
        assertThat(s.get(8).labels()).isEmpty();
        assertThat(s.get(9).labels()).containsExactly(Map.entry("a", "x"), Map.entry("b", "y"));
        assertThat(s.get(9).value()).isEqualTo(7.0);
        assertThat(s.get(10).name()).isEqualTo("colon:name_1");
        assertThat(s.get(10).value()).isEqualTo(0.001);
        assertThat(s.get(10).text()).isEqualTo("colon:name_1 1e-3");
    }

    @Test
    void theFixtureScrapesParse() throws Exception {
        List<PrometheusText.Sample> dcgm =
                PrometheusText.parse(GpuReadingsTest.resource("dcgm-exporter.prom"));
        assertThat(dcgm).hasSize(9);
        assertThat(dcgm.get(8).labels())
                .containsEntry("err_msg", "No \"error\" \\ none\nat all")
                .hasSize(9);
        assertThat(PrometheusText.parse(GpuReadingsTest.resource("triton.prom"))).hasSize(7);
        assertThat(PrometheusText.parse("")).isEmpty();
    }

    @Test
    void anythingElseFailsTheScrapeWithItsLine() {
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("a{b=\"c\"", "not closed");
        bad.put("a{b=c} 1", "double quotes");
        bad.put("a{b=\"\\t\"} 1", "not an escape");
        bad.put("a{b=\"1\",b=\"2\"} 1", "given twice");
        bad.put("a{1b=\"1\"} 1", "label name");
        bad.put("a{b:c=\"1\"} 1", "'='");
        bad.put("a{b=\"1\" c=\"2\"} 1", "',' or '}'");
        bad.put("a", "no value");
        bad.put("a{}", "no value");
        bad.put("a 1 2 3", "text after the timestamp");
        bad.put("a 1 1.5", "not an integer");
        bad.put("a 1 9999999999999999999", "out of range");
        bad.put("a{b=\"1\"}} 1", "not a number");
        bad.put("a 0x10", "not a number");
        bad.put("a 1_000", "not a number");
        bad.put("a Infinity!", "not a number");
        bad.put("9a 1", "metric name");
        bad.put("a-b 1", "cannot follow");
        bad.put("# TYPE a countr", "not a metric type");
        bad.put("# TYPE a counter\n# TYPE a gauge", "second TYPE");
        bad.put("a 1\n# TYPE a counter", "after its samples");
        bad.put("# TYPE 1a counter", "not a metric name");
        bad.put("\"quoted.utf8.name\" 1", "metric name");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            assertThatThrownBy(() -> PrometheusText.parse("ok_before 1\n" + e.getKey()))
                    .as(e.getKey())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(e.getValue())
                    .hasMessageStartingWith("line ");
        }
    }
}
