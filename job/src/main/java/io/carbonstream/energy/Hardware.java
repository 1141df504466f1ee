package io.carbonstream.energy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * The hardware a request runs on, for its share of embodied emissions (the M of the SCI): the
 * manufacturing emissions of a GPU and of its server's share, spread over their service life, and
 * charged to a request by the GPU time it took.
 *
 * <p>GPU time is the request's GPU energy over an average draw, not its wall-clock duration times
 * its GPUs: requests are batched, and the per-request energy is already the request's share of the
 * batch, whereas every request of a batch would claim the whole GPU for its duration.
 */
public record Hardware(
        @JsonProperty("gpu_embodied_kg") double gpuEmbodiedKg,
        @JsonProperty("server_embodied_kg") double serverEmbodiedKg,
        @JsonProperty("gpus_per_server") int gpusPerServer,
        @JsonProperty("service_life_years") double serviceLifeYears,
        @JsonProperty("average_gpu_watts") double averageGpuWatts,
        @JsonProperty("source") String source)
        implements Serializable {

    private static final double SECONDS_PER_YEAR = 365.25 * 86_400;

    /** Embodied grams charged per joule of GPU energy. */
    public double embodiedGPerGpuJoule() {
        double gPerGpuSecond =
                (gpuEmbodiedKg + serverEmbodiedKg / gpusPerServer)
                        * 1000.0
                        / (serviceLifeYears * SECONDS_PER_YEAR);
        return gPerGpuSecond / averageGpuWatts;
    }

    void check(String origin) {
        if (!(gpuEmbodiedKg >= 0)
                || !(serverEmbodiedKg >= 0)
                || gpusPerServer <= 0
                || !(serviceLifeYears > 0)
                || !(averageGpuWatts > 0)) {
            throw new IllegalArgumentException(
                    "Catalog "
                            + origin
                            + ": hardware needs gpu_embodied_kg >= 0, server_embodied_kg >= 0,"
                            + " gpus_per_server > 0, service_life_years > 0 and average_gpu_watts >"
                            + " 0");
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException(
                    "Catalog "
                            + origin
                            + ": hardware has no source: every figure needs its provenance");
        }
    }
}
