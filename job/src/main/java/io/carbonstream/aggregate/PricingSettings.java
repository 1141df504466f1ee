package io.carbonstream.aggregate;

import io.carbonstream.energy.EnergyRange;
import io.carbonstream.energy.Provenance;
import io.carbonstream.intensity.IntensityPricer;
import java.io.Serializable;
import java.util.Map;

/**
 * Everything the pricing stage is configured with, in one record.
 *
 * @param allowedLatenessMs how far behind the watermark a request still updates its windows; a
 *     bounded run passes "unlimited" (every request of the period counts)
 * @param horizonMs how far behind the watermark a correction still re-prices emitted panes; 0:
 *     never
 * @param registryGraceMs how long (event time, past the request's) a request of an unknown
 *     datacenter waits for the registry before it is dead-lettered
 * @param energyRanges the low/high range of GPU energy by provenance (the catalog's)
 * @param embodiedGPerGpuJoule embodied emissions charged per joule of GPU energy (the catalog's
 *     hardware)
 * @param accountingFactorType the emission-factor type priced into the figures (lower case, as the
 *     intensity feed's records name it); the other type prices only the alternative figure
 */
public record PricingSettings(
        IntensityPricer pricer,
        long allowedLatenessMs,
        long horizonMs,
        long registryGraceMs,
        double defaultItOverhead,
        double offSiteWaterLPerKwh,
        String eventsTopic,
        int maxModelsPerDatacenter,
        Map<Provenance, EnergyRange> energyRanges,
        double embodiedGPerGpuJoule,
        String accountingFactorType)
        implements Serializable {

    /** Lateness of a bounded run: every request of the period counts, however far out of order. */
    public static final long UNLIMITED = Long.MAX_VALUE / 4;

    /** How long priced data must stay within reach: for late requests and for corrections. */
    public long retentionMs() {
        return Math.max(allowedLatenessMs, horizonMs);
    }
}
