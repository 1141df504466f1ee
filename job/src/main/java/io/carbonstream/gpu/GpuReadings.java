package io.carbonstream.gpu;

import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.Rejection;
import io.carbonstream.ingest.Validator;
import io.carbonstream.otlp.SpanMapping;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.RecordBatch;

/**
 * GPU energy counters in the shapes exporters publish, one Kafka record holding many readings: a
 * Prometheus text scrape (dcgm-exporter, Triton) or an OTLP/JSON ExportMetricsServiceRequest (the
 * OpenTelemetry Collector's Kafka exporter). Plain Java, unit tested without Flink.
 *
 * <p>Of each record, only the series of the known energy counters are readings; every other series
 * (a scrape has hundreds) is passed over and counted. A reading that cannot be used (no GPU id, no
 * datacenter, NaN, negative) is a dead letter of its own whose value is that reading alone (its
 * line, or its point as OTLP/JSON); a record that does not parse, or has no energy counter at all,
 * is one dead letter with its bytes.
 */
public final class GpuReadings implements Serializable {

    /** Which shape the GPU energy topic carries (--gpu-energy.format). */
    public enum Format {
        AVRO,
        PROMETHEUS_TEXT,
        OTLP_JSON
    }

    /** How a GPU is named, as requests name it in gpu_ids (--gpu-energy.gpu-id). */
    public enum GpuIdSource {
        UUID,
        HOST_INDEX
    }

    /** The energy counters read, with the unit each exporter documents. */
    public static final Map<String, String> METRICS =
            Map.of(
                    "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
                            "mJ", // dcgm-exporter: mJ since the driver loaded, labels gpu, UUID,
                    // Hostname
                    "nv_energy_consumption", "J"); // Triton: J since Triton started, label gpu_uuid

    /** Labels holding a GPU's UUID: dcgm-exporter's, then Triton's. */
    static final List<String> UUID_LABELS = List.of("UUID", "gpu_uuid");

    /** dcgm-exporter's device index label. */
    static final String INDEX_LABEL = "gpu";

    /** The OpenTelemetry resource convention for a host, tried after the configured host label. */
    static final String OTEL_HOST = "host.name";

    /**
     * A pseudo-label: the record's key as UTF-8, for rules when the scrape itself says nothing of
     * where it was taken (Triton labels only gpu_uuid; a scraper can key each scrape by its
     * target). Prometheus reserves names starting with __, so no exporter's label can be called
     * this.
     */
    public static final String KAFKA_KEY_LABEL = "__kafka_key__";

    /**
     * @param datacenterLabel label (or point/resource attribute) whose value is the datacenter id
     * @param rules tried in order when that label is absent: label=glob->datacenter
     * @param gpuId the id a reading gets: its UUID, or host:index
     * @param hostLabel the label naming the host for host:index ids (then host.name)
     */
    public record Settings(
            Format format,
            String datacenterLabel,
            List<SpanMapping.Rule> rules,
            GpuIdSource gpuId,
            String hostLabel)
            implements Serializable {}

    /**
     * What one record gave: readings and dead letters (in record order), and the series passed
     * over.
     */
    public record Outcome(List<GpuInput> inputs, int readings, int otherSeries) {}

    private final Settings settings;

    public GpuReadings(Settings settings) {
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /** The readings of one record; never throws. */
    public Outcome read(ConsumerRecord<byte[], byte[]> rec, Validator validator, long nowMs) {
        List<GpuInput> out = new ArrayList<>();
        if (rec.value() == null)
            return one(rec, Reason.NULL_VALUE, "tombstone on the GPU energy topic");
        int readings = 0;
        int other;
        if (settings.format() == Format.PROMETHEUS_TEXT) {
            List<PrometheusText.Sample> samples;
            try {
                samples = PrometheusText.parse(utf8(rec.value()));
            } catch (IOException e) {
                return one(
                        rec,
                        Reason.UNDECODABLE,
                        "not a Prometheus text scrape (--gpu-energy.format PROMETHEUS_TEXT): "
                                + e.getMessage());
            }
            other = 0;
            for (PrometheusText.Sample s : samples) {
                String unit = METRICS.get(s.name());
                if (unit == null) {
                    other++;
                    continue;
                }
                readings++;
                // A line without a timestamp was read when the scrape was: the time its record was
                // written.
                Long time =
                        s.timestampMs() != null
                                ? s.timestampMs()
                                : rec.timestamp() == RecordBatch.NO_TIMESTAMP
                                        ? null
                                        : rec.timestamp();
                String problem =
                        time == null
                                ? "the line has no timestamp and its record none either"
                                : null;
                Reason reason = time == null ? Reason.MISSING_FIELD : Reason.INVALID_VALUE;
                out.add(
                        reading(
                                rec,
                                validator,
                                nowMs,
                                s.name(),
                                s.labels()::get,
                                s.value(),
                                unit,
                                time == null ? 0 : time,
                                reason,
                                problem,
                                s.text().getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            OtlpMetricPoints.Result r;
            try {
                r = OtlpMetricPoints.parse(rec.value(), METRICS::containsKey);
            } catch (IOException | RuntimeException e) {
                return one(
                        rec,
                        Reason.UNDECODABLE,
                        "not an OTLP/JSON ExportMetricsServiceRequest (--gpu-energy.format"
                                + " OTLP_JSON): "
                                + e.getMessage());
            }
            other = r.otherPoints();
            for (OtlpMetricPoints.Point p : r.points()) {
                readings++;
                // The unit the metric declares, when it is an energy unit, else the one its
                // exporter documents.
                // (case-sensitive, as UCUM units are: MJ would be megajoules, not mJ).
                String unit =
                        Set.of("J", "mJ", "Wh", "kWh").contains(p.unit())
                                ? p.unit()
                                : METRICS.get(p.metric());
                out.add(
                        reading(
                                rec,
                                validator,
                                nowMs,
                                p.metric(),
                                p.attributes()::get,
                                p.value(),
                                unit,
                                p.timeUnixNano() / 1_000_000L,
                                Reason.INVALID_VALUE,
                                p.problem(),
                                p.json()));
            }
        }
        if (readings == 0) {
            return one(
                    rec,
                    Reason.NO_ENERGY_SAMPLE,
                    "no "
                            + String.join(" or ", new java.util.TreeSet<>(METRICS.keySet()))
                            + " in this record ("
                            + other
                            + " other series): is the exporter publishing its energy counter?");
        }
        return new Outcome(out, readings, other);
    }

    private GpuInput reading(
            ConsumerRecord<byte[], byte[]> rec,
            Validator validator,
            long nowMs,
            String metric,
            Function<String, String> labels,
            double value,
            String unit,
            long time,
            Reason reason,
            String problem,
            byte[] alone) {
        Function<String, String> label =
                l ->
                        KAFKA_KEY_LABEL.equals(l)
                                ? (rec.key() == null
                                        ? null
                                        : new String(rec.key(), StandardCharsets.UTF_8))
                                : labels.apply(l);
        if (problem != null) return reject(rec, reason, metric + ": " + problem, alone);
        String gpu = gpuId(label);
        if (gpu == null) {
            return reject(
                    rec,
                    Reason.MISSING_FIELD,
                    metric
                            + " has no "
                            + (settings.gpuId() == GpuIdSource.UUID
                                    ? "GPU UUID label (" + String.join(", ", UUID_LABELS) + ")"
                                    : "host ("
                                            + settings.hostLabel()
                                            + ", "
                                            + OTEL_HOST
                                            + ") or device index ("
                                            + INDEX_LABEL
                                            + ") label")
                            + ": which GPU read it is unknown (--gpu-energy.gpu-id "
                            + settings.gpuId()
                            + ")",
                    alone);
        }
        String dc = datacenter(label);
        if (dc == null) {
            return reject(
                    rec,
                    Reason.UNMAPPED_DATACENTER,
                    "GPU "
                            + gpu
                            + ": no "
                            + settings.datacenterLabel()
                            + " label and no rule of --gpu-energy.datacenter-rules matches its"
                            + " labels; add the label to the exporter (or the scrape/collector"
                            + " config) or a rule such as Hostname=gpu-node-*-><datacenter id>",
                    alone);
        }
        for (String[] f : new String[][] {{"gpu id", gpu}, {"datacenter", dc}}) {
            Rejection why = validator.text(f[0], f[1]);
            if (why != null) return reject(rec, why.reason(), metric + ": " + why.message(), alone);
        }
        if (!(value >= 0) || Double.isInfinite(value)) {
            return reject(
                    rec,
                    Reason.INVALID_VALUE,
                    metric + " of GPU " + gpu + " is " + value + ", not a counter value >= 0",
                    alone);
        }
        Rejection late = validator.checkTime(time, nowMs);
        if (late != null)
            return reject(
                    rec, late.reason(), metric + " of GPU " + gpu + ": " + late.message(), alone);
        GpuSample g = new GpuSample();
        g.gpuId = gpu;
        g.datacenterId = dc;
        g.time = time;
        g.cumulativeJ = value * GpuSampleDecoder.joulesPer(unit);
        g.sourceTopic = rec.topic();
        g.sourcePartition = rec.partition();
        g.sourceOffset = rec.offset();
        g.sourceTimestamp = rec.timestamp();
        g.key = rec.key();
        g.value = alone;
        return GpuInput.of(g);
    }

    String gpuId(Function<String, String> label) {
        if (settings.gpuId() == GpuIdSource.UUID) {
            for (String l : UUID_LABELS) {
                String v = label.apply(l);
                if (v != null && !v.isBlank()) return v;
            }
            return null;
        }
        String host = label.apply(settings.hostLabel());
        if (host == null || host.isBlank()) host = label.apply(OTEL_HOST);
        String index = label.apply(INDEX_LABEL);
        if (host == null || host.isBlank() || index == null || !index.strip().matches("[0-9]{1,9}"))
            return null;
        return host + ":" + Integer.parseInt(index.strip());
    }

    String datacenter(Function<String, String> label) {
        String direct = label.apply(settings.datacenterLabel());
        if (direct != null && !direct.isBlank()) return direct;
        for (SpanMapping.Rule rule : settings.rules()) {
            String v = label.apply(rule.attribute());
            if (v != null && rule.matches(v)) return rule.datacenterId();
        }
        return null;
    }

    private static String utf8(byte[] b) throws IOException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text");
        }
    }

    private static GpuInput reject(
            ConsumerRecord<byte[], byte[]> rec, Reason reason, String message, byte[] alone) {
        return GpuInput.rejected(
                DeadLetterRecord.of(
                        reason,
                        message,
                        rec.topic(),
                        rec.partition(),
                        rec.offset(),
                        rec.timestamp(),
                        rec.key(),
                        alone));
    }

    private static Outcome one(ConsumerRecord<byte[], byte[]> rec, Reason reason, String message) {
        DeadLetterRecord d = Decoders.deadLetter(rec, reason, message);
        return new Outcome(List.of(GpuInput.rejected(d)), 0, 0);
    }
}
