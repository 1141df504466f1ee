package io.carbonstream.demo.generator;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;

/**
 * One record to publish, at a simulated instant, on the events or the intensity topic.
 *
 * @param kind which topic it belongs to
 * @param publishAtMs simulated instant it is published (>= its event time / valid_from)
 * @param key the topic key: request_id or zone
 * @param value an {@link InferenceEvent} or an {@link IntensityUpdate}
 */
public record GeneratedRecord(Kind kind, long publishAtMs, String key, SpecificRecord value) {

    public enum Kind {
        REQUEST,
        INTENSITY
    }

    public boolean isRequest() {
        return kind == Kind.REQUEST;
    }

    public InferenceEvent event() {
        return (InferenceEvent) value;
    }

    public IntensityUpdate intensity() {
        return (IntensityUpdate) value;
    }

    public byte[] keyBytes() {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** The value in the wire format of every carbonstream topic: plain Avro binary. */
    public byte[] valueBytes() {
        return AvroCodec.encodeOne(value);
    }
}
