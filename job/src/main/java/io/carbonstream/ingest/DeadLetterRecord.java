package io.carbonstream.ingest;

/**
 * An input record the job did not aggregate, with the reason and its Kafka coordinates. A Flink
 * POJO.
 */
public class DeadLetterRecord {
    public Reason reason;
    public String message;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestamp;
    public byte[] key;
    public byte[] value;

    /** The operator's watermark when it decided, for late events; null otherwise. */
    public Long watermark;

    public DeadLetterRecord() {}

    public static DeadLetterRecord of(
            Reason reason,
            String message,
            String topic,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value) {
        DeadLetterRecord d = new DeadLetterRecord();
        d.reason = reason;
        d.message = message;
        d.sourceTopic = topic;
        d.sourcePartition = partition;
        d.sourceOffset = offset;
        d.sourceTimestamp = timestamp;
        d.key = key;
        d.value = value;
        return d;
    }

    @Override
    public String toString() {
        return "DeadLetter{"
                + reason
                + " "
                + sourceTopic
                + "/"
                + sourcePartition
                + "@"
                + sourceOffset
                + ": "
                + message
                + "}";
    }
}
