package io.carbonstream.ingest;

/**
 * Why an input record was not aggregated: the reason code of dead-letter and late-event records.
 */
public enum Reason {
    /** Not Avro of the expected schema: random bytes, truncated, trailing bytes, wrong schema. */
    UNDECODABLE,
    /** A required field is empty. */
    MISSING_FIELD,
    /** Negative, NaN or infinite where a quantity is expected. */
    INVALID_VALUE,
    /** Beyond any real request (e.g. 10^12 tokens). */
    ABSURD_VALUE,
    /** A string longer than the configured maximum. */
    OVERSIZED_STRING,
    /** Event time too far ahead of the wall clock. */
    EVENT_TIME_IN_FUTURE,
    /** Event time before the configured floor. */
    EVENT_TIME_BEFORE_FLOOR,
    /** The datacenter is in neither the registry file nor the registry topic. */
    UNKNOWN_DATACENTER,
    /**
     * An OpenTelemetry GenAI span whose resource matches no datacenter mapping
     * (--otlp.datacenter-rules), or a GPU energy reading of an exporter with no datacenter label or
     * rule (--gpu-energy.datacenter-rules).
     */
    UNMAPPED_DATACENTER,
    /** The datacenter already has the configured maximum of distinct live models (state bound). */
    TOO_MANY_MODELS,
    /** A tombstone or value where the other was expected. */
    NULL_VALUE,
    /** Later than the allowed lateness of its windows (late-events topic). */
    LATE,
    /**
     * Framed with a schema id or fingerprint that could not be resolved (unknown id, registry
     * unreachable).
     */
    UNKNOWN_SCHEMA,
    /**
     * A certificate retired for a datacenter not in its grid boundary at its hour, or for an
     * organisation with no datacenter there.
     */
    CERTIFICATE_OUTSIDE_BOUNDARY,
    /** A certificate for an hour the ledger no longer keeps (--ledger.retention). */
    BEYOND_RETENTION,
    /**
     * A forecast whose valid_to is not after its valid_from, or whose interval is longer than a
     * day.
     */
    INVALID_INTERVAL,
    /**
     * A forecast for a time further ahead of its forecast_made_at than any feed forecasts
     * (Limits.MAX_FORECAST_LEAD_MS).
     */
    FORECAST_TOO_FAR_AHEAD,
    /**
     * A Prometheus scrape or OTLP metrics record on the GPU energy topic with no GPU energy counter
     * in it.
     */
    NO_ENERGY_SAMPLE
}
