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

    /** FORECAST_SPIKE only (null otherwise): start of the forecast spike minus eventTime, ms. */
    public Long leadTimeMs;

    /** FORECAST_SPIKE only: the datacenter's projected emissions over the horizon, g. */
    public Double projectedG;

    /**
     * FORECAST_SPIKE only: what moving the load to {@link #alternativeZone} would avoid over the
     * horizon, g (>= 0).
     */
    public Double avoidableG;

    /** FORECAST_SPIKE only: the cleanest other zone of the registry over the horizon, or null. */
    public String alternativeZone;

    public AlertRecord() {}

    /**
     * A state change of one episode (its id from kind, subject and start); the figures are the
     * caller's to fill.
     */
    public AlertRecord(
            AlertKind kind, String subject, boolean raised, long eventTime, long startedAt) {
        this.kind = kind;
        this.subject = subject;
        this.raised = raised;
        this.eventTime = eventTime;
        this.startedAt = startedAt;
        this.alertId = id(kind, subject, startedAt);
    }

    /** Deterministic: the same episode after a restart or a replay has the same id. */
    public static String id(AlertKind kind, String subject, long startedAt) {
        return kind + ":" + subject + ":" + java.time.Instant.ofEpochMilli(startedAt);
    }

    @Override
    public String toString() {
        return (raised ? "RAISED " : "CLEARED ")
                + alertId
                + " value="
                + value
                + " threshold="
                + threshold
                + " extra="
                + extraGPerHour;
    }
}
