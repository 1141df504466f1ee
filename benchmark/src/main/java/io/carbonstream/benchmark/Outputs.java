package io.carbonstream.benchmark;

import io.carbonstream.schema.Aggregate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;

/** Reads both systems' committed aggregates into one comparable shape and compares them. */
final class Outputs {

    private Outputs() {}

    /** One window of one dimension key. Key: kind|dimension|dc|model|windowStartMs. */
    record Row(long requests, double gpuJ, double kwh, double g, double water, int revision) {}

    /** The latest revision of every window key. */
    static Map<String, Row> carbonstream(String bootstrap, String topic) {
        Map<String, Row> out = new HashMap<>();
        readAvro(
                bootstrap,
                topic,
                new SpecificDatumReader<>(Aggregate.class),
                (Aggregate a) -> {
                    String key =
                            key(
                                    a.getWindow().name(),
                                    a.getDimension().name(),
                                    a.getDatacenterId(),
                                    a.getModelId(),
                                    a.getWindowStart().toEpochMilli());
                    Row x =
                            new Row(
                                    a.getRequests(),
                                    a.getGpuJoules(),
                                    a.getFacilityKwh(),
                                    a.getLocationGco2e(),
                                    a.getWaterL(),
                                    a.getRevision());
                    out.merge(key, x, (o, n) -> n.revision() > o.revision() ? n : o);
                });
        return out;
    }

    /** Value columns of the SQL peer's sink, as declared in {@link SqlPeer}. */
    static DataType sqlValueType() {
        return DataTypes.ROW(
                        DataTypes.FIELD("window_kind", DataTypes.STRING()),
                                DataTypes.FIELD("dimension", DataTypes.STRING()),
                        DataTypes.FIELD("datacenter_id", DataTypes.STRING()),
                                DataTypes.FIELD("model_id", DataTypes.STRING()),
                        DataTypes.FIELD("window_start", DataTypes.TIMESTAMP(3)),
                                DataTypes.FIELD("window_end", DataTypes.TIMESTAMP(3)),
                        DataTypes.FIELD("requests", DataTypes.BIGINT()),
                                DataTypes.FIELD("input_tokens", DataTypes.BIGINT()),
                        DataTypes.FIELD("output_tokens", DataTypes.BIGINT()),
                                DataTypes.FIELD("images", DataTypes.BIGINT()),
                        DataTypes.FIELD("media_seconds", DataTypes.DOUBLE()),
                                DataTypes.FIELD("gpu_joules", DataTypes.DOUBLE()),
                        DataTypes.FIELD("measured_gpu_joules", DataTypes.DOUBLE()),
                                DataTypes.FIELD("facility_kwh", DataTypes.DOUBLE()),
                        DataTypes.FIELD("location_gco2e", DataTypes.DOUBLE()),
                                DataTypes.FIELD("market_gco2e", DataTypes.DOUBLE()),
                        DataTypes.FIELD("market_requests", DataTypes.BIGINT()),
                                DataTypes.FIELD("water_l", DataTypes.DOUBLE()),
                        DataTypes.FIELD("fallback_kwh", DataTypes.DOUBLE()),
                                DataTypes.FIELD("stale_kwh", DataTypes.DOUBLE()),
                        DataTypes.FIELD("min_intensity", DataTypes.DOUBLE()),
                                DataTypes.FIELD("max_intensity", DataTypes.DOUBLE()))
                .notNull();
    }

    static Map<String, Row> sql(String bootstrap, String topic) {
        Schema schema = AvroSchemaConverter.convertToSchema(sqlValueType().getLogicalType());
        Map<String, Row> out = new HashMap<>();
        readAvro(
                bootstrap,
                topic,
                new GenericDatumReader<GenericRecord>(schema),
                a -> {
                    String key =
                            key(
                                    str(a.get("window_kind")),
                                    str(a.get("dimension")),
                                    str(a.get("datacenter_id")),
                                    str(a.get("model_id")),
                                    (Long) a.get("window_start"));
                    Row x =
                            new Row(
                                    (Long) a.get("requests"),
                                    (Double) a.get("gpu_joules"),
                                    (Double) a.get("facility_kwh"),
                                    (Double) a.get("location_gco2e"),
                                    (Double) a.get("water_l"),
                                    1);
                    if (out.put(key, x) != null)
                        throw new IllegalStateException(
                                "SQL peer emitted window " + key + " twice");
                });
        return out;
    }

    /**
     * Decodes every record value of {@code topic} with {@code reader} (one decoder reused across
     * records) and hands each datum to {@code sink}.
     */
    private static <T> void readAvro(
            String bootstrap, String topic, DatumReader<T> reader, Consumer<T> sink) {
        BinaryDecoder[] dec = {null};
        KafkaUtil.readAll(
                bootstrap,
                topic,
                r -> {
                    dec[0] = DecoderFactory.get().binaryDecoder(r.value(), dec[0]);
                    T datum;
                    try {
                        datum = reader.read(null, dec[0]);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    sink.accept(datum);
                });
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }

    static String key(String kind, String dim, String dc, String model, long start) {
        return io.carbonstream.schema.Keys.aggregate(kind, dim, dc, model, start);
    }

    /** Outcome of comparing the two answers. */
    record Comparison(
            int carbonKeys,
            int sqlKeys,
            int compared,
            List<String> differences,
            double maxRelDiff,
            Map<String, double[]> hourlyByDatacenter,
            double[] totalsCarbon,
            double[] totalsSql) {
        boolean agree() {
            return differences.isEmpty();
        }
    }

    /**
     * Every window key of either side must exist on the other with the same request count and GPU
     * J, facility kWh, location gCO2e and water within {@code rel}.
     */
    static Comparison compare(Map<String, Row> carbon, Map<String, Row> sql, double rel) {
        List<String> diffs = new ArrayList<>();
        double maxRel = 0;
        int compared = 0;
        for (String k : carbon.keySet())
            if (!sql.containsKey(k) && diffs.size() < 20) diffs.add("only in carbonstream: " + k);
        for (String k : sql.keySet())
            if (!carbon.containsKey(k) && diffs.size() < 40) diffs.add("only in SQL: " + k);
        Map<String, double[]> hourly = new TreeMap<>();
        double[] tc = new double[3], ts = new double[3];
        for (Map.Entry<String, Row> e : carbon.entrySet()) {
            Row c = e.getValue();
            Row s = sql.get(e.getKey());
            if (s == null) continue;
            compared++;
            if (c.requests() != s.requests() && diffs.size() < 60)
                diffs.add(e.getKey() + " requests " + c.requests() + " vs " + s.requests());
            double[][] pairs = {
                {c.gpuJ(), s.gpuJ()}, {c.kwh(), s.kwh()}, {c.g(), s.g()}, {c.water(), s.water()}
            };
            String[] names = {"gpuJ", "kwh", "gCO2e", "water"};
            for (int i = 0; i < pairs.length; i++) {
                double d = relDiff(pairs[i][0], pairs[i][1]);
                maxRel = Math.max(maxRel, d);
                if (d > rel && diffs.size() < 60)
                    diffs.add(
                            e.getKey() + " " + names[i] + " " + pairs[i][0] + " vs " + pairs[i][1]);
            }
            if (e.getKey().startsWith("HOUR|DATACENTER|")) {
                String dc = e.getKey().split("\\|")[2];
                double[] h = hourly.computeIfAbsent(dc, x -> new double[6]);
                addHourly(h, 0, c);
                addHourly(h, 3, s);
                addHourly(tc, 0, c);
                addHourly(ts, 0, s);
            }
        }
        return new Comparison(carbon.size(), sql.size(), compared, diffs, maxRel, hourly, tc, ts);
    }

    /**
     * Adds a row's requests, facility kWh and location gCO2e to {@code sums} from {@code at} on.
     */
    private static void addHourly(double[] sums, int at, Row r) {
        sums[at] += r.requests();
        sums[at + 1] += r.kwh();
        sums[at + 2] += r.g();
    }

    static double relDiff(double a, double b) {
        double scale = Math.max(Math.abs(a), Math.abs(b));
        return scale < 1e-12 ? 0 : Math.abs(a - b) / scale;
    }
}
