package io.carbonstream.aggregate;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Provenance;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A valid request with its GPU energy, on its way to be priced (serialized by {@link
 * MeteredRequestSerializer}).
 */
@TypeInfo(MeteredRequestSerializer.Factory.class)
public class MeteredRequest {
    public InferenceRequest request;
    public double gpuJoules;
    public Provenance provenance;

    /**
     * The event's measured joules failed plausibility; gpuJoules is the estimate that replaced
     * them.
     */
    public boolean measurementRejected;

    public MeteredRequest() {}

    public MeteredRequest(InferenceRequest request, double gpuJoules, Provenance provenance) {
        this.request = request;
        this.gpuJoules = gpuJoules;
        this.provenance = provenance;
    }

    /** Key of the pricing stage: requests of one (datacenter, model) share a zone and a pane. */
    public static String key(String datacenterId, String modelId) {
        return datacenterId + '\u001f' + modelId;
    }
}
