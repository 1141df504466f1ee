package io.carbonstream.generator;

/**
 * One datacenter of the simulated fleet.
 *
 * @param id datacenter id, as in the registry and on every request
 * @param zone grid zone it draws from
 * @param pue power usage effectiveness
 * @param wueLPerKwh on-site water usage effectiveness, L per IT kWh
 * @param itOverhead server / GPU energy; null = the job's default (1.75)
 * @param marketFactorGPerKwh market-based factor after contractual instruments (PPA, GOs); null =
 *     none
 * @param budgetShare emission-rate budget as a share of the datacenter's expected mean emission
 *     rate (so the budget scales with --rate); 0 = no budget
 * @param trafficWeight relative share of the fleet's requests at equal local time of day
 * @param telemetryShare share of its requests that carry DCGM/NVML-measured GPU energy
 */
public record DatacenterSpec(
        String id,
        Zone zone,
        double pue,
        double wueLPerKwh,
        Double itOverhead,
        Double marketFactorGPerKwh,
        double budgetShare,
        double trafficWeight,
        double telemetryShare) {}
