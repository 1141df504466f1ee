package io.carbonstream.alert;

/** One alert state change. A Flink POJO (arrays, not lists: no Kryo). */
public class AlertRecord {
    public String alertId;
    public AlertKind kind;
    public boolean raised;
    public String subject;
    public long eventTime;
    public long startedAt;
    public double value;
    /** Null for budget alerts. */
    public Double baseline;
    public double threshold;
    public double extraGPerHour;
    public String[] datacenters = new String[0];
    public double[] kwhPerMinute = new double[0];
    public String message;

    public AlertRecord() {}

    /** Deterministic: the same episode after a restart or a replay has the same id. */
    public static String id(AlertKind kind, String subject, long startedAt) {
        return kind + ":" + subject + ":" + java.time.Instant.ofEpochMilli(startedAt);
    }

    @Override
    public String toString() {
        return (raised ? "RAISED " : "CLEARED ") + alertId + " value=" + value + " threshold=" + threshold + " extra=" + extraGPerHour;
    }
}
