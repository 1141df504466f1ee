package io.carbonstream.generator;

import io.carbonstream.schema.GpuEnergySample;
import io.carbonstream.schema.InferenceEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The energy counters of one datacenter's metered GPU pool, as NVIDIA DCGM exports them ({@code
 * DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION}: mJ since the driver started, per GPU), read every 10 s of
 * event time, and consistent with the requests the generator sends there.
 *
 * <p>The pool: {@value #HOSTS} hosts of {@value #GPUS_PER_HOST} GPUs in the fleet's first
 * datacenter (dc-us-west-1), GPU ids {@code <host>:<index>}. A request of that datacenter that runs
 * at most {@link #MAX_REQUEST_MS} is placed on a host and an aligned block of its {@code gpu_count}
 * GPUs (a model replica), and names them in {@code gpu_ids}; longer requests (long videos, huge
 * completions) run on the datacenter's other, unmetered GPUs. A metered request carries no {@code
 * measured_gpu_joules}: its energy is known through the counters only.
 *
 * <p>What a counter reads: every GPU draws its idle power (60-80 W, fixed per GPU) while its host
 * is up, and each request's GPU energy (the generator's true figure, before any rounding), split
 * equally over its GPUs, is drawn evenly over the request's span [event_time - duration_ms,
 * event_time). So the energy between two readings is exactly idle power x time + the requests'
 * energy in that stretch, up to the whole mJ a reading is rounded to; an attribution that splits
 * the counters over the requests has something true to recover.
 *
 * <p>Idle periods and a reboot: the third host serves only from 08:00 to 20:00 local time (scaled
 * in at night), so its GPUs idle all night; at demo rates most GPUs idle most of the time anyway.
 * The second host reboots {@link #REBOOT_AFTER_MS} after the start: the reading at that instant is
 * its last, it draws nothing for {@link #REBOOT_DOWN_MS}, its counters restart at 0 when it comes
 * back, the first reading follows 10 s later (energy since the restart), and the scheduler gives it
 * requests again 30 s after it is back.
 *
 * <p>Readings are published {@link #PUBLISH_LAG_MS} after they are taken: a reading must include
 * requests that started before it and end after it, which the generator draws only when they end.
 * (A real exporter publishes within seconds; the job orders by sample time either way.)
 */
public final class GpuCounters {

    public static final int HOSTS = 3;
    public static final int GPUS_PER_HOST = 8;
    public static final long SAMPLE_INTERVAL_MS = 10_000L;

    /**
     * Longest request the pool takes. With the generator's out-of-orderness (3.5 s) it stays under
     * the 2 min of --events.max-request-duration the demo gives the job: every request on a GPU
     * arrives before the GPU's intervals it ran in are final.
     */
    public static final long MAX_REQUEST_MS = 90_000L;

    /** Longer than {@link #MAX_REQUEST_MS} + the requests' out-of-orderness (3.5 s). */
    public static final long PUBLISH_LAG_MS = 100_000L;

    public static final long REBOOT_AFTER_MS = 10 * 60_000L;
    public static final long REBOOT_DOWN_MS = 3 * 60_000L;

    /**
     * After a reboot, the scheduler waits this long before it places requests on the host again.
     */
    static final long RESUME_AFTER_MS = 30_000L;

    public static final int REBOOT_HOST = 1;
    public static final int DAYTIME_HOST = 2;
    static final double DAY_FROM = 8;
    static final double DAY_TO = 20;
    public static final String UNIT = "mJ";

    private static final long DAY = 86_400_000L;
    private static final long HOUR = 3_600_000L;

    /** A request's share of one GPU: its span and the GPU energy it draws there. */
    private record Use(long start, long end, double joules) {}

    private static final class Gpu {
        final String id;
        final String host;
        final int hostIndex;
        final double idleWatts;
        double counterMj;
        final List<Use> uses = new ArrayList<>();

        Gpu(String id, String host, int hostIndex, double idleWatts, double counterMj) {
            this.id = id;
            this.host = host;
            this.hostIndex = hostIndex;
            this.idleWatts = idleWatts;
            this.counterMj = counterMj;
        }
    }

    private final String datacenterId;
    private final double utcOffsetHours;
    private final List<String> hosts = new ArrayList<>();
    private final List<Gpu> gpus = new ArrayList<>();
    private final Map<String, Gpu> byId = new LinkedHashMap<>();
    private final SplittableRandom placement;
    private final long firstSample;
    private final long rebootDownAt;
    private final long rebootUpAt;

    /** Next reading instant; readings before it have been taken. */
    private long nextSample;

    /** The pool in the fleet's first datacenter. */
    public GpuCounters(Fleet fleet, long seed, long startMs) {
        this(
                fleet.datacenters().get(0).id(),
                fleet.datacenters().get(0).zone().utcOffsetHours(),
                seed,
                startMs);
    }

    /**
     * @param utcOffsetHours the datacenter's local time, for the daytime host
     * @param startMs the first reading is at the first 10 s boundary at or after it
     */
    public GpuCounters(String datacenterId, double utcOffsetHours, long seed, long startMs) {
        this.datacenterId = datacenterId;
        this.utcOffsetHours = utcOffsetHours;
        this.placement = Seeds.stream(seed, "gpu-placement");
        SplittableRandom draw = Seeds.stream(seed, "gpu-counters");
        for (int h = 0; h < HOSTS; h++) {
            String host = datacenterId + "-gpu-" + (h + 1);
            hosts.add(host);
            for (int i = 0; i < GPUS_PER_HOST; i++) {
                double idle = Seeds.uniform(draw, 60, 80);
                // Energy since the driver started: days of uptime at a mixed draw.
                double sinceBootMj =
                        Seeds.uniform(draw, 3, 40) * 86_400 * Seeds.uniform(draw, 90, 200) * 1000;
                Gpu g = new Gpu(host + ":" + i, host, h, idle, Math.rint(sinceBootMj));
                gpus.add(g);
                byId.put(g.id, g);
            }
        }
        this.firstSample =
                Math.floorDiv(startMs + SAMPLE_INTERVAL_MS - 1, SAMPLE_INTERVAL_MS)
                        * SAMPLE_INTERVAL_MS;
        this.nextSample = firstSample;
        this.rebootDownAt = firstSample + REBOOT_AFTER_MS;
        this.rebootUpAt = rebootDownAt + REBOOT_DOWN_MS;
    }

    public String datacenterId() {
        return datacenterId;
    }

    public List<String> hosts() {
        return Collections.unmodifiableList(hosts);
    }

    public List<String> gpuIds() {
        return List.copyOf(byId.keySet());
    }

    /** The GPU's idle draw, W (the part of its counter no request explains). */
    public double idleWatts(String gpuId) {
        return byId.get(gpuId).idleWatts;
    }

    /** Last reading of the rebooting host before it goes down. */
    public long rebootDownAt() {
        return rebootDownAt;
    }

    /**
     * When the rebooted host is back, its counters restarted at 0 (no reading at this instant; the
     * next is 10 s later).
     */
    public long rebootUpAt() {
        return rebootUpAt;
    }

    /** Instant of the first reading. */
    public long firstSample() {
        return firstSample;
    }

    /**
     * Places a request of the pool's datacenter that fits ({@link #MAX_REQUEST_MS}, a host up and
     * serving for its whole span) on a block of GPUs and returns it naming them, without
     * measured_gpu_joules; any other request is returned unchanged. Requests must come in the order
     * the generator draws them: none may have started before a reading already taken.
     *
     * @param gpuJoules the request's true GPU energy (all its GPUs)
     */
    public InferenceEvent place(InferenceEvent e, double gpuJoules) {
        if (!e.getDatacenterId().equals(datacenterId)) return e;
        long duration = e.getDurationMs();
        int count = e.getGpuCount();
        if (duration <= 0
                || duration > MAX_REQUEST_MS
                || count < 1
                || count > GPUS_PER_HOST
                || GPUS_PER_HOST % count != 0) return e;
        long end = e.getEventTime().toEpochMilli();
        long start = end - duration;
        if (nextSample > firstSample && start < nextSample - SAMPLE_INTERVAL_MS) {
            throw new IllegalStateException(
                    "request "
                            + e.getRequestId()
                            + " started at "
                            + Instant.ofEpochMilli(start)
                            + ", before the reading of "
                            + Instant.ofEpochMilli(nextSample - SAMPLE_INTERVAL_MS)
                            + " already taken");
        }
        List<Integer> open = new ArrayList<>();
        for (int h = 0; h < HOSTS; h++) if (serving(h, start, end)) open.add(h);
        if (open.isEmpty()) return e;
        int host = open.get(placement.nextInt(open.size()));
        int block = placement.nextInt(GPUS_PER_HOST / count);
        List<String> ids = new ArrayList<>(count);
        for (int i = block * count; i < (block + 1) * count; i++) {
            Gpu g = gpus.get(host * GPUS_PER_HOST + i);
            g.uses.add(new Use(start, end, gpuJoules / count));
            ids.add(g.id);
        }
        return InferenceEvent.newBuilder(e).setGpuIds(ids).setMeasuredGpuJoules(null).build();
    }

    /** Whether a host takes a request running over [start, end). */
    private boolean serving(int host, long start, long end) {
        if (host == REBOOT_HOST && start < rebootUpAt + RESUME_AFTER_MS && end > rebootDownAt)
            return false;
        if (host == DAYTIME_HOST) {
            double from = localHour(start);
            double to = localHour(end - 1);
            return from >= DAY_FROM && to < DAY_TO && to >= from;
        }
        return true;
    }

    private double localHour(long t) {
        double h = (Math.floorMod(t, DAY) / (double) HOUR + utcOffsetHours) % 24;
        return h < 0 ? h + 24 : h;
    }

    /** Simulated instant at which the next readings are published. */
    public long nextPublishAt() {
        return nextSample + PUBLISH_LAG_MS;
    }

    /**
     * Takes the readings of the next instant (one per GPU whose host is up and exporting), to
     * publish at {@link #nextPublishAt()}.
     */
    public List<GeneratedRecord> takeReadings() {
        long t = nextSample;
        long publishAt = nextPublishAt();
        List<GeneratedRecord> out = new ArrayList<>(gpus.size());
        for (Gpu g : gpus) {
            boolean rebooting = g.hostIndex == REBOOT_HOST;
            if (t > firstSample) {
                if (rebooting && t == rebootUpAt) g.counterMj = 0; // the driver restarts counting
                else g.counterMj += energyJ(g, t - SAMPLE_INTERVAL_MS, t) * 1000;
            }
            g.uses.removeIf(u -> u.end() <= t);
            if (rebooting && t > rebootDownAt && t <= rebootUpAt)
                continue; // down, and the exporter not up yet
            GpuEnergySample s =
                    GpuEnergySample.newBuilder()
                            .setGpuId(g.id)
                            .setDatacenterId(datacenterId)
                            .setHost(g.host)
                            .setSampleTime(Instant.ofEpochMilli(t))
                            .setCumulativeEnergy(Math.rint(g.counterMj))
                            .setUnit(UNIT)
                            .build();
            out.add(new GeneratedRecord(GeneratedRecord.Kind.GPU_ENERGY, publishAt, g.id, s));
        }
        nextSample += SAMPLE_INTERVAL_MS;
        return out;
    }

    /**
     * What the GPU drew over [from, to): idle power while its host was up, and the requests running
     * on it.
     */
    private double energyJ(Gpu g, long from, long to) {
        long down = g.hostIndex == REBOOT_HOST ? overlap(from, to, rebootDownAt, rebootUpAt) : 0;
        double j = g.idleWatts * (to - from - down) / 1000.0;
        for (Use u : g.uses)
            j +=
                    u.joules()
                            * overlap(from, to, u.start(), u.end())
                            / (double) (u.end() - u.start());
        return j;
    }

    private static long overlap(long a0, long a1, long b0, long b1) {
        return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    }
}
