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
        return new SourceRecord(
                partition,
                offset,
                topic,
                null,
                Schema.BYTES_SCHEMA,
                u.getZone().getBytes(StandardCharsets.UTF_8),
                Schema.BYTES_SCHEMA,
                AvroWire.encode(u),
                null);
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
        return new SourceRecord(
                partition,
                offset,
                topic,
                null,
                Schema.BYTES_SCHEMA,
                key.getBytes(StandardCharsets.UTF_8),
                Schema.BYTES_SCHEMA,
                AvroWire.encode(f),
                null);
    }
}
