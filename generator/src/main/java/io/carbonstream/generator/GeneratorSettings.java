package io.carbonstream.generator;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What to generate. Everything is in simulated (event) time: the generator has no clock; the Kafka
 * loop maps simulated time to wall time ({@link Pacer}).
 *
 * @param seed the same seed and settings give the same records, byte for byte
 * @param start first simulated instant (intensity updates valid from the interval start at or
 *     before it)
 * @param requestsPerSimSecond mean request rate over a day; the daily load curve modulates it
 * @param fleet datacenters, zones and models
 * @param catchUpAt simulated instant from which traffic runs in real time (the simulated clock
 *     caught up with the wall clock); null = never
 * @param requestsPerSimSecondAfterCatchUp mean rate from {@code catchUpAt} on
 * @param stragglerShare share of requests published 11-16 simulated minutes after they ran: behind
 *     the job's watermark, most within its allowed lateness (a window revision)
 * @param lateShare share of requests published 20-45 simulated minutes after they ran: beyond the
 *     allowed lateness, for the late-events topic
 * @param silentZone whether one zone (IN-WE if in the fleet) stops publishing for 2.5-3.3 hours a
 *     day
 * @param certificates whether to publish the demo's PPA deliveries ({@link Certificates}): off by
 *     default, so that a library user that knows only requests and intensity gets only those
 * @param gpuCounters whether one datacenter's GPUs have energy counters ({@link GpuCounters}): its
 *     requests then name their GPUs, and counter readings are published; off by default
 */
public record GeneratorSettings(
        long seed,
        Instant start,
        double requestsPerSimSecond,
        Fleet fleet,
        Instant catchUpAt,
        double requestsPerSimSecondAfterCatchUp,
        double stragglerShare,
        double lateShare,
        boolean silentZone,
        boolean certificates,
        boolean gpuCounters) {

    public GeneratorSettings {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(fleet, "fleet");
        if (!(requestsPerSimSecond > 0))
            throw new IllegalArgumentException("requestsPerSimSecond must be positive");
        if (catchUpAt != null && !(requestsPerSimSecondAfterCatchUp > 0)) {
            throw new IllegalArgumentException("requestsPerSimSecondAfterCatchUp must be positive");
        }
        if (stragglerShare < 0 || lateShare < 0 || stragglerShare + lateShare > 0.5) {
            throw new IllegalArgumentException("straggler and late shares must be in [0, 0.5]");
        }
    }

    /**
     * Defaults: default fleet, 0.3% stragglers, 0.2% late, one silent zone, no catch-up, no
     * certificates, no GPU counters.
     */
    public static GeneratorSettings of(long seed, Instant start, double requestsPerSimSecond) {
        return new GeneratorSettings(
                seed,
                start,
                requestsPerSimSecond,
                Fleet.defaultFleet(),
                null,
                0,
                0.003,
                0.002,
                true,
                false,
                false);
    }

    public GeneratorSettings withFleet(Fleet f) {
        return edit(b -> b.fleet = f);
    }

    public GeneratorSettings withCatchUp(Instant at, double ratePerSecondAfter) {
        return edit(
                b -> {
                    b.catchUpAt = at;
                    b.requestsPerSimSecondAfterCatchUp = ratePerSecondAfter;
                });
    }

    /** Only in-order, on-time requests (e.g. for a throughput benchmark). */
    public GeneratorSettings withoutLateData() {
        return edit(
                b -> {
                    b.stragglerShare = 0;
                    b.lateShare = 0;
                });
    }

    public GeneratorSettings withSilentZone(boolean on) {
        return edit(b -> b.silentZone = on);
    }

    /** With or without the PPA deliveries of {@link Certificates} (hourly, in event time). */
    public GeneratorSettings withCertificates(boolean on) {
        return edit(b -> b.certificates = on);
    }

    /**
     * With or without the GPU energy counters of {@link GpuCounters} (and GPU ids on the metered
     * datacenter's requests).
     */
    public GeneratorSettings withGpuCounters(boolean on) {
        return edit(b -> b.gpuCounters = on);
    }

    /**
     * A copy with some components changed: the withers name only what they change, so that a new
     * component is copied in one place (and the constructor's checks run on every copy).
     */
    private GeneratorSettings edit(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The components of a settings record, mutable while a wither changes some of them. */
    private static final class Copy {
        long seed;
        Instant start;
        double requestsPerSimSecond;
        Fleet fleet;
        Instant catchUpAt;
        double requestsPerSimSecondAfterCatchUp;
        double stragglerShare;
        double lateShare;
        boolean silentZone;
        boolean certificates;
        boolean gpuCounters;

        Copy(GeneratorSettings s) {
            seed = s.seed;
            start = s.start;
            requestsPerSimSecond = s.requestsPerSimSecond;
            fleet = s.fleet;
            catchUpAt = s.catchUpAt;
            requestsPerSimSecondAfterCatchUp = s.requestsPerSimSecondAfterCatchUp;
            stragglerShare = s.stragglerShare;
            lateShare = s.lateShare;
            silentZone = s.silentZone;
            certificates = s.certificates;
            gpuCounters = s.gpuCounters;
        }

        GeneratorSettings build() {
            return new GeneratorSettings(
                    seed,
                    start,
                    requestsPerSimSecond,
                    fleet,
                    catchUpAt,
                    requestsPerSimSecondAfterCatchUp,
                    stragglerShare,
                    lateShare,
                    silentZone,
                    certificates,
                    gpuCounters);
        }
    }

    /** Mean requests per simulated second at simulated instant t: the catch-up changes it. */
    public double requestsPerSimSecondAt(long t) {
        return catchUpAt != null && t >= catchUpAt.toEpochMilli()
                ? requestsPerSimSecondAfterCatchUp
                : requestsPerSimSecond;
    }

    /**
     * How long after the last request intensity must keep coming for the job to close every window.
     */
    public static Duration defaultDrain() {
        // One 15-minute update interval + allowed lateness (2 min) + a wide margin for a raised
        // intensity.out-of-orderness.
        return Duration.ofMinutes(30);
    }
}
