package io.carbonstream.energy;

import java.util.Objects;

/**
 * One served inference request as the job sees it after decoding. A Flink POJO (public fields,
 * no-arg constructor) so that it travels without Kryo.
 */
public class InferenceRequest {
    public String requestId;
    public long eventTime;
    public String datacenterId;
    public String modelId;
    public Modality modality;
    public long inputTokens;
    public long outputTokens;
    public int images;

    /** 0 means the catalog's reference step count. */
    public int diffusionSteps;

    public double mediaSeconds;
    public int gpuCount;
    public long durationMs;

    /** Null when the server did not measure. */
    public Double measuredGpuJoules;

    /** Null when unknown; used for models missing from the catalog. */
    public Double activeParamsB;

    /** The GPUs it ran on, as their energy counters name them; null or empty: not known. */
    public String[] gpuIds;

    /** Kafka coordinates of the record this request was decoded from, for late-event reports. */
    public int sourcePartition;

    public long sourceOffset;
    public long sourceTimestamp;

    /** The record's Kafka key, returned as is with a late event or dead letter. */
    public byte[] sourceKey;

    /**
     * The topic it was read from when not the events topic (OTLP spans); null: the events topic.
     */
    public String sourceTopic;

    public InferenceRequest() {}

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof InferenceRequest r)) return false;
        return eventTime == r.eventTime
                && inputTokens == r.inputTokens
                && outputTokens == r.outputTokens
                && images == r.images
                && diffusionSteps == r.diffusionSteps
                && Double.compare(mediaSeconds, r.mediaSeconds) == 0
                && gpuCount == r.gpuCount
                && durationMs == r.durationMs
                && Objects.equals(requestId, r.requestId)
                && Objects.equals(datacenterId, r.datacenterId)
                && Objects.equals(modelId, r.modelId)
                && modality == r.modality
                && Objects.equals(measuredGpuJoules, r.measuredGpuJoules)
                && Objects.equals(activeParamsB, r.activeParamsB)
                && java.util.Arrays.equals(
                        gpuIds == null || gpuIds.length == 0 ? null : gpuIds,
                        r.gpuIds == null || r.gpuIds.length == 0 ? null : r.gpuIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, eventTime, datacenterId, modelId);
    }

    @Override
    public String toString() {
        return "InferenceRequest{"
                + requestId
                + " t="
                + eventTime
                + " dc="
                + datacenterId
                + " model="
                + modelId
                + " "
                + modality
                + "}";
    }
}
