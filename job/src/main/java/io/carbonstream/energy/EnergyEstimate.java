package io.carbonstream.energy;

/**
 * GPU energy of one request and where the figure came from. {@code measurementRejected}: the
 * request carried a measurement that failed plausibility, and this is the estimate that replaced
 * it.
 */
public record EnergyEstimate(double gpuJoules, Provenance provenance, boolean measurementRejected) {

    public EnergyEstimate(double gpuJoules, Provenance provenance) {
        this(gpuJoules, provenance, false);
    }

    EnergyEstimate replacingRejectedMeasurement() {
        return new EnergyEstimate(gpuJoules, provenance, true);
    }
}
