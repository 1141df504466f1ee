package io.carbonstream.ingest;

import io.carbonstream.energy.InferenceRequest;

/** What the request source emits: a valid request, or the dead letter it became. A Flink POJO. */
public class RequestEnvelope {
    public InferenceRequest request;
    public DeadLetterRecord rejected;

    public RequestEnvelope() {}

    public static RequestEnvelope valid(InferenceRequest r) {
        RequestEnvelope e = new RequestEnvelope();
        e.request = r;
        return e;
    }

    public static RequestEnvelope rejected(DeadLetterRecord d) {
        RequestEnvelope e = new RequestEnvelope();
        e.rejected = d;
        return e;
    }
}
