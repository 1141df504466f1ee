package io.carbonstream.demo.generator;

import io.carbonstream.generator.Fleet;
import io.carbonstream.generator.GeneratorSettings;
import io.carbonstream.generator.IntensityReplay;
import io.carbonstream.generator.Pacer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** What traffic to generate and how fast: options shared by the generator and the embedded run. */
public final class TrafficOptions {

    @Option(
            names = "--rate",
            defaultValue = "200",
            paramLabel = "REQ_PER_S",
            description =
                    "Mean requests per wall-clock second (the daily load curve swings it about"
                            + " +-45%%). Default: ${DEFAULT-VALUE}.")
    public double rate;

    @Option(
            names = "--speedup",
            defaultValue = "144",
            paramLabel = "X",
            description =
                    "Simulated seconds per wall second; 144 = a simulated day in 10 minutes."
                            + " Default: ${DEFAULT-VALUE}.")
    public double speedup;

    @Option(
            names = "--count",
            paramLabel = "N",
            description =
                    "Stop after N requests, then publish intensity for 30 more simulated minutes so"
                            + " that every window closes.")
    public Long count;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "Stop after this much wall time, e.g. 90s, 10m. Default: run until Ctrl-C.")
    public Duration duration;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Random seed: the same seed and options give the same records. Default:"
                            + " ${DEFAULT-VALUE}.")
    public long seed;

    @Option(
            names = "--start",
            paramLabel = "INSTANT",
            description =
                    "Simulated start, ISO-8601 (e.g. 2026-11-20T00:00:00Z). Default: far enough"
                        + " back that the run ends before simulated time reaches the wall clock."
                        + " Give it to reproduce a run byte for byte.")
    public Instant start;

    @Option(
            names = "--fleet-size",
            defaultValue = "8",
            paramLabel = "DATACENTERS",
            description =
                    "Datacenters (1-100; 10 or more use all 10 grid zones). Default:"
                            + " ${DEFAULT-VALUE}.")
    public int fleetSize;

    @Option(
            names = "--models",
            defaultValue = "16",
            paramLabel = "N",
            description =
                    "Models (1-34): 12 catalog models first, then ones the catalog does not know."
                            + " Default: ${DEFAULT-VALUE}.")
    public int models;

    @Option(
            names = "--no-late-data",
            description = "Publish every request on time (no stragglers, no late requests).")
    public boolean noLateData;

    @Option(
            names = "--intensity-replay",
            paramLabel = "FEED",
            converter = FeedConverter.class,
            description =
                    "Publish a recorded day of a real grid-intensity API instead of generated"
                        + " values for its zone, to see a real feed's shape. electricity-maps: zone"
                        + " DE, hourly, lifecycle, as the Electricity Maps connector (connectors/)"
                        + " maps the API's answers: source electricitymaps, each hour first an"
                        + " estimate (with its estimation method and updated_at), its measured"
                        + " value an hour or two later, so the job restates (RESTATEMENTS in the"
                        + " view). The recording is hand-written in the API's documented shape, not"
                        + " real data; the day is moved onto the simulated clock (hour of day kept)"
                        + " and repeats every simulated day. Needs a datacenter in DE (--fleet-size"
                        + " 3 or more).")
    public IntensityReplay.Feed intensityReplay;

    /** --intensity-replay's value: a recorded feed by its label (electricity-maps). */
    public static final class FeedConverter
            implements CommandLine.ITypeConverter<IntensityReplay.Feed> {
        @Override
        public IntensityReplay.Feed convert(String value) {
            try {
                return IntensityReplay.Feed.of(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * A run's settings and clock mapping, fixed at its start, and the recorded day replayed (null:
     * none).
     */
    public record Plan(GeneratorSettings settings, Pacer pacer, IntensityReplay replay) {
        public Plan(GeneratorSettings settings, Pacer pacer) {
            this(settings, pacer, null);
        }
    }

    public void validate() {
        if (!(rate > 0)) throw new IllegalArgumentException("--rate must be positive");
        if (!(speedup > 0 && speedup <= 100_000))
            throw new IllegalArgumentException("--speedup must be in (0, 100000]");
        if (count != null && count < 1)
            throw new IllegalArgumentException("--count must be at least 1");
        if (duration != null && (duration.isZero() || duration.isNegative()))
            throw new IllegalArgumentException("--duration must be positive");
        Fleet.standard(fleetSize, models); // throws with the allowed ranges
    }

    public Plan plan(long wallNow) {
        validate();
        Instant simStart = start != null ? start : defaultStart(wallNow);
        if (simStart.toEpochMilli() > wallNow) {
            throw new IllegalArgumentException(
                    "--start "
                            + simStart
                            + " is in the future: event times must not lead the wall clock");
        }
        Pacer pacer = new Pacer(simStart.toEpochMilli(), wallNow, speedup);
        // The demo's PPA deliveries and GPU counters (the generate command turns the counters off
        // without a topic for them).
        GeneratorSettings s =
                GeneratorSettings.of(seed, simStart, rate / speedup)
                        .withFleet(Fleet.standard(fleetSize, models))
                        .withCertificates(true)
                        .withGpuCounters(true);
        if (noLateData) s = s.withoutLateData();
        if (pacer.catchUpInstant() != Long.MAX_VALUE) {
            // Once simulated time is the wall clock, one simulated second is one wall second.
            s = s.withCatchUp(Instant.ofEpochMilli(pacer.catchUpInstant()), rate);
        }
        IntensityReplay replay = null;
        if (intensityReplay != null) {
            replay = IntensityReplay.load(intensityReplay);
            String zone = replay.zone();
            if (s.fleet().zones().stream().noneMatch(z -> z.id().equals(zone))) {
                throw new IllegalArgumentException(
                        "--intensity-replay "
                                + intensityReplay.label()
                                + " replays zone "
                                + zone
                                + ", and no datacenter of this fleet is in it: raise --fleet-size");
            }
        }
        return new Plan(s, pacer, replay);
    }

    /**
     * Start early enough that the planned run ends before simulated time catches up with the wall
     * clock.
     */
    private Instant defaultStart(long wallNow) {
        double wallSeconds;
        if (count != null)
            wallSeconds =
                    count / rate * 1.3 + GeneratorSettings.defaultDrain().toSeconds() / speedup;
        else if (duration != null) wallSeconds = duration.toMillis() / 1000.0;
        else wallSeconds = 20 * 60; // open-ended: 20 accelerated minutes, then real time
        double simSeconds = Math.min(30 * 86_400.0, wallSeconds * Math.max(0, speedup - 1));
        Instant s = Instant.ofEpochMilli(wallNow - (long) (simSeconds * 1000));
        return s.truncatedTo(ChronoUnit.HOURS).isBefore(s) ? s.truncatedTo(ChronoUnit.HOURS) : s;
    }
}
