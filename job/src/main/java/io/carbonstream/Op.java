package io.carbonstream;

/**
 * Stable uids (savepoint compatibility: never change one) and readable names (web UI, metrics) of
 * every operator, so that the topology reads as a list.
 */
public enum Op {
    EVENTS_SOURCE("events-source", "Kafka: inference events"),
    INTENSITY_SOURCE("intensity-source", "Kafka: grid intensity"),
    REGISTRY_SOURCE("registry-source", "Kafka: datacenter registry"),
    OTLP_SOURCE("otlp-source", "Kafka: OpenTelemetry spans"),
    OTLP_VALID("otlp-valid", "GenAI spans mapped to requests"),
    OTLP_REJECTED("otlp-rejected", "GenAI spans that could not be mapped"),
    OTLP_DEDUPE("otlp-dedupe", "One span, one request (re-delivered batches)"),
    REQUEST_INTAKE("request-intake", "Decode, validate, GPU energy"),
    INTENSITY_INTAKE("intensity-intake", "Intensity intake"),
    REGISTRY_INTAKE("registry-intake", "Registry intake"),
    ACCOUNTING_SIGNAL("accounting-signal", "Average signal of the accounting emission-factor type"),
    PRICE_PANES(
            "price-panes",
            "As-of registry and intensity join, 1-minute panes per (datacenter, model),"
                    + " restatements"),
    LIVE_PANES("live-panes", "Panes without restatements, for alerts"),
    FAN_OUT("fan-out", "Pane to datacenter / model / (datacenter, model)"),
    WINDOWS("windows", "Minute, rolling hour, hour windows"),
    INTENSITY_READINGS("intensity-readings", "Intensity readings for alerts"),
    SPIKE_ALERTS("spike-alerts", "Grid spike alerts per zone"),
    BUDGET_ALERTS("budget-alerts", "Emission budget alerts per datacenter"),
    AGGREGATES_SINK("aggregates-sink", "Kafka: aggregates"),
    ALERTS_SINK("alerts-sink", "Kafka: alerts"),
    DEAD_LETTERS_SINK("dead-letters-sink", "Kafka: dead letters"),
    LATE_SINK("late-events-sink", "Kafka: late events"),
    RESTATEMENTS_SINK("restatements-sink", "Kafka: restatements"),
    CERTIFICATES_SOURCE("certificates-source", "Kafka: certificates"),
    CERTIFICATE_INTAKE("certificate-intake", "Certificate intake"),
    LEDGER_HOURS(
            "ledger-hours", "Hourly aggregates of datacenters and their models, for the ledger"),
    LEDGER("ledger", "Hourly ledger: certificate matching per zone and hour"),
    LEDGER_SINK("ledger-sink", "Kafka: ledger"),
    MARGINAL_READINGS("marginal-readings", "Marginal intensity readings for alerts (never priced)"),
    MARGINAL_SPIKE_ALERTS("marginal-spike-alerts", "Marginal-intensity spike alerts per zone"),
    FORECASTS_SOURCE("forecasts-source", "Kafka: intensity forecasts"),
    FORECAST_INTAKE("forecast-intake", "Forecast intake"),
    FORECAST_SIGNAL(
            "forecast-signal",
            "Forecasts of the average signal of the accounting emission-factor type"),
    FORECAST_ALERTS("forecast-alerts", "Forecast early warnings per datacenter"),
    ALERT_KINDS("alert-kinds", "Alert kinds this deployment emits"),
    GPU_ENERGY_SOURCE("gpu-energy-source", "Kafka: GPU energy counters"),
    GPU_SAMPLE_INTAKE("gpu-sample-intake", "GPU counter reading intake"),
    GPU_USES("gpu-uses", "Requests on their GPUs' timelines"),
    GPU_ATTRIBUTION("gpu-attribution", "Metered GPU energy split over requests, per GPU"),
    GPU_CALIBRATION("gpu-calibration", "Metered vs estimated per datacenter and model hour"),
    GPU_ATTRIBUTION_SINK("gpu-attribution-sink", "Kafka: GPU attribution"),
    GPU_WAIT_SPLIT("gpu-wait-split", "Requests that wait for their metered energy, apart"),
    GPU_PIECES("gpu-pieces", "Metered energy of waiting requests, per GPU"),
    GPU_RECOMBINE(
            "gpu-recombine", "Requests priced with their metered energy (watermark held back)"),
    ALTERNATIVE_SIGNAL(
            "alternative-signal",
            "Average signal of the other emission-factor type (the alternative figure only)");

    public final String uid;
    public final String label;

    Op(String uid, String label) {
        this.uid = uid;
        this.label = label;
    }
}
