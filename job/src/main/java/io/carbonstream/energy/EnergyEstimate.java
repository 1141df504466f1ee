package io.carbonstream.energy;

/** GPU energy of one request and where the figure came from. */
public record EnergyEstimate(double gpuJoules, Provenance provenance) {}
