package io.carbonstream;

import io.carbonstream.config.JobConfig;
import io.carbonstream.config.JobOptions;
import io.carbonstream.gpu.GpuAttributionEncoder;
import io.carbonstream.gpu.GpuInput;
import io.carbonstream.gpu.GpuSampleDecoder;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.ledger.CertificateDecoder;
import io.carbonstream.ledger.LedgerEncoder;
import io.carbonstream.ledger.LedgerInput;
import io.carbonstream.otlp.OtlpDecoder;
import io.carbonstream.output.Encoders;
import io.carbonstream.registry.RegistryStart;
import java.time.Duration;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Entry point: parses options, builds the Kafka sources and exactly-once sinks around {@link
 * Pipeline#assemble}, and runs the job.
 */
public final class CarbonStreamJob {

    private CarbonStreamJob() {}

    public static void main(String[] args) throws Exception {
        if (JobConfig.wantsHelp(args)) {
            System.out.println(JobConfig.help());
            return;
        }
        JobConfig cfg;
        try {
            cfg = JobConfig.fromArgs(args);
        } catch (JobConfig.ConfigException e) {
            System.err.println("carbonstream: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env, cfg);
        env.execute("carbonstream");
    }

    /** Configures {@code env} and adds the whole job to it: sources, pipeline, sinks. */
    public static void build(StreamExecutionEnvironment env, JobConfig cfg) {
        build(env, cfg, UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, JobConfig)}, with a hook on the decoded events
     * stream: tests use it to inject failures between the real source and the pipeline.
     */
    public static void build(
            StreamExecutionEnvironment env,
            JobConfig cfg,
            UnaryOperator<DataStream<RequestEnvelope>> eventsTap) {
        configure(env, cfg);
        boolean bounded = cfg.get(JobOptions.BOUNDED);
        // A bounded run (backfill, report) prices nothing before it has read all intensity: the
        // intensity input holds the watermark at its minimum until it finishes (then +inf), so
        // every
        // correction in the topic is applied whatever the relative read speeds: reproducible. Live,
        // the intensity watermark is the newest valid_from (minus the configured disorder) and a
        // quiet feed stops holding results back after the idle timeout.
        WatermarkStrategy<ControlEvent> intensityWm =
                bounded
                        ? WatermarkStrategy.<ControlEvent>noWatermarks()
                                .withTimestampAssigner(new ValidFrom())
                        : WatermarkStrategy.<ControlEvent>forBoundedOutOfOrderness(
                                        cfg.get(JobOptions.INTENSITY_OUT_OF_ORDERNESS))
                                .withTimestampAssigner(new ValidFrom())
                                .withIdleness(cfg.get(JobOptions.INTENSITY_IDLE_TIMEOUT));

        DataStream<RequestEnvelope> events = eventsSource(env, cfg);
        // The control inputs are small: one reader each, broadcast to every pricing subtask.
        DataStream<ControlEvent> intensity =
                env.fromSource(
                                source(
                                        cfg,
                                        cfg.get(JobOptions.TOPIC_INTENSITY),
                                        new Decoders.Intensity(cfg.limits())),
                                intensityWm,
                                Op.INTENSITY_SOURCE.label)
                        .setParallelism(1)
                        .uid(Op.INTENSITY_SOURCE.uid);
        // The registry as it is now, read before the job runs: no request is judged against a
        // registry not read yet. The source then reads the topic from its beginning (its bad
        // records
        // reach the dead letters; the rest, already in the snapshot, is skipped) and keeps
        // following it.
        RegistryStart registryStart =
                RegistrySnapshot.read(
                        cfg.kafkaProperties(),
                        cfg.kafkaBootstrap(),
                        cfg.get(JobOptions.TOPIC_REGISTRY),
                        cfg.registry(),
                        cfg.limits(),
                        Duration.ofMinutes(2));
        DataStream<ControlEvent> registry =
                env.fromSource(
                                source(
                                        cfg,
                                        cfg.get(JobOptions.TOPIC_REGISTRY),
                                        new Decoders.Registry(cfg.limits()),
                                        OffsetsInitializer.earliest()),
                                WatermarkStrategy.<ControlEvent>forGenerator(
                                        ctx -> new NeverHoldsBack<>()),
                                Op.REGISTRY_SOURCE.label)
                        .setParallelism(1)
                        .uid(Op.REGISTRY_SOURCE.uid);

        DataStream<RequestEnvelope> otlp =
                cfg.getOptional(JobOptions.TOPIC_OTLP) == null
                        ? null
                        : env.fromSource(
                                        source(
                                                cfg,
                                                cfg.get(JobOptions.TOPIC_OTLP),
                                                new OtlpDecoder(cfg.limits(), cfg.spanMapping())),
                                        requestWatermarks(cfg),
                                        Op.OTLP_SOURCE.label)
                                .uid(Op.OTLP_SOURCE.uid);

        // A bounded run reads an optional input only if its topic exists at start: a bounded
        // KafkaSource subscribed to no partition never finishes (its enumerator never signals "no
        // more splits" when it finds none, FLINK-31006).
        java.util.Set<String> existing =
                bounded ? existingTopics(cfg, Duration.ofMinutes(2)) : null;

        // Certificates are not in event time (issued weeks after their hour): like the registry,
        // they never hold the watermark back.
        DataStream<LedgerInput> certificates =
                existing != null && !existing.contains(cfg.get(JobOptions.TOPIC_CERTIFICATES))
                        ? null
                        : env.fromSource(
                                        optionalTopicSource(
                                                cfg,
                                                cfg.get(JobOptions.TOPIC_CERTIFICATES),
                                                new CertificateDecoder(cfg.limits())),
                                        WatermarkStrategy.forGenerator(
                                                ctx -> new NeverHoldsBack<>()),
                                        Op.CERTIFICATES_SOURCE.label)
                                .setParallelism(1)
                                .uid(Op.CERTIFICATES_SOURCE.uid);

        // Forecasts are issued ahead of the time they describe and apply from their
        // forecast_made_at: live, they never hold the watermark back (one that arrives after its
        // made_at applies from the next evaluation); a bounded run reads them all first.
        DataStream<ControlEvent> forecasts =
                existing != null && !existing.contains(cfg.get(JobOptions.TOPIC_FORECASTS))
                        ? null
                        : env.fromSource(
                                        optionalTopicSource(
                                                cfg,
                                                cfg.get(JobOptions.TOPIC_FORECASTS),
                                                new Decoders.Forecasts(cfg.limits())),
                                        bounded
                                                ? WatermarkStrategy.noWatermarks()
                                                : WatermarkStrategy.forGenerator(
                                                        ctx -> new NeverHoldsBack<>()),
                                        Op.FORECASTS_SOURCE.label)
                                .setParallelism(1)
                                .uid(Op.FORECASTS_SOURCE.uid);

        // GPU counter readings, in event time (sample_time): attribution waits for them as for
        // events.
        DataStream<GpuInput> gpuSamples =
                cfg.getOptional(JobOptions.TOPIC_GPU_ENERGY) == null
                        ? null
                        : env.fromSource(
                                        source(
                                                cfg,
                                                cfg.get(JobOptions.TOPIC_GPU_ENERGY),
                                                new GpuSampleDecoder(
                                                        cfg.limits(), cfg.gpuReadings())),
                                        gpuWatermarks(cfg),
                                        Op.GPU_ENERGY_SOURCE.label)
                                // One reader: a reading per GPU every few seconds is a small
                                // stream, and a reader with no partition would hold the
                                // watermark back for the idle timeout.
                                .setParallelism(1)
                                .uid(Op.GPU_ENERGY_SOURCE.uid);

        Pipeline.Inputs inputs =
                Pipeline.Inputs.of(eventsTap.apply(events), intensity, registry)
                        .withOtlpSpans(otlp)
                        .withCertificates(certificates)
                        .withForecasts(forecasts)
                        .withGpuSamples(gpuSamples);
        Pipeline.Outputs out = Pipeline.assemble(inputs, registryStart, cfg);

        write(
                out.aggregates(),
                cfg,
                "aggregates",
                new Encoders.Aggregates(cfg.get(JobOptions.TOPIC_AGGREGATES)),
                Op.AGGREGATES_SINK);
        write(
                out.alerts(),
                cfg,
                "alerts",
                new Encoders.Alerts(cfg.get(JobOptions.TOPIC_ALERTS)),
                Op.ALERTS_SINK);
        write(
                out.deadLetters(),
                cfg,
                "dead-letters",
                new Encoders.DeadLetters(cfg.get(JobOptions.TOPIC_DEAD_LETTERS)),
                Op.DEAD_LETTERS_SINK);
        write(
                out.lateEvents(),
                cfg,
                "late-events",
                new Encoders.DeadLetters(cfg.get(JobOptions.TOPIC_LATE)),
                Op.LATE_SINK);
        write(
                out.restatements(),
                cfg,
                "restatements",
                new Encoders.Restatements(cfg.get(JobOptions.TOPIC_RESTATEMENTS)),
                Op.RESTATEMENTS_SINK);
        write(
                out.ledger(),
                cfg,
                "ledger",
                new LedgerEncoder(cfg.get(JobOptions.TOPIC_LEDGER)),
                Op.LEDGER_SINK);
        if (out.gpuAttribution() != null)
            write(
                    out.gpuAttribution(),
                    cfg,
                    "gpu-attribution",
                    new GpuAttributionEncoder(cfg.get(JobOptions.TOPIC_GPU_ATTRIBUTION)),
                    Op.GPU_ATTRIBUTION_SINK);
    }

    /** One output topic: an exactly-once sink under the operator's fixed uid. */
    private static <T> void write(
            DataStream<T> stream,
            JobConfig cfg,
            String name,
            KafkaRecordSerializationSchema<T> serializer,
            Op op) {
        stream.sinkTo(sink(cfg, name, serializer)).uid(op.uid).name(op.label);
    }

    /** Job-wide settings: serialization rules, checkpointing, parallelism. */
    public static void configure(StreamExecutionEnvironment env, JobConfig cfg) {
        Configuration pipeline = new Configuration();
        // No Kryo anywhere: every type is a POJO or Avro; a generic type is a bug to fix, not a
        // fallback.
        pipeline.set(PipelineOptions.GENERIC_TYPES, false);
        // Functions never keep or mutate their inputs, so chained operators may pass objects
        // directly.
        pipeline.set(PipelineOptions.OBJECT_REUSE, true);
        env.configure(pipeline);
        env.enableCheckpointing(
                cfg.ms(JobOptions.CHECKPOINT_INTERVAL), CheckpointingMode.EXACTLY_ONCE);
        if (cfg.get(JobOptions.PARALLELISM) > 0)
            env.setParallelism(cfg.get(JobOptions.PARALLELISM));
    }

    /**
     * The decoded inference events with their event-time watermarks (also the benchmark's floor).
     */
    public static DataStream<RequestEnvelope> eventsSource(
            StreamExecutionEnvironment env, JobConfig cfg) {
        return env.fromSource(
                        source(
                                cfg,
                                cfg.get(JobOptions.TOPIC_EVENTS),
                                new Decoders.Requests(cfg.limits())),
                        requestWatermarks(cfg),
                        Op.EVENTS_SOURCE.label)
                .uid(Op.EVENTS_SOURCE.uid);
    }

    /**
     * Event time of GPU counter readings: as requests, bounded out of order, idle after the events'
     * idle timeout.
     */
    static WatermarkStrategy<GpuInput> gpuWatermarks(JobConfig cfg) {
        return boundedOutOfOrder(cfg, (e, ts) -> e.eventTime());
    }

    /** Event time and watermarks of request inputs (events, OTLP spans). */
    static WatermarkStrategy<RequestEnvelope> requestWatermarks(JobConfig cfg) {
        return boundedOutOfOrder(cfg, new EventTime());
    }

    /**
     * Requests and GPU readings arrive out of order by at most --events.out-of-orderness, and a
     * reader without data goes idle after the events' idle timeout. Bounded runs finish every input
     * (watermark +inf) and must not depend on wall-clock idleness.
     */
    private static <T> WatermarkStrategy<T> boundedOutOfOrder(
            JobConfig cfg, SerializableTimestampAssigner<T> eventTime) {
        WatermarkStrategy<T> wm =
                WatermarkStrategy.<T>forBoundedOutOfOrderness(cfg.get(JobOptions.OUT_OF_ORDERNESS))
                        .withTimestampAssigner(eventTime);
        return cfg.get(JobOptions.BOUNDED)
                ? wm
                : wm.withIdleness(cfg.get(JobOptions.EVENTS_IDLE_TIMEOUT));
    }

    private static <T> KafkaSource<T> source(
            JobConfig cfg, String topic, KafkaRecordDeserializationSchema<T> deserializer) {
        OffsetsInitializer start =
                switch (cfg.get(JobOptions.START_FROM)) {
                    case COMMITTED ->
                            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                };
        return source(cfg, topic, deserializer, start);
    }

    private static <T> KafkaSource<T> source(
            JobConfig cfg,
            String topic,
            KafkaRecordDeserializationSchema<T> deserializer,
            OffsetsInitializer start) {
        KafkaSourceBuilder<T> b =
                KafkaSource.<T>builder()
                        .setProperties(cfg.kafkaProperties())
                        .setBootstrapServers(cfg.kafkaBootstrap())
                        .setTopics(topic)
                        .setGroupId(cfg.get(JobOptions.GROUP_ID))
                        .setStartingOffsets(start)
                        .setDeserializer(deserializer)
                        .setProperty("isolation.level", "read_committed");
        if (cfg.get(JobOptions.BOUNDED)) b.setBounded(OffsetsInitializer.latest());
        return b.build();
    }

    /**
     * A source of an input a deployment may not have yet (certificates, forecasts): subscribed by
     * pattern, so a missing topic means no records rather than a failed start; once created it is
     * picked up at the next partition discovery. Read from the earliest offset: it is small and
     * compacted.
     */
    private static <T> KafkaSource<T> optionalTopicSource(
            JobConfig cfg, String topic, KafkaRecordDeserializationSchema<T> deserializer) {
        KafkaSourceBuilder<T> b =
                KafkaSource.<T>builder()
                        .setProperties(cfg.kafkaProperties())
                        .setBootstrapServers(cfg.kafkaBootstrap())
                        .setTopicPattern(
                                java.util.regex.Pattern.compile(
                                        java.util.regex.Pattern.quote(topic)))
                        .setGroupId(cfg.get(JobOptions.GROUP_ID))
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(deserializer)
                        .setProperty("isolation.level", "read_committed");
        if (cfg.get(JobOptions.BOUNDED)) b.setBounded(OffsetsInitializer.latest());
        else b.setProperty("partition.discovery.interval.ms", "60000");
        return b.build();
    }

    /**
     * The topics the brokers list now (topics the credentials may not describe are left out: for an
     * optional input, as if missing).
     */
    private static java.util.Set<String> existingTopics(JobConfig cfg, Duration timeout) {
        Properties p = cfg.kafkaProperties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cfg.kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            return admin.listTopics()
                    .names()
                    .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "could not list the topics of "
                            + cfg.kafkaBootstrap()
                            + " within "
                            + timeout.toSeconds()
                            + " s (a bounded run checks which optional inputs exist): check that"
                            + " the brokers are reachable",
                    e);
        }
    }

    private static <T> KafkaSink<T> sink(
            JobConfig cfg, String name, KafkaRecordSerializationSchema<T> serializer) {
        Properties props = cfg.kafkaProperties();
        props.setProperty(
                "transaction.timeout.ms", String.valueOf(cfg.ms(JobOptions.TRANSACTION_TIMEOUT)));
        return KafkaSink.<T>builder()
                .setBootstrapServers(cfg.kafkaBootstrap())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(Encoders.inWireFormat(serializer, cfg.outputRegistry()))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // One stable prefix per sink: two sinks sharing a prefix would fence each other.
                .setTransactionalIdPrefix(cfg.get(JobOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
                .build();
    }

    /** Event time of valid requests; rejected records get no say in the watermark. */
    static final class EventTime implements SerializableTimestampAssigner<RequestEnvelope> {
        @Override
        public long extractTimestamp(RequestEnvelope e, long kafkaTimestamp) {
            return e.request != null ? e.request.eventTime : Long.MIN_VALUE;
        }
    }

    static final class ValidFrom implements SerializableTimestampAssigner<ControlEvent> {
        @Override
        public long extractTimestamp(ControlEvent e, long kafkaTimestamp) {
            return e.intensity != null ? e.intensity.validFrom : Long.MIN_VALUE;
        }
    }

    /**
     * The registry is not in event time: it declares itself idle so that it never holds back the
     * watermark of the broadcast side (which then follows intensity alone).
     */
    static final class NeverHoldsBack<T> implements WatermarkGenerator<T> {
        @Override
        public void onEvent(T event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.markIdle();
        }
    }
}
