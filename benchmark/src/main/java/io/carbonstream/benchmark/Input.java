package io.carbonstream.benchmark;

import io.carbonstream.generator.DatacenterSpec;
import io.carbonstream.generator.Fleet;
import io.carbonstream.generator.GeneratedRecord;
import io.carbonstream.generator.GeneratorSettings;
import io.carbonstream.generator.ModelSpec;
import io.carbonstream.generator.TrafficGenerator;
import io.carbonstream.generator.Zone;
import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.InferenceEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's input: the demo generator's traffic on a large fleet, every zone updated every 5
 * minutes.
 */
final class Input {

    private Input() {}

    /**
     * The generator's large fleet (24 datacenters, 10 zones, 34 models) with every zone publishing
     * every 5 minutes.
     */
    static Fleet fleet() {
        Fleet large = Fleet.large();
        Map<String, Zone> fiveMinute = new LinkedHashMap<>();
        List<DatacenterSpec> dcs = new ArrayList<>();
        for (DatacenterSpec d : large.datacenters()) {
            Zone z = d.zone();
            Zone z5 = fiveMinute.computeIfAbsent(z.id(), k -> copy(z, z.id(), 5));
            dcs.add(copy(d, d.id(), z5));
        }
        return new Fleet(dcs, large.models());
    }

    /**
     * In-order, on-time traffic (no stragglers or late requests: both systems would answer those
     * differently by design).
     */
    static TrafficGenerator generator(long seed, Instant start, double simRate) {
        return generator(seed, start, simRate, fleet());
    }

    static TrafficGenerator generator(long seed, Instant start, double simRate, Fleet fleet) {
        return new TrafficGenerator(
                GeneratorSettings.of(seed, start, simRate).withFleet(fleet).withoutLateData());
    }

    /**
     * A fleet of the scale curve: {@code datacenters} sites copied round-robin from {@link
     * #fleet()} (same PUE, water, traffic weight), spread over {@code zones} zones (the 10 real
     * ones, then copies of them under new ids: same daily shape, their own updates), serving {@code
     * models} models copied round-robin from the generator's 34 (same modality, energy and
     * popularity; copies carry a new id, so the job prices them by parameter count or modality
     * default, as any model its catalog does not know).
     */
    static Fleet scaledFleet(int datacenters, int models, int zones) {
        Fleet base = fleet();
        List<Zone> baseZones = base.zones();
        List<Zone> zs = new ArrayList<>();
        for (int j = 0; j < zones; j++) {
            Zone z = baseZones.get(j % baseZones.size());
            zs.add(
                    j < baseZones.size()
                            ? z
                            : copy(z, z.id() + "-" + (j / baseZones.size()), z.updateMinutes()));
        }
        List<DatacenterSpec> dcs = new ArrayList<>();
        for (int i = 0; i < datacenters; i++) {
            DatacenterSpec d = base.datacenters().get(i % base.datacenters().size());
            String id = i < base.datacenters().size() ? d.id() : d.id() + "-s" + i;
            dcs.add(copy(d, id, zs.get(i % zs.size())));
        }
        List<ModelSpec> ms = new ArrayList<>();
        List<ModelSpec> all = Fleet.ALL_MODELS;
        for (int i = 0; i < models; i++) {
            ModelSpec m = all.get(i % all.size());
            ms.add(
                    i < all.size()
                            ? m
                            : new ModelSpec(
                                    m.id() + "-v" + (i / all.size()),
                                    m.modality(),
                                    false,
                                    m.activeParamsB(),
                                    m.gpus(),
                                    m.joulesPerUnit(),
                                    m.referenceSteps(),
                                    m.popularity(),
                                    m.medianOutput()));
        }
        return new Fleet(dcs, ms);
    }

    /** The zone {@code z} under another id and publication interval, same daily shape. */
    private static Zone copy(Zone z, String id, int updateMinutes) {
        return new Zone(
                id,
                z.utcOffsetHours(),
                z.lowHour(),
                z.low(),
                z.highHour(),
                z.high(),
                updateMinutes,
                z.spikesPerDay(),
                z.marginalFactor());
    }

    /** The datacenter {@code d} under another id and zone, same PUE, water and traffic. */
    private static DatacenterSpec copy(DatacenterSpec d, String id, Zone zone) {
        return new DatacenterSpec(
                id,
                zone,
                d.pue(),
                d.wueLPerKwh(),
                d.itOverhead(),
                d.marketFactorGPerKwh(),
                d.budgetShare(),
                d.trafficWeight(),
                d.telemetryShare());
    }

    static Properties producerProps(String bootstrap, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L << 20));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "carbonstream-benchmark");
        return p;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        return new KafkaProducer<>(
                producerProps(bootstrap, lingerMs),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    static void produceRegistry(
            KafkaProducer<byte[], byte[]> p, String topic, List<Datacenter> registry) {
        for (Datacenter d : registry) {
            p.send(
                    new ProducerRecord<>(
                            topic,
                            d.getDatacenterId().getBytes(StandardCharsets.UTF_8),
                            AvroCodec.encodeOne(d)));
        }
        p.flush();
    }

    /** What was produced. */
    record Produced(
            long requests,
            long intensityUpdates,
            long registryEntries,
            long eventBytes,
            long firstEventTime,
            long lastEventTime,
            int datacenters,
            int models,
            int zones,
            int datacenterModels,
            double seconds,
            long requestsNamingGpus,
            long gpuSamples,
            int gpus) {
        double requestsPerSecond() {
            return requests / seconds;
        }
    }

    /**
     * Produces the registry, then the first {@code n} requests with the intensity updates around
     * them, in publish order.
     */
    static Produced produce(String bootstrap, Topics t, TrafficGenerator gen, long n) {
        long start = System.nanoTime();
        AtomicReference<Exception> failure = new AtomicReference<>();
        // The first failed send, thrown once everything is flushed.
        Callback onFailure =
                (m, ex) -> {
                    if (ex != null) failure.compareAndSet(null, ex);
                };
        long requests = 0, updates = 0, bytes = 0, first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        long namingGpus = 0, samples = 0;
        Set<String> dcs = new HashSet<>(),
                models = new HashSet<>(),
                zones = new HashSet<>(),
                pairs = new HashSet<>(),
                gpus = new HashSet<>();
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, 20)) {
            produceRegistry(p, t.registry(), gen.registry());
            for (Iterator<GeneratedRecord> it = gen.bounded(n, Duration.ZERO); it.hasNext(); ) {
                GeneratedRecord r = it.next();
                byte[] value = r.valueBytes();
                if (r.isRequest()) {
                    InferenceEvent e = r.event();
                    long et = e.getEventTime().toEpochMilli();
                    first = Math.min(first, et);
                    last = Math.max(last, et);
                    requests++;
                    bytes += value.length;
                    if (pairs.add(e.getDatacenterId() + "|" + e.getModelId())) {
                        dcs.add(e.getDatacenterId());
                        models.add(e.getModelId());
                    }
                    if (!e.getGpuIds().isEmpty()) namingGpus++;
                    p.send(new ProducerRecord<>(t.events(), r.keyBytes(), value), onFailure);
                } else if (r.kind() == GeneratedRecord.Kind.GPU_ENERGY) {
                    samples++;
                    gpus.add(r.gpuSample().getGpuId().toString());
                    p.send(new ProducerRecord<>(t.gpuEnergy(), r.keyBytes(), value), onFailure);
                } else if (r.isIntensity()) {
                    updates++;
                    zones.add(r.key());
                    p.send(new ProducerRecord<>(t.intensity(), r.keyBytes(), value), onFailure);
                }
            }
            p.flush();
        }
        if (failure.get() != null)
            throw new IllegalStateException("producing the input failed", failure.get());
        return new Produced(
                requests,
                updates,
                gen.registry().size(),
                bytes,
                first,
                last,
                dcs.size(),
                models.size(),
                zones.size(),
                pairs.size(),
                (System.nanoTime() - start) / 1e9,
                namingGpus,
                samples,
                gpus.size());
    }

    /** Topic names of one phase. */
    record Topics(
            String events,
            String intensity,
            String registry,
            String gpuEnergy,
            String aggregates,
            String deadLetters,
            String late) {
        static Topics of(String prefix) {
            return new Topics(
                    prefix + "events",
                    prefix + "intensity",
                    prefix + "registry",
                    prefix + "gpu-energy",
                    prefix + "aggregates",
                    prefix + "dlq",
                    prefix + "late");
        }
    }
}
