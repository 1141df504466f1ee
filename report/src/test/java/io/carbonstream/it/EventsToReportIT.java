package io.carbonstream.it;

import static io.carbonstream.it.JobFixture.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.report.ReportCommand;
import io.carbonstream.report.ReportFiles;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.LedgerEntry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.flink.core.execution.JobClient;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * From events to the files a sustainability team files: the job (MiniCluster, real broker) turns
 * events and certificates into the ledger, the report command reads it for two hours. The report's
 * totals must equal the sum of the hourly datacenter aggregates (summed here, exactly, and rounded
 * as the report documents: 6 decimals, half up), the HTML must carry the CSV's numbers, and a
 * second run must write the same bytes.
 */
class EventsToReportIT extends KafkaAndFlinkIT {

    static final long HOUR = 60 * Scenario.MIN;
    static final long BASE = Scenario.BASE;

    @Test
    void theReportTotalsEqualTheHourlyAggregates(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "report.");
        Scenario s = new Scenario(71, 2_000, 2 * HOUR, 2_000);
        f.produceScenario(s, Map.of());
        List<Scenario.Req> counted = new ArrayList<>(s.requests);
        counted.addAll(f.pushWatermark("push", BASE + 2 * HOUR + 5 * Scenario.MIN));
        double deKwh = JobFixture.reference(s, counted).get(LedgerIT.aggKey("dc-de", BASE)).kwh;
        f.produce(
                "certificates",
                List.of(LedgerIT.certificate("c-de", "dc-de", BASE, "DE", deKwh / 2 / 1000)));

        JobClient job =
                f.start(
                        "carbonstream-events-to-report",
                        JobFixture.writeRegistry(tmp, s.datacenters),
                        Map.of());
        Map<String, Aggregate> hours;
        try {
            long end = BASE + 2 * HOUR;
            await(
                    "the ledger of both hours, matching their aggregates",
                    () -> {
                        Map<String, Aggregate> h = LedgerIT.hourly(f, end);
                        Map<String, LedgerEntry> rows = LedgerIT.ledger(f);
                        return h.size() == 10
                                && h.values().stream()
                                        .allMatch(
                                                a -> {
                                                    LedgerEntry r =
                                                            rows.get(
                                                                    a.getDatacenterId()
                                                                            + "|"
                                                                            + a.getWindowStart());
                                                    return r != null
                                                            && r.getAggregateRevision()
                                                                    == a.getRevision()
                                                            && r.getCertificates()
                                                                    == (a.getDatacenterId()
                                                                                            .equals(
                                                                                                    "dc-de")
                                                                                    && a.getWindowStart()
                                                                                                    .toEpochMilli()
                                                                                            == BASE
                                                                            ? 1
                                                                            : 0);
                                                });
                    });
            hours = LedgerIT.hourly(f, end);
        } finally {
            job.cancel().get();
        }

        Path out1 = tmp.resolve("report-1");
        Path out2 = tmp.resolve("report-2");
        for (Path out : List.of(out1, out2)) {
            int code =
                    new CommandLine(new ReportCommand())
                            .execute(
                                    "--bootstrap-servers",
                                    kafka.bootstrapServers(),
                                    "--from",
                                    Instant.ofEpochMilli(BASE).toString(),
                                    "--to",
                                    Instant.ofEpochMilli(BASE + 2 * HOUR).toString(),
                                    "--ledger-topic",
                                    f.prefix + "ledger",
                                    "--restatements-topic",
                                    f.prefix + "restatements",
                                    "--out",
                                    out.toString());
            assertThat(code).isZero();
        }
        Map<String, String> csv = totalsAll(out1.resolve("totals.csv"));
        Document html = Jsoup.parse(Files.readString(out1.resolve("report.html")));
        Map<String, ToDoubleFunction<Aggregate>> fromAggregates = new HashMap<>();
        fromAggregates.put("facility_kwh", Aggregate::getFacilityKwh);
        fromAggregates.put("location_gco2e", Aggregate::getLocationGco2e);
        fromAggregates.put("water_l", Aggregate::getWaterL);
        fromAggregates.put("embodied_gco2e", Aggregate::getEmbodiedGco2e);
        fromAggregates.put("requests", a -> a.getRequests());
        for (var e : fromAggregates.entrySet()) {
            BigDecimal sum = BigDecimal.ZERO;
            for (Aggregate a : hours.values())
                sum = sum.add(new BigDecimal(e.getValue().applyAsDouble(a)));
            // The report's rule: exact sum of the doubles, rounded once to 6 decimals, half up.
            assertThat(new BigDecimal(csv.get(e.getKey())))
                    .as(e.getKey() + " in totals.csv")
                    .isEqualByComparingTo(sum.setScale(6, RoundingMode.HALF_UP));
            assertThat(html.getElementById("total-" + e.getKey()).text())
                    .as(e.getKey() + " in report.html")
                    .isEqualTo(csv.get(e.getKey()));
        }
        assertThat(html.getElementById("total-matched_kwh").text())
                .isEqualTo(csv.get("matched_kwh"));
        assertThat(new BigDecimal(csv.get("matched_kwh")))
                .isEqualByComparingTo(new BigDecimal(deKwh / 2).setScale(6, RoundingMode.HALF_UP));
        ReportFiles.assertSameBytes(out1, out2);
    }

    /** The "all" line of totals.csv, by column. */
    static Map<String, String> totalsAll(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",");
        String[] all =
                lines.stream()
                        .filter(l -> l.startsWith("all,"))
                        .findFirst()
                        .orElseThrow()
                        .split(",", -1);
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < header.length; i++) out.put(header[i], all[i]);
        return out;
    }
}
