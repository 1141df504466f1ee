package io.carbonstream.energy;

/**
 * Turns GPU energy into facility energy and water for one datacenter.
 *
 * <p>facility J = GPU J x IT overhead x PUE. The defaults 1.75 x 1.15 ~ 2.0 reproduce the "double
 * the GPU energy" rule of the MIT Technology Review method (GPUs are about half of a server's
 * draw). Water = facility kWh / PUE x on-site WUE + facility kWh x off-site factor.
 */
public final class FacilityFactors {

    public static final double DEFAULT_IT_OVERHEAD = 1.75;
    public static final double DEFAULT_PUE = 1.15;
    public static final double JOULES_PER_KWH = 3.6e6;

    private FacilityFactors() {}

    public static double facilityJoules(double gpuJoules, double itOverhead, double pue) {
        return gpuJoules * itOverhead * pue;
    }

    public static double facilityKwh(double gpuJoules, double itOverhead, double pue) {
        return facilityJoules(gpuJoules, itOverhead, pue) / JOULES_PER_KWH;
    }

    public static double waterLitres(
            double facilityKwh, double pue, double wueOnSite, double offSiteLPerKwh) {
        return facilityKwh / pue * wueOnSite + facilityKwh * offSiteLPerKwh;
    }
}
