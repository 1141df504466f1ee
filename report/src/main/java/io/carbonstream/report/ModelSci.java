package io.carbonstream.report;

import io.carbonstream.schema.LedgerModelLine;
import java.math.BigDecimal;

/**
 * The SCI of one model over the period, per its functional unit: (sum of location_gco2e + sum of
 * embodied_gco2e) / sum of functional units. A ratio of sums, not a mean of hourly ratios, so that
 * an hour with a handful of requests weighs what it served. A model whose rows name two units (it
 * generated images in some hours only) gets one line per unit: units of different kinds do not add.
 */
public final class ModelSci {

    public final String modelId;
    public final String functionalUnit;
    private long hours;
    private long requests;
    private long inputTokens;
    private long outputTokens;
    private long images;
    private BigDecimal mediaSeconds = BigDecimal.ZERO;
    private BigDecimal facilityKwh = BigDecimal.ZERO;
    private BigDecimal locationGco2e = BigDecimal.ZERO;
    private BigDecimal embodiedGco2e = BigDecimal.ZERO;
    private BigDecimal functionalUnits = BigDecimal.ZERO;

    public ModelSci(String modelId, String functionalUnit) {
        this.modelId = modelId;
        this.functionalUnit = functionalUnit;
    }

    public ModelSci add(LedgerModelLine line) {
        hours++;
        requests = Math.addExact(requests, line.getRequests());
        inputTokens = Math.addExact(inputTokens, line.getInputTokens());
        outputTokens = Math.addExact(outputTokens, line.getOutputTokens());
        images = Math.addExact(images, line.getImages());
        mediaSeconds = mediaSeconds.add(Decimals.exact(line.getMediaSeconds()));
        facilityKwh = facilityKwh.add(Decimals.exact(line.getFacilityKwh()));
        locationGco2e = locationGco2e.add(Decimals.exact(line.getLocationGco2e()));
        embodiedGco2e = embodiedGco2e.add(Decimals.exact(line.getEmbodiedGco2e()));
        functionalUnits = functionalUnits.add(Decimals.exact(line.getFunctionalUnits()));
        return this;
    }

    /** Datacenter-hours with a line of this model and unit. */
    public long hours() {
        return hours;
    }

    public long requests() {
        return requests;
    }

    public long inputTokens() {
        return inputTokens;
    }

    public long outputTokens() {
        return outputTokens;
    }

    public long images() {
        return images;
    }

    public BigDecimal mediaSeconds() {
        return mediaSeconds;
    }

    public BigDecimal facilityKwh() {
        return facilityKwh;
    }

    public BigDecimal locationGco2e() {
        return locationGco2e;
    }

    public BigDecimal embodiedGco2e() {
        return embodiedGco2e;
    }

    public BigDecimal functionalUnits() {
        return functionalUnits;
    }

    /** O + M. */
    public BigDecimal sciGco2e() {
        return locationGco2e.add(embodiedGco2e);
    }

    /** SCI per functional unit; 0 without units, as the ledger's own sci_g_per_unit. */
    public BigDecimal sciPerUnit() {
        return Decimals.ratio(sciGco2e(), functionalUnits);
    }
}
