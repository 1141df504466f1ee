package io.carbonstream.generator;

import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Deterministic traffic of a simulated AI inference fleet: inference events and grid intensity
 * updates in the order they would be published, each with its simulated publish instant. No Kafka,
 * no clock: the same {@link GeneratorSettings} always yield the same records, so a test or a
 * benchmark can regenerate exactly what the demo sent.
 *
 * <p>What it simulates:
 *
 * <ul>
 *   <li>requests as a Poisson process whose rate follows the daily load curve of each datacenter's
 *       local time; a little out-of-order (event time up to 3.5 s before the publish instant), a
 *       few stragglers and late requests published many minutes after they ran;
 *   <li>per zone, an update every 5 or 15 simulated minutes, first estimated, then corrected 2-8
 *       minutes later (same zone and valid_from, estimated=false); spikes; one zone's feed silent
 *       for hours;
 *   <li>with {@link GeneratorSettings#certificates()}, the hourly deliveries of a solar and a wind
 *       PPA ({@link Certificates});
 *   <li>with {@link GeneratorSettings#gpuCounters()}, the energy counters of one datacenter's GPUs,
 *       read every 10 s, and the GPU ids of the requests that ran on them ({@link GpuCounters}).
 * </ul>
 *
 * With an {@link IntensityReplay}, its zone gets the recorded day of a real API instead of
 * simulated updates.
 */
public final class TrafficGenerator implements Iterable<GeneratedRecord> {

    static final String SOURCE =
            "carbonstream-demo synthetic (levels: Electricity Maps 2024 via domain.md)";

    private final GeneratorSettings settings;
    private final IntensityReplay replay;

    public TrafficGenerator(GeneratorSettings settings) {
        this(settings, null);
    }

    /**
     * @param replay a recorded day published instead of the simulated updates of its zone; null =
     *     none
     */
    public TrafficGenerator(GeneratorSettings settings, IntensityReplay replay) {
        this.settings = settings;
        this.replay = replay;
    }

    public GeneratorSettings settings() {
        return settings;
    }

    /** The recorded day replayed for its zone, or null. */
    public IntensityReplay replay() {
        return replay;
    }

    public Fleet fleet() {
        return settings.fleet();
    }

    /**
     * The registry entries of the fleet, as published on the registry topic. Emission budgets are
     * set relative to each datacenter's expected emission rate at the configured request rate, so
     * that a budget alert fires at daily peaks and spikes, whatever --rate is.
     */
    public List<Datacenter> registry() {
        List<Datacenter> out = new ArrayList<>();
        double totalWeight =
                fleet().datacenters().stream().mapToDouble(DatacenterSpec::trafficWeight).sum();
        double gPerRequest = expectedGramsPerRequest();
        for (DatacenterSpec d : fleet().datacenters()) {
            Double budget = null;
            if (d.budgetShare() > 0) {
                double requestsPerHour =
                        settings.requestsPerSimSecond() * 3600 * d.trafficWeight() / totalWeight;
                double expected = requestsPerHour * gPerRequest * d.pue() * d.zone().mean() / 300.0;
                budget = Math.max(1.0, Math.round(expected * d.budgetShare() * 10) / 10.0);
            }
            out.add(
                    Datacenter.newBuilder()
                            .setDatacenterId(d.id())
                            .setZone(d.zone().id())
                            .setPue(d.pue())
                            .setWueLPerKwh(d.wueLPerKwh())
                            .setItOverhead(d.itOverhead())
                            .setEmissionBudgetGPerHour(budget)
                            .setMarketFactorGPerKwh(d.marketFactorGPerKwh())
                            .setOrganisation(Fleet.ORGANISATION)
                            .build());
        }
        return out;
    }

    /**
     * Rough fleet-average gCO2e per request at 300 g/kWh, PUE 1, IT overhead 1.75: to scale
     * budgets.
     */
    private double expectedGramsPerRequest() {
        return expectedGpuJoulesPerRequest(fleet()) * 1.75 / 3.6e6 * 300;
    }

    /**
     * Rough GPU joules of an average request of the fleet's model mix (medians of the draws): to
     * scale budgets.
     */
    static double expectedGpuJoulesPerRequest(Fleet fleet) {
        double joules = 0;
        for (var e : RequestFactory.MIX.entrySet()) {
            List<ModelSpec> ms = fleet.models(e.getKey());
            if (ms.isEmpty()) continue;
            double pop = ms.stream().mapToDouble(ModelSpec::popularity).sum();
            for (ModelSpec m : ms) {
                double unit =
                        switch (m.modality()) {
                            case TEXT -> m.medianOutput() * 1.5;
                            case EMBEDDING -> 250 * 1.5;
                            case IMAGE -> 1.4;
                            default -> m.medianOutput();
                        };
                joules += e.getValue() * m.popularity() / pop * m.joulesPerUnit() * unit;
            }
        }
        return joules;
    }

    /**
     * A datacenter's facility energy in an hour of average load (the daily load curve averages
     * out), at the request rate in effect at {@code t}: what the demo's PPAs are sized against.
     */
    public double meanFacilityKwhPerHour(DatacenterSpec d, long t) {
        double totalWeight =
                fleet().datacenters().stream().mapToDouble(DatacenterSpec::trafficWeight).sum();
        double requestsPerHour =
                settings.requestsPerSimSecondAt(t) * 3600 * d.trafficWeight() / totalWeight;
        double overhead = d.itOverhead() != null ? d.itOverhead() : 1.75;
        return requestsPerHour * meanGpuJoulesPerRequest() * overhead * d.pue() / 3.6e6;
    }

    private double meanGpuJoules = Double.NaN;

    /**
     * Mean GPU energy of a request of the fleet's model mix, heavy tails (long videos) included:
     * the mean of 200,000 draws of a fixed stream, computed once.
     */
    synchronized double meanGpuJoulesPerRequest() {
        if (Double.isNaN(meanGpuJoules)) {
            RequestFactory f = new RequestFactory(fleet(), 0x6d65616eL);
            double sum = 0;
            int n = 200_000;
            long t = settings.start().toEpochMilli();
            for (int i = 0; i < n; i++) {
                f.next(t);
                sum += f.lastJoules();
            }
            meanGpuJoules = sum / n;
        }
        return meanGpuJoules;
    }

    /**
     * The PPA deliveries of this generator's fleet and settings (published only with {@link
     * GeneratorSettings#certificates()}).
     */
    public Certificates certificates() {
        return new Certificates(this);
    }

    /**
     * A fresh model of the metered GPU pool of this generator's fleet (used only with {@link
     * GeneratorSettings#gpuCounters()}).
     */
    public GpuCounters gpuCounters() {
        return new GpuCounters(fleet(), settings.seed(), settings.start().toEpochMilli());
    }

    /** Every record, forever, in publish order. Each call starts again from the beginning. */
    @Override
    public Iterator<GeneratedRecord> iterator() {
        return new Run();
    }

    /**
     * Records up to and including the {@code requests}-th published request, then only intensity
     * updates (and pending corrections) for {@code drain} of simulated time, so that a job's
     * watermark passes the last request and every window closes. Requests still held back as late
     * at that point are never published.
     */
    public Iterator<GeneratedRecord> bounded(long requests, Duration drain) {
        if (requests < 1) throw new IllegalArgumentException("requests must be >= 1");
        Run run = new Run();
        return new Iterator<>() {
            long published;
            long drainEnd = Long.MAX_VALUE;
            GeneratedRecord next = advance();

            private GeneratedRecord advance() {
                while (true) {
                    GeneratedRecord r = run.next();
                    if (r.publishAtMs() > drainEnd) return null;
                    if (r.isRequest()) {
                        if (published >= requests) continue;
                        if (++published == requests) {
                            drainEnd = r.publishAtMs() + drain.toMillis();
                            // No request is published after this one: draw none, so that the GPU
                            // counters
                            // read no energy of a request the job never sees.
                            run.stopRequests();
                        }
                    }
                    return r;
                }
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public GeneratedRecord next() {
                if (next == null) throw new NoSuchElementException();
                GeneratedRecord r = next;
                next = advance();
                return r;
            }
        };
    }

    /** The first {@code n} requests in publish order (for benchmarks and tests). */
    public List<InferenceEvent> requests(int n) {
        List<InferenceEvent> out = new ArrayList<>(n);
        for (Iterator<GeneratedRecord> it = iterator(); out.size() < n; ) {
            GeneratedRecord r = it.next();
            if (r.isRequest()) out.add(r.event());
        }
        return out;
    }

    /**
     * All records up to the {@code n}-th request and the drain after it: what {@link #bounded}
     * yields.
     */
    public List<GeneratedRecord> records(long n, Duration drain) {
        List<GeneratedRecord> out = new ArrayList<>();
        bounded(n, drain).forEachRemaining(out::add);
        return out;
    }

    /**
     * One pass of the simulation: merges arrivals, zone ticks and held-back records by publish
     * time.
     */
    private final class Run implements Iterator<GeneratedRecord> {
        private final RequestFactory requests = new RequestFactory(fleet(), settings.seed());
        private final SplittableRandom arrivals = Seeds.stream(settings.seed(), "arrivals");
        private final List<ZoneGrid> grids = new ArrayList<>();
        private final PriorityQueue<Held> held =
                new PriorityQueue<>(
                        Comparator.comparingLong(Held::publishAt).thenComparingLong(Held::seq));
        private final long start = settings.start().toEpochMilli();
        private final long catchUp =
                settings.catchUpAt() == null ? Long.MAX_VALUE : settings.catchUpAt().toEpochMilli();
        private final Iterator<GeneratedRecord> replayed =
                replay == null ? null : replay.records(start);
        private GeneratedRecord nextReplayed;
        private final Certificates.Schedule certificates =
                settings.certificates() ? certificates().schedule(start) : null;
        private final GpuCounters gpus = settings.gpuCounters() ? gpuCounters() : null;
        private final java.util.ArrayDeque<GeneratedRecord> readings = new java.util.ArrayDeque<>();

        /** The next arrival's millisecond: its event and publish instants derive from it. */
        private long nextArrival;

        /**
         * The next arrival exactly, in nanoseconds since the start: the simulated clock of the
         * arrivals. Gaps add up here, not in whole milliseconds, so event time advances at the
         * configured rate at any rate (at 60,000 requests per second a gap is 1/60 ms).
         */
        private long sinceStartNs;

        private long heldSeq;

        Run() {
            long seed = settings.seed();
            Zone spiky = null;
            for (Zone z : simulated())
                if (spiky == null || z.spikesPerDay() > spiky.spikesPerDay()) spiky = z;
            Zone silent = null;
            if (settings.silentZone()) {
                silent =
                        fleet().zones().stream()
                                .filter(z -> z.id().equals(Zones.IN_WE.id()))
                                .findFirst()
                                .orElse(fleet().zones().get(fleet().zones().size() - 1));
            }
            for (Zone z : simulated())
                grids.add(new ZoneGrid(z, seed, start, z == spiky, z == silent));
            if (replayed != null) nextReplayed = replayed.next();
            advanceArrival(start);
        }

        /**
         * Draws no more requests (those drawn and held back are skipped by the caller). Other
         * records are unchanged.
         */
        void stopRequests() {
            nextArrival = Long.MAX_VALUE;
        }

        /** The zones whose updates are simulated: all but the replayed one. */
        private List<Zone> simulated() {
            return fleet().zones().stream()
                    .filter(z -> replay == null || !z.id().equals(replay.zone()))
                    .toList();
        }

        /**
         * Draws the gap to the next arrival, at the rate in effect at {@code t} (the rate changes
         * slowly against the gaps).
         */
        private void advanceArrival(long t) {
            sinceStartNs += gapNs(t);
            nextArrival = start + Math.floorDiv(sinceStartNs, NS_PER_MS);
        }

        /** Exponential inter-arrival at the rate in effect at {@code t}, in nanoseconds. */
        private long gapNs(long t) {
            double perSecond =
                    (t >= catchUp
                                    ? settings.requestsPerSimSecondAfterCatchUp()
                                    : settings.requestsPerSimSecond())
                            * requests.load(t);
            return Math.round(arrivals.nextExponential() * 1e9 / perSecond);
        }

        @Override
        public boolean hasNext() {
            return true;
        }

        @Override
        public GeneratedRecord next() {
            if (!readings.isEmpty()) return readings.poll();
            while (true) {
                ZoneGrid due = null;
                for (ZoneGrid g : grids)
                    if (due == null || g.nextValidFrom < due.nextValidFrom) due = g;
                long tickAt = due == null ? Long.MAX_VALUE : Math.max(start, due.nextValidFrom);
                long heldAt = held.isEmpty() ? Long.MAX_VALUE : held.peek().publishAt();
                long replayAt = nextReplayed == null ? Long.MAX_VALUE : nextReplayed.publishAtMs();
                // Certificates and GPU readings (off by default) go when strictly first: with them
                // off, or on, the
                // other records come in the same order as without them.
                long first = Math.min(Math.min(tickAt, heldAt), Math.min(replayAt, nextArrival));
                long certificateAt = certificates == null ? Long.MAX_VALUE : certificates.nextAt();
                long readingsAt = gpus == null ? Long.MAX_VALUE : gpus.nextPublishAt();
                if (certificateAt < first && certificateAt <= readingsAt) {
                    GeneratedRecord c = certificates.poll();
                    if (c != null) return c;
                    continue;
                }
                if (readingsAt < first) {
                    readings.addAll(gpus.takeReadings());
                    if (!readings.isEmpty()) return readings.poll();
                    continue;
                }
                if (heldAt <= tickAt && heldAt <= nextArrival && heldAt <= replayAt)
                    return held.poll().record();
                if (replayAt <= tickAt && replayAt <= nextArrival) {
                    GeneratedRecord r = nextReplayed;
                    nextReplayed = replayed.next();
                    return r;
                }
                if (tickAt <= nextArrival) {
                    ZoneGrid.Tick t = due.tick();
                    if (t.silent()) continue;
                    held.add(
                            new Held(
                                    tickAt + t.correctionDelayMs(),
                                    heldSeq++,
                                    update(
                                            due.zone,
                                            t.validFrom(),
                                            t.measured(),
                                            t.marginal(),
                                            false,
                                            tickAt + t.correctionDelayMs())));
                    return update(
                            due.zone, t.validFrom(), t.estimate(), t.marginal(), true, tickAt);
                }
                long arrival = nextArrival;
                advanceArrival(arrival);
                double u = arrivals.nextDouble();
                // Most requests reach Kafka within a few seconds, slightly out of order.
                long jitter = Math.min(3_500, Math.round(arrivals.nextExponential() * 300));
                long delay = 0;
                if (u < settings.lateShare()) {
                    delay = Math.round(Seeds.uniform(arrivals, 20, 45) * ZoneGrid.MINUTE);
                } else if (u < settings.lateShare() + settings.stragglerShare()) {
                    delay = Math.round(Seeds.uniform(arrivals, 11, 16) * ZoneGrid.MINUTE);
                }
                long eventTime = Math.max(start, arrival - jitter);
                InferenceEvent e = requests.next(eventTime);
                if (gpus != null) {
                    InferenceEvent placed = gpus.place(e, requests.lastJoules());
                    // The metered pool's requests are all on time: each reaches the job before its
                    // GPUs' intervals
                    // are final, so the attribution sees every request that drew energy there.
                    if (placed != e) delay = 0;
                    e = placed;
                }
                GeneratedRecord r =
                        new GeneratedRecord(
                                GeneratedRecord.Kind.REQUEST, arrival + delay, e.getRequestId(), e);
                if (delay == 0) return r;
                held.add(new Held(arrival + delay, heldSeq++, r));
            }
        }

        private GeneratedRecord update(
                Zone z,
                long validFrom,
                double g,
                Double marginal,
                boolean estimated,
                long publishAt) {
            IntensityUpdate u =
                    IntensityUpdate.newBuilder()
                            .setZone(z.id())
                            .setValidFrom(Instant.ofEpochMilli(validFrom))
                            .setCarbonIntensity(g)
                            .setMarginalIntensity(marginal)
                            .setEstimated(estimated)
                            .setSource(SOURCE)
                            .setEmissionFactorType("lifecycle")
                            .build();
            return new GeneratedRecord(GeneratedRecord.Kind.INTENSITY, publishAt, z.id(), u);
        }
    }

    private static final long NS_PER_MS = 1_000_000L;

    private record Held(long publishAt, long seq, GeneratedRecord record) {}
}
