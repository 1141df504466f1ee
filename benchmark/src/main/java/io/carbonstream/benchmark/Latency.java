package io.carbonstream.benchmark;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.generator.TrafficGenerator;
import io.carbonstream.generator.Zone;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Latency at a fixed input rate: carbonstream runs unbounded; requests are produced at a constant
 * rate with event time on the wall clock (shifted by a constant under one minute so that the first
 * minute closes soon after the start); a read_committed consumer notes when each per-minute
 * (datacenter, model) aggregate becomes readable. For every request: produce -> readable, and the
 * part of it after its minute ended (out-of-orderness, pricing, checkpoint), and the part after the
 * watermark could first pass the minute's end (window end + events out-of-orderness: the earliest
 * moment any event-time job with that out-of-orderness can know the minute is complete), which is
 * the delay the job adds over its event-time semantics (pricing, windows, the committing
 * checkpoint).
 */
final class Latency {

    private Latency() {}

    static final long MINUTE = 60_000L;
    private static final int BUCKET_MS = 100;

    record Result(
            double targetRate,
            double achievedRate,
            long requests,
            long measuredRequests,
            long windows,
            double p50Ms,
            double p99Ms,
            double maxMs,
            double excessP50Ms,
            double excessP99Ms,
            double excessMaxMs,
            long outOfOrdernessMs,
            double afterWatermarkP50Ms,
            double afterWatermarkP99Ms,
            double afterWatermarkMaxMs,
            long checkpointIntervalMs,
            Flink.CheckpointState checkpoint,
            int activeDatacenterModels,
            int activeKeys,
            long liveHeapAfterWarmup,
            long liveHeapAtEnd,
            List<double[]> heapTimeline,
            double seconds) {}

    static Result run(
            Flink flink,
            String bootstrap,
            Input.Topics t,
            Map<String, String> jobOptions,
            TrafficGenerator gen,
            int poolSize,
            double rate,
            Duration duration,
            Duration warmup,
            Memory mem)
            throws Exception {
        List<InferenceEvent> pool = gen.requests(poolSize);
        List<Zone> zones = gen.fleet().zones();
        long startWall = System.currentTimeMillis();
        // Event time = wall - offset, where the run starts 45 s into an event-time minute.
        long offset = Math.floorMod(startWall - 45_000, MINUTE);
        Map<String, AtomicIntegerArray> produced = new ConcurrentHashMap<>();
        long[] total = new long[60_000]; // 10 ms buckets up to 600 s
        long[] excess = new long[60_000];
        long[] afterWatermark = new long[60_000];
        long oooMs =
                JobConfig.fromMap(jobOptions)
                        .ms(io.carbonstream.config.JobOptions.OUT_OF_ORDERNESS);
        long[] measured = {0, 0};
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();

        try (KafkaProducer<byte[], byte[]> p = Input.producer(bootstrap, 5)) {
            Input.produceRegistry(p, t.registry(), gen.registry());
            long et0 = System.currentTimeMillis() - offset;
            long nextUpdate = Math.floorDiv(et0, 5 * MINUTE) * 5 * MINUTE;
            sendIntensity(p, t.intensity(), zones, nextUpdate - 5 * MINUTE);
            sendIntensity(p, t.intensity(), zones, nextUpdate);
            nextUpdate += 5 * MINUTE;
            p.flush();

            StreamExecutionEnvironment env = flink.env();
            CarbonStreamJob.build(env, JobConfig.fromMap(jobOptions));
            JobID job = flink.submit(env, "carbonstream-latency");
            flink.awaitRunning(job, Duration.ofMinutes(2));

            long[] stopEt = {Long.MAX_VALUE};
            long[] warmEndEt = {Long.MAX_VALUE};
            Thread consumer =
                    new Thread(
                            () -> {
                                try {
                                    consume(
                                            bootstrap,
                                            t.aggregates(),
                                            offset,
                                            oooMs,
                                            produced,
                                            total,
                                            excess,
                                            afterWatermark,
                                            measured,
                                            stopEt,
                                            warmEndEt);
                                } catch (Throwable e) {
                                    consumerFailure.set(e);
                                }
                            },
                            "latency-consumer");
            consumer.setDaemon(true);
            consumer.start();

            long start = System.currentTimeMillis();
            warmEndEt[0] = start - offset + warmup.toMillis();
            long end = start + duration.toMillis();
            long sent = 0;
            long liveAfterWarmup = -1;
            Set<String> pairs = new HashSet<>();
            while (true) {
                long now = System.currentTimeMillis();
                if (now >= end || consumerFailure.get() != null) break;
                long et = now - offset;
                if (liveAfterWarmup < 0 && now >= start + warmup.toMillis()) {
                    // Before the first measured window can close (it ends a minute or more after
                    // this),
                    // so the pause falls outside the measured latencies.
                    liveAfterWarmup = Memory.liveHeapAfterFullGc();
                    continue;
                }
                if (et >= nextUpdate) {
                    sendIntensity(p, t.intensity(), zones, nextUpdate);
                    nextUpdate += 5 * MINUTE;
                }
                long due = (long) ((now - start) * rate / 1000.0);
                if (sent >= due) {
                    Thread.sleep(1); // pacing the producer to the fixed rate
                    continue;
                }
                for (; sent < due; sent++) {
                    InferenceEvent e = pool.get((int) (sent % pool.size()));
                    long etNow = System.currentTimeMillis() - offset;
                    e.setRequestId("lat-" + sent);
                    e.setEventTime(Instant.ofEpochMilli(etNow));
                    String pair = e.getDatacenterId() + "\u001f" + e.getModelId();
                    if (etNow >= warmEndEt[0]) {
                        long minute = Math.floorDiv(etNow, MINUTE) * MINUTE;
                        produced.computeIfAbsent(
                                        pair + "|" + minute,
                                        k -> new AtomicIntegerArray((int) (MINUTE / BUCKET_MS)))
                                .incrementAndGet((int) ((etNow - minute) / BUCKET_MS));
                        pairs.add(pair);
                    }
                    p.send(
                            new ProducerRecord<>(
                                    t.events(),
                                    e.getRequestId().getBytes(StandardCharsets.UTF_8),
                                    AvroCodec.encodeOne(e)));
                }
            }
            p.flush();
            long stopWall = System.currentTimeMillis();
            // Windows ending more than the out-of-orderness (+1 s) before the last event time close
            // without further input.
            stopEt[0] = stopWall - offset - 6_000;
            consumer.join(Duration.ofMinutes(3).toMillis());
            if (consumerFailure.get() != null)
                throw new IllegalStateException("latency consumer failed", consumerFailure.get());
            Flink.CheckpointState cp = flink.latestCheckpoint(job);
            // Still in steady state (same keys, same pending depth), every measurement taken.
            long liveAtEnd = Memory.liveHeapAfterFullGc();
            flink.stopWithSavepoint(job);

            double seconds = (stopWall - start) / 1000.0;
            List<double[]> timeline = new ArrayList<>();
            for (long from = start; from < stopWall; from += 30_000) {
                List<Memory.Sample> s = mem.between(from, Math.min(from + 30_000, stopWall));
                if (s.isEmpty()) continue;
                timeline.add(
                        new double[] {
                            (from - start) / 1000.0,
                            s.stream().mapToLong(Memory.Sample::heapUsed).min().getAsLong(),
                            s.stream().mapToLong(Memory.Sample::heapUsed).max().getAsLong(),
                            s.stream().mapToLong(Memory.Sample::rss).max().getAsLong()
                        });
            }
            Set<String> dcs = new HashSet<>(), models = new HashSet<>();
            for (String pr : pairs) {
                dcs.add(pr.split("\u001f")[0]);
                models.add(pr.split("\u001f")[1]);
            }
            long cpMs =
                    JobConfig.fromMap(jobOptions)
                            .ms(io.carbonstream.config.JobOptions.CHECKPOINT_INTERVAL);
            return new Result(
                    rate,
                    sent / seconds,
                    sent,
                    measured[0],
                    measured[1],
                    pct(total, 0.5),
                    pct(total, 0.99),
                    pct(total, 1.0),
                    pct(excess, 0.5),
                    pct(excess, 0.99),
                    pct(excess, 1.0),
                    oooMs,
                    pct(afterWatermark, 0.5),
                    pct(afterWatermark, 0.99),
                    pct(afterWatermark, 1.0),
                    cpMs,
                    cp,
                    pairs.size(),
                    pairs.size() + dcs.size() + models.size(),
                    liveAfterWarmup,
                    liveAtEnd,
                    timeline,
                    seconds);
        }
    }

    private static void sendIntensity(
            KafkaProducer<byte[], byte[]> p, String topic, List<Zone> zones, long validFrom) {
        for (Zone z : zones) {
            IntensityUpdate u =
                    IntensityUpdate.newBuilder()
                            .setZone(z.id())
                            .setValidFrom(Instant.ofEpochMilli(validFrom))
                            .setCarbonIntensity(Math.round(z.shapeAt(validFrom) * 10) / 10.0)
                            .setEstimated(false)
                            .setSource("benchmark")
                            .setEmissionFactorType("lifecycle")
                            .build();
            p.send(
                    new ProducerRecord<>(
                            topic,
                            z.id().getBytes(StandardCharsets.UTF_8),
                            AvroCodec.encodeOne(u)));
        }
    }

    /**
     * Reads aggregates as they commit until every measured window that must close has been seen.
     */
    private static void consume(
            String bootstrap,
            String topic,
            long offset,
            long oooMs,
            Map<String, AtomicIntegerArray> produced,
            long[] total,
            long[] excess,
            long[] afterWatermark,
            long[] measured,
            long[] stopEt,
            long[] warmEndEt)
            throws Exception {
        SpecificDatumReader<Aggregate> reader = new SpecificDatumReader<>(Aggregate.class);
        BinaryDecoder dec = null;
        long giveUp = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> c = KafkaUtil.consumer(bootstrap)) {
            var parts = KafkaUtil.partitions(c, topic);
            c.assign(parts);
            c.seekToBeginning(parts);
            while (true) {
                var batch = c.poll(Duration.ofMillis(50));
                long readable = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    dec = DecoderFactory.get().binaryDecoder(r.value(), dec);
                    Aggregate a = reader.read(null, dec);
                    if (a.getWindow() != io.carbonstream.schema.WindowKind.MINUTE
                            || a.getDimension() != io.carbonstream.schema.Dimension.DATACENTER_MODEL
                            || a.getRevision() != 1) continue;
                    long ws = a.getWindowStart().toEpochMilli();
                    AtomicIntegerArray h =
                            produced.remove(
                                    a.getDatacenterId() + "\u001f" + a.getModelId() + "|" + ws);
                    if (h == null) continue;
                    long windowEndWall = ws + MINUTE + offset;
                    long ex = readable - windowEndWall;
                    for (int b = 0; b < h.length(); b++) {
                        int n = h.get(b);
                        if (n == 0) continue;
                        long producedWall = ws + offset + (long) b * BUCKET_MS + BUCKET_MS / 2;
                        add(total, readable - producedWall, n);
                        add(excess, ex, n);
                        add(afterWatermark, ex - oooMs, n);
                        measured[0] += n;
                    }
                    measured[1]++;
                }
                if (stopEt[0] != Long.MAX_VALUE) {
                    if (giveUp == Long.MAX_VALUE) giveUp = System.currentTimeMillis() + 150_000;
                    boolean pending =
                            produced.keySet().stream()
                                    .anyMatch(
                                            k ->
                                                    Long.parseLong(
                                                                            k.substring(
                                                                                    k.lastIndexOf(
                                                                                                    '|')
                                                                                            + 1))
                                                                    + MINUTE
                                                            <= stopEt[0]);
                    if (!pending) {
                        // Requests of windows that cannot close without further input are not
                        // measured.
                        produced.clear();
                        return;
                    }
                    if (System.currentTimeMillis() > giveUp) {
                        throw new IllegalStateException(
                                "closed windows never became readable: "
                                        + produced.size()
                                        + " pending");
                    }
                }
            }
        }
    }

    private static void add(long[] hist, long ms, int n) {
        int i = (int) Math.max(0, Math.min(hist.length - 1, ms / 10));
        hist[i] += n;
    }

    /** The q-quantile in ms (bucket upper edge). */
    static double pct(long[] hist, double q) {
        long n = 0;
        for (long c : hist) n += c;
        if (n == 0) return Double.NaN;
        long rank = Math.max(1, (long) Math.ceil(q * n));
        long seen = 0;
        for (int i = 0; i < hist.length; i++) {
            seen += hist[i];
            if (seen >= rank) return (i + 1) * 10.0;
        }
        return hist.length * 10.0;
    }
}
