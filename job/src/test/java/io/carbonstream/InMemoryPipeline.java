package io.carbonstream;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.RestatementRecord;
import io.carbonstream.alert.AlertRecord;
import io.carbonstream.config.JobConfig;
import io.carbonstream.config.JobOptions;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.it.Avro;
import io.carbonstream.it.Scenario;
import io.carbonstream.ledger.LedgerRow;
import io.carbonstream.output.Encoders;
import io.carbonstream.registry.RegistryStart;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.DeadLetter;
import io.carbonstream.schema.Restatement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource.NumberSequenceSplit;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * {@link Pipeline#assemble} on in-memory inputs, no broker (as flink-training tests its exercises):
 * the semantics (lateness, revisions, restatements, alerts) in seconds, on the MiniCluster of the
 * test class (Flink's {@code MiniClusterExtension}).
 *
 * <p>Each input is one bounded source of parallelism 1 that emits its elements in the given order,
 * with the job's timestamp assigners and out-of-orderness, but a watermark after every element
 * (punctuated) and never idle: the job's periodic, idling watermarks depend on the wall clock,
 * these do not. A bounded run ({@code --bounded}) holds the intensity watermark back until the
 * intensity input ends, as the job does.
 *
 * <p>What makes lateness reproducible is a <em>gate</em>: an input can wait, before one of its
 * elements, until an aggregate matching a condition has been emitted. That the job emitted, say,
 * minute 19 proves the pricing operator's watermark (the minimum over all its inputs) has passed
 * minute 19, so the request after the gate is judged against that watermark, however the inputs'
 * channels interleave. (Without it, a second input, such as intensity, may lag and hold the
 * watermark back when the "late" request arrives.) Gates are futures completed by the collecting
 * sink: no sleeping, no polling. With parallelism 1 every decision after a gate is exact; with 2, a
 * keyed operator downstream of two subtasks may still see one of them later, so exact revision
 * numbers want 1.
 *
 * <p>The registry input never holds the watermark back, as the job's registry source (it is idle
 * between its records), so it may wait at a gate: a version published after its hour was emitted is
 * a registry change to restate.
 */
public final class InMemoryPipeline {

    private InMemoryPipeline() {}

    /** How long a run may take before it is reported stuck (a gate whose condition never came). */
    static final Duration PATIENCE = Duration.ofMinutes(3);

    /** Runs in progress, by id: sources, gates and sinks of the MiniCluster's JVM meet here. */
    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    /** Elements of one input, in emission order, and the gates between them. */
    public static final class Input<T> {
        final List<T> elements = new ArrayList<>();

        /** Gate before element i. */
        final Map<Integer, Gate> gates = new HashMap<>();

        public Input<T> add(T element) {
            elements.add(element);
            return this;
        }

        public Input<T> addAll(List<? extends T> more) {
            elements.addAll(more);
            return this;
        }

        /** Elements added so far (the next one's offset). */
        public int size() {
            return elements.size();
        }

        /**
         * The elements added after this wait until an aggregate matching {@code condition} has been
         * emitted (collected).
         */
        public Input<T> awaitAggregate(String what, Predicate<AggregateRecord> condition) {
            return await(what, r -> r instanceof AggregateRecord a && condition.test(a));
        }

        /**
         * The elements added after this wait until a restatement record matching {@code condition}
         * has been emitted: the correction was decided at the watermark of that moment.
         */
        public Input<T> awaitRestatement(String what, Predicate<RestatementRecord> condition) {
            return await(what, r -> r instanceof RestatementRecord x && condition.test(x));
        }

        private Input<T> await(String what, Predicate<Object> condition) {
            if (gates.containsKey(elements.size()))
                throw new IllegalStateException("two gates before element " + elements.size());
            gates.put(elements.size(), new Gate(what, condition));
            return this;
        }
    }

    public static <T> Input<T> input() {
        return new Input<>();
    }

    static final class Gate {
        final String what;
        final Predicate<Object> condition;
        final CompletableFuture<Void> open = new CompletableFuture<>();

        Gate(String what, Predicate<Object> condition) {
            this.what = what;
            this.condition = condition;
        }
    }

    /** The outputs of a run, as the job's records and as the Avro records its sinks write. */
    public record Result(
            List<AggregateRecord> aggregateRecords,
            List<AlertRecord> alertRecords,
            List<DeadLetterRecord> deadLetterRecords,
            List<DeadLetterRecord> lateEventRecords,
            List<RestatementRecord> restatementRecords,
            List<LedgerRow> ledgerRows) {

        /** Every aggregate record, keyed like the aggregates topic, in emission order per key. */
        public List<Map.Entry<String, Aggregate>> aggregates() {
            return aggregateRecords.stream()
                    .map(a -> Map.entry(a.kafkaKey(), Encoders.toAvro(a)))
                    .toList();
        }

        /** The latest revision of every key, as the compacted topic keeps it. */
        public Map<String, Aggregate> latestAggregates() {
            Map<String, Aggregate> latest = new HashMap<>();
            for (Map.Entry<String, Aggregate> e : aggregates())
                latest.merge(
                        e.getKey(),
                        e.getValue(),
                        (x, y) -> y.getRevision() > x.getRevision() ? y : x);
            return latest;
        }

        /** The first revision of every key. */
        public Map<String, Aggregate> firstAggregates() {
            Map<String, Aggregate> first = new HashMap<>();
            for (Map.Entry<String, Aggregate> e : aggregates())
                first.merge(
                        e.getKey(),
                        e.getValue(),
                        (x, y) -> y.getRevision() < x.getRevision() ? y : x);
            return first;
        }

        public List<Alert> alerts() {
            return alertRecords.stream().map(Encoders::toAvro).toList();
        }

        public List<DeadLetter> deadLetters() {
            return deadLetterRecords.stream().map(Encoders::toAvro).toList();
        }

        public List<DeadLetter> lateEvents() {
            return lateEventRecords.stream().map(Encoders::toAvro).toList();
        }

        public List<Restatement> restatements() {
            return restatementRecords.stream().map(Encoders::toAvro).toList();
        }
    }

    /**
     * Runs the job's pipeline on these inputs (registry: the file of {@code cfg}, plus the registry
     * input's records) until every input has ended and the final watermark has closed every window.
     */
    public static Result run(
            JobConfig cfg,
            Input<RequestEnvelope> events,
            Input<ControlEvent> intensity,
            Input<ControlEvent> registry)
            throws Exception {
        Run run = new Run();
        RUNS.put(run.id, run);
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            CarbonStreamJob.configure(env, cfg);
            boolean bounded = cfg.get(JobOptions.BOUNDED);
            long eventsDisorder = cfg.ms(JobOptions.OUT_OF_ORDERNESS);
            long intensityDisorder = cfg.ms(JobOptions.INTENSITY_OUT_OF_ORDERNESS);
            DataStream<RequestEnvelope> eventStream =
                    source(
                            env,
                            run,
                            "events",
                            events,
                            RequestEnvelope.class,
                            WatermarkStrategy.<RequestEnvelope>forGenerator(
                                            c -> new Punctuated<>(eventsDisorder))
                                    .withTimestampAssigner(new CarbonStreamJob.EventTime()));
            DataStream<ControlEvent> intensityStream =
                    source(
                            env,
                            run,
                            "intensity",
                            intensity,
                            ControlEvent.class,
                            (bounded
                                            ? WatermarkStrategy.<ControlEvent>noWatermarks()
                                            : WatermarkStrategy.<ControlEvent>forGenerator(
                                                    c -> new Punctuated<>(intensityDisorder)))
                                    .withTimestampAssigner(new CarbonStreamJob.ValidFrom()));
            // No registry records: an empty stream with the intensity's watermarks (an empty source
            // cannot be made); else the records, with the job's registry watermarks (never
            // holding the others back).
            DataStream<ControlEvent> registryStream =
                    registry.elements.isEmpty()
                            ? intensityStream.filter(new Nothing()).setParallelism(1)
                            : source(
                                    env,
                                    run,
                                    "registry",
                                    registry,
                                    ControlEvent.class,
                                    WatermarkStrategy.forGenerator(
                                            c -> new CarbonStreamJob.NeverHoldsBack<>()));
            Pipeline.Outputs out =
                    Pipeline.assemble(
                            Pipeline.Inputs.of(eventStream, intensityStream, registryStream),
                            RegistryStart.ofFile(cfg.registry()),
                            cfg);
            out.aggregates().sinkTo(new Collect<>(run.id, "aggregates")).name("aggregates");
            out.alerts().sinkTo(new Collect<>(run.id, "alerts")).name("alerts");
            out.deadLetters().sinkTo(new Collect<>(run.id, "dead-letters")).name("dead letters");
            out.lateEvents().sinkTo(new Collect<>(run.id, "late-events")).name("late events");
            out.restatements().sinkTo(new Collect<>(run.id, "restatements")).name("restatements");
            out.ledger().sinkTo(new Collect<>(run.id, "ledger")).name("ledger");

            JobClient job = env.executeAsync("carbonstream in memory");
            try {
                job.getJobExecutionResult().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                job.cancel();
                throw new AssertionError(
                        "the in-memory run did not end within "
                                + PATIENCE
                                + "; gates still closed: "
                                + run.closedGates(),
                        e);
            } catch (ExecutionException e) {
                throw new AssertionError("the in-memory run failed", e.getCause());
            }
            return new Result(
                    run.output("aggregates"),
                    run.output("alerts"),
                    run.output("dead-letters"),
                    run.output("late-events"),
                    run.output("restatements"),
                    run.output("ledger"));
        } finally {
            RUNS.remove(run.id);
        }
    }

    private static <T> DataStream<T> source(
            StreamExecutionEnvironment env,
            Run run,
            String name,
            Input<T> input,
            Class<T> type,
            WatermarkStrategy<T> watermarks) {
        if (input.elements.isEmpty())
            throw new IllegalArgumentException("the " + name + " input needs an element");
        run.inputs.put(name, new InputState(input));
        DataGeneratorSource<T> source =
                new DataGeneratorSource<>(
                        new Emit<T>(run.id, name),
                        input.elements.size(),
                        new Gated(run.id, name),
                        TypeInformation.of(type));
        return env.fromSource(source, watermarks, name + " (in memory)").setParallelism(1);
    }

    // ---- decoding, as the job's Kafka sources do ----

    /**
     * Requests as the job's events source decodes them: the test kit's wire format through the
     * job's decoder (validation included), at offsets from {@code firstOffset} of partition 0.
     */
    public static List<RequestEnvelope> requests(
            JobConfig cfg, long firstOffset, List<Scenario.Req> requests) {
        Decoders.Requests decoder = new Decoders.Requests(cfg.limits());
        List<RequestEnvelope> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                records(
                        cfg.get(JobOptions.TOPIC_EVENTS),
                        firstOffset,
                        requests,
                        Scenario.Req::id,
                        r -> Avro.encode(Avro.event(r)))) {
            decoder.deserialize(rec, new ListCollector<>(out));
        }
        return out;
    }

    /** Intensity updates as the job's intensity source decodes them. */
    public static List<ControlEvent> intensity(
            JobConfig cfg, long firstOffset, List<Scenario.Upd> updates) {
        Decoders.Intensity decoder = new Decoders.Intensity(cfg.limits());
        List<ControlEvent> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                records(
                        cfg.get(JobOptions.TOPIC_INTENSITY),
                        firstOffset,
                        updates,
                        Scenario.Upd::zone,
                        u -> Avro.encode(Avro.update(u)))) {
            out.add(decoder.decode(rec, System.currentTimeMillis()));
        }
        return out;
    }

    /**
     * Datacenter versions as the job's registry source decodes them, keyed as a producer keeping
     * every version keys them ({@code id@effective_from}).
     */
    public static List<ControlEvent> registry(
            JobConfig cfg, long firstOffset, List<Scenario.Dc> datacenters, long effectiveFrom) {
        Decoders.Registry decoder = new Decoders.Registry(cfg.limits());
        List<ControlEvent> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> rec :
                records(
                        cfg.get(JobOptions.TOPIC_REGISTRY),
                        firstOffset,
                        datacenters,
                        d -> d.id() + "@" + effectiveFrom,
                        d -> Avro.encode(Avro.datacenter(d, effectiveFrom)))) {
            out.add(decoder.decode(rec));
        }
        return out;
    }

    /** The records a Kafka source would hand its decoder: partition 0, consecutive offsets. */
    private static <T> List<ConsumerRecord<byte[], byte[]>> records(
            String topic,
            long firstOffset,
            List<T> items,
            Function<T, String> key,
            Function<T, byte[]> value) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long offset = firstOffset;
        for (T item : items)
            out.add(
                    new ConsumerRecord<>(
                            topic,
                            0,
                            offset++,
                            key.apply(item).getBytes(StandardCharsets.UTF_8),
                            value.apply(item)));
        return out;
    }

    private record ListCollector<T>(List<T> list) implements org.apache.flink.util.Collector<T> {
        @Override
        public void collect(T record) {
            list.add(record);
        }

        @Override
        public void close() {}
    }

    // ---- the run's shared state ----

    static final class InputState {
        final List<?> elements;
        final Map<Integer, Gate> gates;

        /** Elements emitted so far: the next element's index. */
        final AtomicInteger emitted = new AtomicInteger();

        InputState(Input<?> input) {
            this.elements = new ArrayList<>(input.elements);
            this.gates = new HashMap<>(input.gates);
        }
    }

    static final class Run {
        final String id = UUID.randomUUID().toString();
        final Map<String, InputState> inputs = new ConcurrentHashMap<>();
        final Map<String, List<Object>> outputs = new ConcurrentHashMap<>();

        void collected(String output, Object record) {
            outputs.computeIfAbsent(
                            output, o -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(record);
            for (InputState in : inputs.values())
                for (Gate g : in.gates.values())
                    if (!g.open.isDone() && g.condition.test(record)) g.open.complete(null);
        }

        @SuppressWarnings("unchecked")
        <T> List<T> output(String name) {
            List<Object> l = outputs.get(name);
            if (l == null) return List.of();
            synchronized (l) {
                return (List<T>) List.copyOf(l);
            }
        }

        List<String> closedGates() {
            List<String> closed = new ArrayList<>();
            inputs.forEach(
                    (name, in) ->
                            in.gates.forEach(
                                    (i, g) -> {
                                        if (!g.open.isDone())
                                            closed.add(name + " before #" + i + ": " + g.what);
                                    }));
            return closed;
        }

        static Run get(String id) {
            Run r = RUNS.get(id);
            if (r == null) throw new IllegalStateException("no in-memory run " + id);
            return r;
        }
    }

    // ---- Flink functions (serializable: they carry the run id and find the rest by it) ----

    /** Element i of the input, as it is (each is emitted once). */
    static final class Emit<T> implements GeneratorFunction<Long, T> {
        private final String run;
        private final String input;
        private transient InputState state;

        Emit(String run, String input) {
            this.run = run;
            this.input = input;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T map(Long index) {
            if (state == null) state = Run.get(run).inputs.get(input);
            int i = Math.toIntExact(index);
            state.emitted.set(i + 1);
            return (T) state.elements.get(i);
        }
    }

    /**
     * The source's rate limiter: the reader asks it before each element, and waits (without
     * blocking its thread) on the future of the gate in front of the next element, if any.
     */
    static final class Gated implements RateLimiterStrategy<NumberSequenceSplit> {
        private final String run;
        private final String input;

        Gated(String run, String input) {
            this.run = run;
            this.input = input;
        }

        @Override
        public RateLimiter<NumberSequenceSplit> createRateLimiter(int parallelism) {
            InputState state = Run.get(run).inputs.get(input);
            return new RateLimiter<>() {
                @Override
                public CompletionStage<Void> acquire(int permits) {
                    Gate g = state.gates.get(state.emitted.get());
                    return g == null ? CompletableFuture.completedFuture(null) : g.open;
                }
            };
        }
    }

    /**
     * The job's watermark rule (the largest timestamp so far minus the disorder, minus 1 ms), after
     * every element that has a timestamp.
     */
    static final class Punctuated<T> implements WatermarkGenerator<T> {
        private final long disorder;
        private long max = Long.MIN_VALUE;

        Punctuated(long disorder) {
            this.disorder = disorder;
        }

        @Override
        public void onEvent(T e, long timestamp, WatermarkOutput out) {
            if (timestamp == Long.MIN_VALUE) return; // a rejected record: no say in event time
            if (timestamp > max) {
                max = timestamp;
                out.emitWatermark(new Watermark(max - disorder - 1));
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {}
    }

    static final class Nothing implements FilterFunction<ControlEvent> {
        @Override
        public boolean filter(ControlEvent e) {
            return false;
        }
    }

    /** Collects an output into the run (a copy: the job's operators may reuse their objects). */
    static final class Collect<T> implements Sink<T> {
        private final String run;
        private final String output;

        Collect(String run, String output) {
            this.run = run;
            this.output = output;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            TypeSerializer<T> serializer = context.createInputSerializer();
            Function<T, T> copy = context.isObjectReuseEnabled() ? serializer::copy : v -> v;
            Run r = Run.get(run);
            return new SinkWriter<>() {
                @Override
                public void write(T value, Context ctx) {
                    r.collected(output, copy.apply(value));
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
