package io.carbonstream.connect.common;

import io.carbonstream.schema.IntensityForecast;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * SourceRecords in carbonstream's topic formats: key and value are bytes (run the connector with
 * Connect's ByteArrayConverter for both), the value plain Avro binary. IntensityUpdate is keyed by
 * zone; IntensityForecast by zone|signal|valid_from (epoch ms), as its schema says, so a compacted
 * forecasts topic keeps the newest forecast of each interval. The record timestamp is left to the
 * producer (the time of publication): a correction of a value from three months ago must not be
 * timestamped three months back, or a time-based retention deletes it at once.
 */
public final class IntensityRecords {
    private IntensityRecords() {}

    public static SourceRecord update(
            Map<String, ?> partition, Map<String, ?> offset, String topic, IntensityUpdate u) {
        return record(partition, offset, topic, u.getZone(), AvroWire.encode(u));
    }

    public static SourceRecord forecast(
            Map<String, ?> partition, Map<String, ?> offset, String topic, IntensityForecast f) {
        String key =
                f.getZone()
                        + "|"
                        + f.getSignal()
                        + "|"
                        + f.getEmissionFactorType()
                        + "|"
                        + f.getValidFrom().toEpochMilli();
        return record(partition, offset, topic, key, AvroWire.encode(f));
    }

    /** Key and value as bytes, no partition chosen (the key's hash), no timestamp (see above). */
    private static SourceRecord record(
            Map<String, ?> partition,
            Map<String, ?> offset,
            String topic,
            String key,
            byte[] value) {
        return new SourceRecord(
                partition,
                offset,
                topic,
                null,
                Schema.BYTES_SCHEMA,
                key.getBytes(StandardCharsets.UTF_8),
                Schema.BYTES_SCHEMA,
                value,
                null);
    }
}
