package io.carbonstream.gpu;

import io.carbonstream.output.Encoders;
import io.carbonstream.schema.GpuAttribution;
import io.carbonstream.schema.GpuAttributionType;
import java.time.Instant;

/** gpu-attribution records, keyed by kind, subject and hour on a compacted topic. */
public final class GpuAttributionEncoder
        extends Encoders.AvroOutput<GpuAttributionRecord, GpuAttribution> {

    public GpuAttributionEncoder(String topic) {
        super(
                topic,
                GpuAttribution.class,
                GpuAttributionEncoder::toAvro,
                r -> Encoders.utf8(r.kafkaKey()),
                r -> Encoders.nonNegative(r.hourStart + GpuAttributor.HOUR));
    }

    static GpuAttribution toAvro(GpuAttributionRecord r) {
        return GpuAttribution.newBuilder()
                .setRecordType(GpuAttributionType.valueOf(r.type))
                .setHourStart(Instant.ofEpochMilli(r.hourStart))
                .setDatacenterId(r.datacenterId)
                .setGpuId(r.gpuId)
                .setModelId(r.modelId)
                .setRevision(r.revision)
                .setMeteredJ(r.meteredJ)
                .setAttributedJ(r.attributedJ)
                .setIdleJ(r.idleJ)
                .setEstimatedJ(r.estimatedJ)
                .setMeteredToEstimated(r.meteredToEstimated())
                .setRequests(r.requests)
                .setPartlyUnmetered(r.partlyUnmetered)
                .setGpus(r.gpus)
                .setResets(r.resets)
                .setGaps(r.gaps)
                .setImplausibleIntervals(r.implausible)
                .build();
    }
}
