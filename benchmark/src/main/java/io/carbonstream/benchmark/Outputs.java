package io.carbonstream.benchmark;

import io.carbonstream.schema.Aggregate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.types.DataType;

/** Reads both systems' committed aggregates into one comparable shape and compares them. */
final class Outputs {

    private Outputs() {}

    /** One window of one dimension key. Key: kind|dimension|dc|model|windowStartMs. */
    static final class Row {
        long requests;
        double gpuJ, kwh, g, water;
        int revision;
    }

    /** The latest revision of every window key. */
    static Map<String, Row> carbonstream(String bootstrap, String topic) {
        Map<String, Row> out = new HashMap<>();
        SpecificDatumReader<Aggregate> reader = new SpecificDatumReader<>(Aggregate.class);
        BinaryDecoder[] dec = {null};
        KafkaUtil.readAll(
                bootstrap,
                topic,
                r -> {
                    dec[0] = DecoderFactory.get().binaryDecoder(r.value(), dec[0]);
                    Aggregate a;
                    try {
                        a = reader.read(null, dec[0]);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    String key =
                            key(
                                    a.getWindow().name(),
                                    a.getDimension().name(),
                                    a.getDatacenterId(),
                                    a.getModelId(),
                                    a.getWindowStart().toEpochMilli());
                    Row x = new Row();
                    x.requests = a.getRequests();
                    x.gpuJ = a.getGpuJoules();
                    x.kwh = a.getFacilityKwh();
                    x.g = a.getLocationGco2e();
                    x.water = a.getWaterL();
                    x.revision = a.getRevision();
                    out.merge(key, x, (o, n) -> n.revision > o.revision ? n : o);
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
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
        BinaryDecoder[] dec = {null};
        Map<String, Row> out = new HashMap<>();
        KafkaUtil.readAll(
                bootstrap,
                topic,
                r -> {
                    dec[0] = DecoderFactory.get().binaryDecoder(r.value(), dec[0]);
                    GenericRecord a;
                    try {
                        a = reader.read(null, dec[0]);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    String key =
                            key(
                                    str(a.get("window_kind")),
                                    str(a.get("dimension")),
                                    str(a.get("datacenter_id")),
                                    str(a.get("model_id")),
                                    (Long) a.get("window_start"));
                    Row x = new Row();
                    x.requests = (Long) a.get("requests");
                    x.gpuJ = (Double) a.get("gpu_joules");
                    x.kwh = (Double) a.get("facility_kwh");
                    x.g = (Double) a.get("location_gco2e");
                    x.water = (Double) a.get("water_l");
                    x.revision = 1;
                    if (out.put(key, x) != null)
                        throw new IllegalStateException(
                                "SQL peer emitted window " + key + " twice");
                });
        return out;
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
            if (c.requests != s.requests && diffs.size() < 60)
                diffs.add(e.getKey() + " requests " + c.requests + " vs " + s.requests);
            double[][] pairs = {{c.gpuJ, s.gpuJ}, {c.kwh, s.kwh}, {c.g, s.g}, {c.water, s.water}};
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
                h[0] += c.requests;
                h[1] += c.kwh;
                h[2] += c.g;
                h[3] += s.requests;
                h[4] += s.kwh;
                h[5] += s.g;
                tc[0] += c.requests;
                tc[1] += c.kwh;
                tc[2] += c.g;
                ts[0] += s.requests;
                ts[1] += s.kwh;
                ts[2] += s.g;
            }
        }
        return new Comparison(carbon.size(), sql.size(), compared, diffs, maxRel, hourly, tc, ts);
    }

    static double relDiff(double a, double b) {
        double scale = Math.max(Math.abs(a), Math.abs(b));
        return scale < 1e-12 ? 0 : Math.abs(a - b) / scale;
    }
}
