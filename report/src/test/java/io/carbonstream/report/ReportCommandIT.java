package io.carbonstream.report;

import static io.carbonstream.report.Rows.model;
import static io.carbonstream.report.Rows.row;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.carbonstream.it.Avro;
import io.carbonstream.kafka.EmbeddedKafka;
import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.LedgerModelLine;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The report command on a real broker: crafted ledger revisions (plain, committed and aborted
 * transactions, a tombstone) and restatement records in; the files out must carry the totals of an
 * independent sum of what the test wrote, the same in totals.csv, summary.json and report.html, and
 * be byte-identical from one run to the next.
 */
class ReportCommandIT {

    static final String LEDGER = "carbonstream.ledger";
    static final String RESTATEMENTS = "carbonstream.restatements";
    static final Instant FROM = Instant.parse("2026-12-01T00:00:00Z");
    static final Instant TO = Instant.parse("2026-12-02T00:00:00Z");
    static final String[] DATACENTERS = {"dc-us-west-1", "dc-eu-central-1", "dc-colo-1"};

    static EmbeddedKafka kafka;

    /** What the topic holds once compacted: the test's own bookkeeping, key to final row. */
    static final Map<String, LedgerEntry> finalRows = new TreeMap<>();

    static final List<Restatement> inPeriod = new ArrayList<>();
    static final Path OUT = Path.of("target", "report-it");

    static final JsonMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                    .build();

    @BeforeAll
    static void writeTheTopics() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(
                List.of(
                        new NewTopic(LEDGER, 2, (short) 1)
                                .configs(Map.of("cleanup.policy", "compact")),
                        new NewTopic(RESTATEMENTS, 1, (short) 1)));
        Random random = new Random(20261201);
        List<ProducerRecord<byte[], byte[]>> firstRevisions = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> finals = new ArrayList<>();
        List<ProducerRecord<byte[], byte[]>> aborted = new ArrayList<>();
        // Two hours before and after the period too: they must be left out.
        for (int h = -2; h < 26; h++) {
            Instant hour = FROM.plusSeconds(3600L * h);
            for (String dc : DATACENTERS) {
                LedgerEntry row = craft(dc, hour, random, 2);
                String key = dc + "|" + hour;
                // An earlier revision with other figures, replaced by the final one.
                firstRevisions.add(record(LEDGER, key, craft(dc, hour, random, 1)));
                finals.add(record(LEDGER, key, row));
                finalRows.put(key, row);
                if (h % 7 == 3)
                    aborted.add(
                            record(
                                    LEDGER,
                                    key,
                                    row("x", hour.toString()).kwh(1e6).revision(3).build()));
            }
        }
        // A key written and then removed.
        String removed = "dc-colo-1|" + FROM.plusSeconds(5 * 3600);
        finals.add(new ProducerRecord<>(LEDGER, removed.getBytes(StandardCharsets.UTF_8), null));
        finalRows.remove(removed);

        Properties plain = kafka.clientProperties();
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(plain, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (var r : firstRevisions) p.send(r).get();
        }
        Properties tx = kafka.clientProperties();
        tx.put("transactional.id", "report-it");
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(tx, new ByteArraySerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (var r : finals) p.send(r);
            p.commitTransaction();
            // Never committed: read_committed must not see these.
            p.beginTransaction();
            for (var r : aborted) p.send(r);
            p.flush();
            p.abortTransaction();
        }

        Restatement intensity =
                Rows.summary(
                        CorrectionKind.INTENSITY,
                        "US-CAL-CISO",
                        null,
                        "2026-12-01T10:00:00Z",
                        210.0,
                        243.5,
                        RestatementStatus.APPLIED);
        Restatement registry =
                Rows.summary(
                        CorrectionKind.REGISTRY,
                        null,
                        "dc-eu-central-1",
                        "2026-12-01T06:00:00Z",
                        1.2,
                        1.25,
                        RestatementStatus.PARTIALLY_APPLIED);
        Restatement before =
                Rows.summary(
                        CorrectionKind.INTENSITY,
                        "DE",
                        null,
                        "2026-11-29T10:00:00Z",
                        400.0,
                        410.0,
                        RestatementStatus.NOT_APPLIED);
        Restatement pane =
                Restatement.newBuilder(intensity)
                        .setRecordType(RestatementRecordType.PANE)
                        .setDatacenterId("dc-us-west-1")
                        .setMinuteStart(Instant.parse("2026-12-01T10:00:00Z"))
                        .setRequests(12)
                        .setDeltaLocationGco2e(3.5)
                        .build();
        inPeriod.add(registry);
        inPeriod.add(intensity);
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(plain, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Restatement r : List.of(intensity, registry, before, pane))
                p.send(record(RESTATEMENTS, r.getCorrectionId(), r)).get();
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    /**
     * One datacenter-hour: solar certificates by day in California, wind in Germany, none for the
     * colocation site.
     */
    static LedgerEntry craft(String dc, Instant hour, Random random, int revision) {
        int utcHour = hour.atZone(java.time.ZoneOffset.UTC).getHour();
        double kwh = 5 + random.nextDouble() * 50;
        Rows.Row r =
                row(dc, hour.toString())
                        .revision(revision)
                        .kwh(kwh)
                        .water(kwh * 0.31 + random.nextDouble())
                        .embodied(kwh * 4.7)
                        .shares(
                                random.nextDouble(),
                                random.nextDouble() * 0.1,
                                random.nextDouble() * 0.05)
                        .restatements(revision - 1);
        double intensity;
        switch (dc) {
            case "dc-us-west-1" -> {
                intensity = 150 + random.nextDouble() * 120;
                // Solar PPA: 17:00-01:00 UTC is daytime in California.
                boolean sun = utcHour >= 17 || utcHour < 1;
                r.zone("US-CAL-CISO")
                        .org("acme")
                        .intensity(intensity)
                        .residual(380.4, "TABLE:Green-e-2025")
                        .certificates(sun ? random.nextDouble() * 80 : 0, sun ? 1 : 0, 0)
                        .supplier(210);
            }
            case "dc-eu-central-1" -> {
                intensity = 300 + random.nextDouble() * 200;
                r.zone("DE")
                        .org("acme")
                        .intensity(intensity)
                        .residual(612.7, "TABLE:AIB-2024")
                        .certificates(random.nextDouble() * 30, 2, 0);
            }
            default -> {
                intensity = 180 + random.nextDouble() * 90;
                r.zone("US-CAL-CISO")
                        .org("beta")
                        .intensity(intensity)
                        .residual(intensity, "GRID_AVERAGE");
            }
        }
        long in = 1000 + random.nextInt(100_000);
        long out = 1000 + random.nextInt(50_000);
        double llm = kwh * 0.8;
        LedgerModelLine language =
                model(
                        dc.equals("dc-eu-central-1") ? "mistral-7b" : "llama-3.1-70b",
                        "TOKENS_1K",
                        50 + random.nextInt(500),
                        in,
                        out,
                        0,
                        llm,
                        llm * intensity,
                        llm * 4.7);
        long images = 1 + random.nextInt(40);
        LedgerModelLine image =
                model(
                        "sdxl",
                        "IMAGE",
                        images,
                        0,
                        0,
                        images,
                        kwh - llm,
                        (kwh - llm) * intensity,
                        (kwh - llm) * 4.7);
        return r.models(language, image).build();
    }

    static ProducerRecord<byte[], byte[]> record(
            String topic, String key, org.apache.avro.specific.SpecificRecord value) {
        return new ProducerRecord<>(
                topic, key.getBytes(StandardCharsets.UTF_8), Avro.encode(value));
    }

    // ---- the independent computation ----

    static List<LedgerEntry> expectedRows(Predicate<LedgerEntry> filter) {
        return finalRows.values().stream()
                .filter(e -> !e.getHourStart().isBefore(FROM) && e.getHourStart().isBefore(TO))
                .filter(filter)
                .toList();
    }

    static String sum(List<LedgerEntry> rows, Function<LedgerEntry, Double> figure) {
        BigDecimal s = BigDecimal.ZERO;
        for (LedgerEntry e : rows) s = s.add(new BigDecimal(figure.apply(e)));
        return s.setScale(6, RoundingMode.HALF_UP).toPlainString();
    }

    static String count(List<LedgerEntry> rows, Function<LedgerEntry, Number> figure) {
        return Long.toString(rows.stream().mapToLong(e -> figure.apply(e).longValue()).sum());
    }

    /**
     * sum of numerator / sum of facility_kwh, the numerator exact (a share times the energy, in
     * decimals).
     */
    static String weighted(List<LedgerEntry> rows, Function<LedgerEntry, BigDecimal> numerator) {
        BigDecimal n = BigDecimal.ZERO;
        BigDecimal kwh = BigDecimal.ZERO;
        for (LedgerEntry e : rows) {
            n = n.add(numerator.apply(e));
            kwh = kwh.add(new BigDecimal(e.getFacilityKwh()));
        }
        return n.divide(kwh, 6, RoundingMode.HALF_UP).toPlainString();
    }

    static BigDecimal energyShare(double share, LedgerEntry e) {
        return new BigDecimal(share).multiply(new BigDecimal(e.getFacilityKwh()));
    }

    /**
     * Every total, column name to its printed value, computed here from the rows the test wrote.
     */
    static Map<String, String> expectedTotals(List<LedgerEntry> rows) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("rows", Integer.toString(rows.size()));
        t.put("requests", count(rows, LedgerEntry::getRequests));
        t.put("input_tokens", count(rows, LedgerEntry::getInputTokens));
        t.put("output_tokens", count(rows, LedgerEntry::getOutputTokens));
        t.put("images", count(rows, LedgerEntry::getImages));
        t.put("media_seconds", sum(rows, LedgerEntry::getMediaSeconds));
        t.put("facility_kwh", sum(rows, LedgerEntry::getFacilityKwh));
        t.put("facility_kwh_low", sum(rows, LedgerEntry::getFacilityKwhLow));
        t.put("facility_kwh_high", sum(rows, LedgerEntry::getFacilityKwhHigh));
        t.put("location_gco2e", sum(rows, LedgerEntry::getLocationGco2e));
        t.put("location_gco2e_low", sum(rows, LedgerEntry::getLocationGco2eLow));
        t.put("location_gco2e_high", sum(rows, LedgerEntry::getLocationGco2eHigh));
        t.put(
                "mean_intensity_g_per_kwh",
                weighted(rows, e -> new BigDecimal(e.getLocationGco2e())));
        t.put("certificate_kwh", sum(rows, LedgerEntry::getCertificateKwh));
        t.put("certificates", count(rows, LedgerEntry::getCertificates));
        t.put("matched_kwh", sum(rows, LedgerEntry::getMatchedKwh));
        t.put("unmatched_kwh", sum(rows, LedgerEntry::getUnmatchedKwh));
        t.put("surplus_kwh", sum(rows, LedgerEntry::getSurplusKwh));
        t.put("certificate_gco2e", sum(rows, LedgerEntry::getCertificateGco2e));
        t.put("market_gco2e", sum(rows, LedgerEntry::getMarketGco2e));
        t.put(
                "supplier_market_gco2e",
                sum(
                        rows,
                        e ->
                                e.getSupplierMarketGco2e() == null
                                        ? 0.0
                                        : e.getSupplierMarketGco2e()));
        t.put(
                "supplier_rate_rows",
                Long.toString(
                        rows.stream().filter(e -> e.getSupplierMarketGco2e() != null).count()));
        t.put("water_l", sum(rows, LedgerEntry::getWaterL));
        t.put("embodied_gco2e", sum(rows, LedgerEntry::getEmbodiedGco2e));
        t.put("sci_gco2e", sum(rows, LedgerEntry::getSciGco2e));
        t.put("restatements", count(rows, LedgerEntry::getRestatements));
        t.put(
                "measured_energy_share",
                weighted(rows, e -> energyShare(e.getMeasuredEnergyShare(), e)));
        t.put("fallback_share", weighted(rows, e -> energyShare(e.getFallbackShare(), e)));
        t.put("stale_share", weighted(rows, e -> energyShare(e.getStaleShare(), e)));
        return t;
    }

    // ---- reading the files ----

    static Map<String, String> csvTotals(Path dir, String scope, String id) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("totals.csv"));
        String[] header = lines.get(0).split(",");
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (cells[0].equals(scope) && cells[1].equals(id)) {
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 2; i < header.length; i++) m.put(header[i], cells[i]);
                return m;
            }
        }
        throw new AssertionError("no " + scope + " " + id + " line in totals.csv");
    }

    static String jsonNumber(JsonNode node) {
        assertThat(node.isNumber()).as("%s is a number", node).isTrue();
        return node.isIntegralNumber()
                ? node.bigIntegerValue().toString()
                : node.decimalValue().toPlainString();
    }

    static com.fasterxml.jackson.databind.JsonNode summary(Path dir) throws IOException {
        return JSON.readTree(Files.readString(dir.resolve("summary.json")));
    }

    static Document html(Path dir) throws IOException {
        return Jsoup.parse(dir.resolve("report.html").toFile(), "UTF-8");
    }

    static ReportCommandTest.Run report(Path out, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--bootstrap-servers",
                                kafka.bootstrapServers(),
                                "--from",
                                FROM.toString(),
                                "--to",
                                TO.toString(),
                                "--out",
                                out.toString()));
        args.addAll(List.of(more));
        return ReportCommandTest.run(args.toArray(String[]::new));
    }

    @Test
    void totalsOfCsvJsonAndHtmlEqualAnIndependentSumAndRunsAreByteIdentical() throws Exception {
        Path a = OUT.resolve("all-a");
        Path b = OUT.resolve("all-b");
        ReportCommandTest.Run first = report(a, "--annual-matching");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("71 rows");
        ReportCommandTest.Run second = report(b, "--annual-matching");
        assertThat(second.code()).as(second.err()).isZero();
        ReportFiles.assertSameBytes(a, b);

        List<LedgerEntry> rows = expectedRows(e -> true);
        assertThat(rows).hasSize(24 * 3 - 1); // the tombstoned key is gone
        Map<String, String> expected = expectedTotals(rows);
        Map<String, String> csv = csvTotals(a, "all", "");
        JsonNode json = summary(a);
        Document html = html(a);
        assertThat(csv.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String column : expected.keySet()) {
            String fromJson = jsonNumber(json.path("totals").path(column));
            Element cell = html.getElementById("total-" + column);
            assertThat(cell).as(column).isNotNull();
            assertThat(fromJson).as("json " + column).isEqualTo(csv.get(column));
            assertThat(cell.text()).as("html " + column).isEqualTo(csv.get(column));
            assertThat(csv.get(column)).as("csv " + column).isEqualTo(expected.get(column));
        }
        // The headline in tonnes: the same grams, shifted.
        for (String[] figure :
                new String[][] {
                    {"location_based", "scope2-location_tco2e", "location_gco2e"},
                    {"market_based_hourly_matching", "scope2-market_tco2e", "market_gco2e"}
                }) {
            BigDecimal grams = BigDecimal.ZERO;
            for (LedgerEntry e : rows)
                grams =
                        grams.add(
                                new BigDecimal(
                                        figure[2].equals("location_gco2e")
                                                ? e.getLocationGco2e()
                                                : e.getMarketGco2e()));
            String tonnes =
                    grams.divide(BigDecimal.valueOf(1_000_000))
                            .setScale(6, RoundingMode.HALF_UP)
                            .toPlainString();
            assertThat(jsonNumber(json.path("scope2_tco2e").path(figure[0]))).isEqualTo(tonnes);
            assertThat(html.getElementById(figure[1]).text()).isEqualTo(tonnes);
        }
    }

    @Test
    void perDatacenterAndPerOrganisationTotalsAgreeEverywhere() throws Exception {
        Path a = OUT.resolve("breakdowns");
        assertThat(report(a).code()).isZero();
        JsonNode json = summary(a);
        Document html = html(a);
        List<String> shown =
                List.of(
                        "rows",
                        "facility_kwh",
                        "location_gco2e",
                        "market_gco2e",
                        "matched_kwh",
                        "unmatched_kwh",
                        "surplus_kwh",
                        "water_l",
                        "embodied_gco2e",
                        "sci_gco2e");
        for (JsonNode dc : json.path("by_datacenter")) {
            String id = dc.path("datacenter_id").asText();
            Map<String, String> expected =
                    expectedTotals(expectedRows(e -> e.getDatacenterId().equals(id)));
            Map<String, String> csv = csvTotals(a, "datacenter", id);
            for (String column : expected.keySet()) {
                assertThat(csv.get(column))
                        .as(id + " csv " + column)
                        .isEqualTo(expected.get(column));
                assertThat(jsonNumber(dc.path(column)))
                        .as(id + " json " + column)
                        .isEqualTo(expected.get(column));
            }
            for (String column : shown) {
                Element cell =
                        html.selectFirst(
                                "td[data-datacenter='" + id + "'][data-field='" + column + "']");
                assertThat(cell).as(id + " " + column).isNotNull();
                assertThat(cell.text()).as(id + " html " + column).isEqualTo(expected.get(column));
            }
        }
        assertThat(json.path("by_datacenter")).hasSize(3);
        Map<String, String> acme =
                expectedTotals(expectedRows(e -> "acme".equals(e.getOrganisation())));
        assertThat(csvTotals(a, "organisation", "acme")).isEqualTo(acme);
        assertThat(html.selectFirst("td[data-organisation=acme][data-field=market_gco2e]").text())
                .isEqualTo(acme.get("market_gco2e"));
        assertThat(json.path("by_organisation").get(0).path("organisation").asText())
                .isEqualTo("acme");
        assertThat(jsonNumber(json.path("by_organisation").get(1).path("location_gco2e")))
                .isEqualTo(
                        expectedTotals(expectedRows(e -> "beta".equals(e.getOrganisation())))
                                .get("location_gco2e"));
    }

    @Test
    void ledgerCsvHoldsTheRowsUsedAndModelsTheirLines() throws Exception {
        Path a = OUT.resolve("rows");
        assertThat(report(a).code()).isZero();
        List<LedgerEntry> rows =
                expectedRows(e -> true).stream()
                        .sorted(
                                java.util.Comparator.comparing(LedgerEntry::getHourStart)
                                        .thenComparing(LedgerEntry::getDatacenterId))
                        .toList();
        List<String> lines = Files.readAllLines(a.resolve("ledger.csv"));
        assertThat(lines).hasSize(rows.size() + 1);
        List<String> header = List.of(lines.get(0).split(","));
        assertThat(header)
                .startsWith(
                        "hour_start",
                        "hour_end",
                        "datacenter_id",
                        "zone",
                        "organisation",
                        "revision")
                .contains(
                        "facility_kwh",
                        "mean_intensity_g_per_kwh",
                        "supplier_market_gco2e",
                        "residual_mix_source")
                // Columns added later go after the first release's last one, so positions a reader
                // already uses stay where they were.
                .endsWith(
                        "methodology",
                        "alternative_factor_type",
                        "location_gco2e_alternative",
                        "alternative_priced_share");
        int kwh = header.indexOf("facility_kwh");
        int market = header.indexOf("market_gco2e");
        BigDecimal sumOfPrinted = BigDecimal.ZERO;
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = lines.get(i + 1).split(",", -1);
            LedgerEntry e = rows.get(i);
            assertThat(cells[0]).isEqualTo(e.getHourStart().toString());
            assertThat(cells[2]).isEqualTo(e.getDatacenterId());
            assertThat(cells[5])
                    .isEqualTo("2"); // the final revision, never the first nor the aborted third
            assertThat(cells[kwh])
                    .isEqualTo(
                            new BigDecimal(e.getFacilityKwh())
                                    .setScale(6, RoundingMode.HALF_UP)
                                    .toPlainString());
            assertThat(cells[market])
                    .isEqualTo(
                            new BigDecimal(e.getMarketGco2e())
                                    .setScale(6, RoundingMode.HALF_UP)
                                    .toPlainString());
            sumOfPrinted = sumOfPrinted.add(new BigDecimal(cells[kwh]));
        }
        // The total is the exact sum rounded once: adding the printed rows lands within half a unit
        // of the last decimal per row.
        BigDecimal total = new BigDecimal(csvTotals(a, "all", "").get("facility_kwh"));
        assertThat(sumOfPrinted.subtract(total).abs())
                .isLessThanOrEqualTo(
                        new BigDecimal("0.0000005").multiply(BigDecimal.valueOf(rows.size())));

        List<String> models = Files.readAllLines(a.resolve("ledger-models.csv"));
        assertThat(models).hasSize(rows.stream().mapToInt(e -> e.getModels().size()).sum() + 1);
        assertThat(models.get(0))
                .isEqualTo(
                        "hour_start,datacenter_id,model_id,requests,input_tokens,output_tokens,images,media_seconds,"
                            + "facility_kwh,location_gco2e,embodied_gco2e,functional_unit,functional_units,sci_g_per_unit");
    }

    @Test
    void sciPerModelIsTheRatioOfTheSums() throws Exception {
        Path a = OUT.resolve("sci");
        assertThat(report(a).code()).isZero();
        Map<String, BigDecimal[]> byModel = new TreeMap<>();
        for (LedgerEntry e : expectedRows(x -> true)) {
            for (LedgerModelLine m : e.getModels()) {
                BigDecimal[] s =
                        byModel.computeIfAbsent(
                                m.getModelId() + "|" + m.getFunctionalUnit(),
                                k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
                s[0] =
                        s[0].add(new BigDecimal(m.getLocationGco2e()))
                                .add(new BigDecimal(m.getEmbodiedGco2e()));
                s[1] = s[1].add(new BigDecimal(m.getFunctionalUnits()));
            }
        }
        assertThat(byModel.keySet())
                .containsExactly("llama-3.1-70b|TOKENS_1K", "mistral-7b|TOKENS_1K", "sdxl|IMAGE");
        JsonNode sci = summary(a).path("sci_per_model");
        Document html = html(a);
        int i = 0;
        for (Map.Entry<String, BigDecimal[]> e : byModel.entrySet()) {
            String expected =
                    e.getValue()[0]
                            .divide(e.getValue()[1], 6, RoundingMode.HALF_UP)
                            .toPlainString();
            JsonNode node = sci.get(i++);
            assertThat(node.path("model_id").asText() + "|" + node.path("functional_unit").asText())
                    .isEqualTo(e.getKey());
            assertThat(jsonNumber(node.path("sci_g_per_unit"))).as(e.getKey()).isEqualTo(expected);
            assertThat(
                            html.selectFirst(
                                            "tr[data-model='"
                                                    + e.getKey()
                                                    + "'] td[data-field=sci_g_per_unit]")
                                    .text())
                    .isEqualTo(expected);
        }
    }

    @Test
    void restatementsOfThePeriodAndTheLabelledAnnualMatching() throws Exception {
        Path a = OUT.resolve("restatements");
        assertThat(report(a, "--annual-matching").code()).isZero();
        JsonNode json = summary(a);
        assertThat(json.path("restatements"))
                .extracting(n -> n.path("correction_id").asText())
                .containsExactly(
                        inPeriod.stream().map(Restatement::getCorrectionId).toArray(String[]::new));
        assertThat(json.path("restatements").get(0).path("status").asText())
                .isEqualTo("PARTIALLY_APPLIED");
        assertThat(jsonNumber(json.path("restatements").get(1).path("new_value")))
                .isEqualTo("243.500000");
        Document html = html(a);
        assertThat(html.select("#restatements tbody tr")).hasSize(2);
        assertThat(html.select("#restatements tbody tr").get(1).text())
                .contains("INTENSITY", "US-CAL-CISO", "210.000000", "243.500000", "APPLIED");

        JsonNode annual = json.path("annual_matching");
        assertThat(annual.path("label").asText())
                .startsWith("ANNUAL MATCHING (GHG Protocol Scope 2 Guidance, 2015)");
        assertThat(annual.path("primary").asBoolean()).isFalse();
        // Independent: per datacenter (one year here), matched = min(load, certificates) over the
        // period.
        BigDecimal matched = BigDecimal.ZERO;
        for (String dc : DATACENTERS) {
            List<LedgerEntry> rows = expectedRows(e -> e.getDatacenterId().equals(dc));
            BigDecimal load =
                    rows.stream()
                            .map(e -> new BigDecimal(e.getFacilityKwh()))
                            .reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal certificates =
                    rows.stream()
                            .map(e -> new BigDecimal(e.getCertificateKwh()))
                            .reduce(BigDecimal.ZERO, BigDecimal::add);
            matched = matched.add(load.min(certificates));
        }
        assertThat(jsonNumber(annual.path("totals").path("matched_kwh")))
                .isEqualTo(matched.setScale(6, RoundingMode.HALF_UP).toPlainString());
        assertThat(jsonNumber(annual.path("totals").path("market_gco2e_hourly")))
                .isEqualTo(jsonNumber(json.path("totals").path("market_gco2e")));
        assertThat(html.getElementById("annual-matching").text())
                .contains("ANNUAL MATCHING", "not the primary figure");
    }

    @Test
    void aFilteredReportWithoutAnnualMatchingSaysNothingOfIt() throws Exception {
        Path a = OUT.resolve("us-west");
        ReportCommandTest.Run run = report(a, "--datacenter", "dc-us-west-1");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = summary(a);
        assertThat(json.has("annual_matching")).isFalse();
        assertThat(json.path("filters").path("datacenters"))
                .extracting(JsonNode::asText)
                .containsExactly("dc-us-west-1");
        Map<String, String> expected =
                expectedTotals(expectedRows(e -> e.getDatacenterId().equals("dc-us-west-1")));
        assertThat(csvTotals(a, "all", "")).isEqualTo(expected);
        Document html = html(a);
        assertThat(html.getElementById("annual-matching")).isNull();
        assertThat(html.getElementById("total-market_gco2e").text())
                .isEqualTo(expected.get("market_gco2e"));
        // Only the restatement of its zone; the German registry change is not about it.
        assertThat(json.path("restatements")).hasSize(1);
    }

    @Test
    void theHtmlPageIsSelfContained() throws Exception {
        Path a = OUT.resolve("self-contained");
        assertThat(report(a, "--annual-matching").code()).isZero();
        String page = Files.readString(a.resolve("report.html"));
        Document html = Jsoup.parse(page);
        assertThat(html.select("script, link, img, iframe, object, embed, [src], [href]"))
                .isEmpty();
        assertThat(page).doesNotContain("url(", "@import");
        // The only address is the SVG namespace, which nothing fetches.
        assertThat(page.replace("http://www.w3.org/2000/svg", ""))
                .doesNotContain("http:", "https:");
        assertThat(html.select("svg"))
                .hasSize(3 + 1 + 1); // one chart per datacenter, matched/unmatched, SCI bars
        assertThat(html.title()).contains("2026-12-01T00:00:00Z to 2026-12-02T00:00:00Z");
        assertThat(html.getElementById("legend").text())
                .contains("market_gco2e", "residual mix", "SCI");
    }

    @Test
    void badInputsSayWhatIsWrong() {
        ReportCommandTest.Run halfHour =
                ReportCommandTest.run(
                        "--bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--from",
                        "2026-12-01T00:30:00Z",
                        "--to",
                        TO.toString(),
                        "--out",
                        OUT.resolve("never").toString());
        assertThat(halfHour.code()).isEqualTo(2);
        assertThat(halfHour.err()).contains("--from must be a whole UTC hour");
        ReportCommandTest.Run noTopic =
                report(OUT.resolve("never"), "--ledger-topic", "no-such-topic");
        assertThat(noTopic.code()).isEqualTo(1);
        assertThat(noTopic.err())
                .contains(
                        "carbonstream-report: topic no-such-topic does not exist on "
                                + kafka.bootstrapServers());
        assertThat(Files.exists(OUT.resolve("never"))).isFalse();
    }
}
