package io.carbonstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.config.JobConfig;
import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.RequestEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline on in-memory inputs, no broker (as flink-training tests its exercises): conservation
 * with late requests, revisions, dead letters and the three dimensions, watermarks set by each
 * event. Exact lateness cases are in the harness tests (one input, ordered) and, for the whole
 * pipeline, in InMemoryPipelineTest (inputs that wait for proof of the watermark). Figures are
 * computed here from measured joules: facility kWh = J x 1.75 x PUE / 3.6e6, grams = kWh x
 * intensity.
 */
class PipelineTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final long MIN = 60_000;
    static final long BASE = 1_798_761_600_000L; // 2027-01-01T00:00:00Z, on the hour
    static final double PUE = 1.2;
    static final double G = 300.0;
    static final double J = 7_200.0;

    /** A watermark after every event: its time minus the out-of-orderness (5 s), deterministic. */
    static final class EveryEvent implements WatermarkGenerator<RequestEnvelope> {
        private long max = Long.MIN_VALUE;

        @Override
        public void onEvent(RequestEnvelope e, long t, WatermarkOutput out) {
            if (e.request == null) return;
            max = Math.max(max, t);
            out.emitWatermark(new Watermark(max - 5_000));
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput out) {}
    }

    static RequestEnvelope req(String id, long t, String model) {
        InferenceRequest r = new InferenceRequest();
        r.requestId = id;
        r.eventTime = t;
        r.datacenterId = "dc-1";
        r.modelId = model;
        r.modality = Modality.TEXT;
        r.outputTokens = 100;
        r.gpuCount = 1;
        r.durationMs = 10_000;
        r.measuredGpuJoules = J;
        return RequestEnvelope.valid(r);
    }

    static double grams(int requests) {
        return requests * J * 1.75 * PUE / 3.6e6 * G;
    }

    /** One of the outputs, so that a single job can collect them all. A Flink POJO. */
    public static class Collected {
        public AggregateRecord aggregate;
        public DeadLetterRecord late;
        public DeadLetterRecord dead;

        public Collected() {}

        static Collected aggregate(AggregateRecord a) {
            Collected c = new Collected();
            c.aggregate = a;
            return c;
        }

        static Collected late(DeadLetterRecord d) {
            Collected c = new Collected();
            c.late = d;
            return c;
        }

        static Collected dead(DeadLetterRecord d) {
            Collected c = new Collected();
            c.dead = d;
            return c;
        }
    }

    record Run(
            List<AggregateRecord> aggregates,
            List<DeadLetterRecord> late,
            List<DeadLetterRecord> deadLetters) {

        /**
         * The last revision of each aggregate key among those of a window kind and dimension whose
         * window start passes the test.
         */
        List<AggregateRecord> latestPerKey(
                WindowKind window, Dimension dimension, LongPredicate start) {
            Map<String, AggregateRecord> latest = new java.util.HashMap<>();
            for (AggregateRecord a : aggregates) {
                if (a.window == window && a.dimension == dimension && start.test(a.windowStart))
                    latest.merge(a.kafkaKey(), a, (x, y) -> y.revision > x.revision ? y : x);
            }
            return new ArrayList<>(latest.values());
        }
    }

    static Run run(Path tmp, List<RequestEnvelope> events) throws Exception {
        Path registry =
                Files.writeString(
                        tmp.resolve("registry.json"),
                        "[{\"datacenter_id\":\"dc-1\",\"zone\":\"Z\",\"pue\":"
                                + PUE
                                + ",\"wue_l_per_kwh\":0.5}]");
        JobConfig cfg =
                JobConfig.fromMap(
                        Map.of(
                                "bootstrap-servers",
                                "unused:9092",
                                "registry-file",
                                registry.toString(),
                                "parallelism",
                                "1",
                                "allowed-lateness",
                                "2 min",
                                "restatement.horizon",
                                "0 s",
                                "ledger.retention",
                                "1 h",
                                // The zone's default equals its one update: a request priced before
                                // the update reaches the
                                // pricing operator (a second input, no order across inputs) costs
                                // the same.
                                "intensity.zone-defaults",
                                "Z:" + G));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        CarbonStreamJob.configure(env, cfg);
        DataStream<RequestEnvelope> in =
                env.fromData(
                                TypeInformation.of(RequestEnvelope.class),
                                events.toArray(RequestEnvelope[]::new))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<RequestEnvelope>forGenerator(
                                                c -> new EveryEvent())
                                        .withTimestampAssigner(
                                                (e, ts) ->
                                                        e.request != null
                                                                ? e.request.eventTime
                                                                : Long.MIN_VALUE));
        IntensityReading reading = new IntensityReading("Z", BASE - MIN, G);
        DataStream<ControlEvent> intensity =
                env.fromData(TypeInformation.of(ControlEvent.class), ControlEvent.of(reading))
                        .assignTimestampsAndWatermarks(
                                WatermarkStrategy.<ControlEvent>forMonotonousTimestamps()
                                        .withTimestampAssigner((e, ts) -> BASE - MIN));
        // No registry topic records: the file is the registry (an empty stream, with the
        // intensity's watermarks).
        DataStream<ControlEvent> registryTopic = intensity.filter(e -> false);
        Pipeline.Outputs out = Pipeline.assemble(in, intensity, registryTopic, cfg);
        // One job, three collected outputs: tag them and split after.
        List<AggregateRecord> aggregates = new ArrayList<>();
        List<DeadLetterRecord> late = new ArrayList<>();
        List<DeadLetterRecord> dead = new ArrayList<>();
        DataStream<Collected> all =
                out.aggregates()
                        .map(Collected::aggregate)
                        .union(
                                out.lateEvents().map(Collected::late),
                                out.deadLetters().map(Collected::dead));
        try (CloseableIterator<Collected> it = all.executeAndCollect()) {
            while (it.hasNext()) {
                Collected o = it.next();
                if (o.aggregate != null) aggregates.add(o.aggregate);
                if (o.late != null) late.add(o.late);
                if (o.dead != null) dead.add(o.dead);
            }
        }
        return new Run(aggregates, late, dead);
    }

    @Test
    void everyRequestIsCountedOnceInEachDimensionOrIsALateEvent(@TempDir Path tmp)
            throws Exception {
        // Out-of-order requests, some behind the watermark. Which of them are late depends on when
        // the
        // broadcast input's watermark reaches the pricing operator (a second input: no order across
        // inputs), so this checks what holds whatever the interleaving: nothing lost, nothing
        // twice,
        // the dimensions agree, a revision names its reason, and the grams follow the energy.
        Run r =
                run(
                        tmp,
                        List.of(
                                req("a", BASE + 30_000, "m1"),
                                req("b", BASE + 40_000, "m1"),
                                req("c", BASE + 3 * MIN + 10_000, "m2"),
                                req("d", BASE + 4 * MIN + 30_000, "m1"),
                                req("e", BASE + 10_000, "m1"),
                                req("f", BASE + 3 * MIN + 20_000, "m1"),
                                req("g", BASE + 70 * MIN, "m1")));
        assertThat(r.late()).allSatisfy(d -> assertThat(d.reason).isEqualTo(Reason.LATE));
        long late = r.late().size();
        for (Dimension dim : Dimension.values()) {
            List<AggregateRecord> hour =
                    r.latestPerKey(WindowKind.HOUR, dim, start -> start == BASE);
            long requests = requests(hour);
            double g = hour.stream().mapToDouble(a -> a.totals.locationG).sum();
            assertThat(requests + late).as(dim.name()).isEqualTo(6);
            assertThat(g).as(dim.name()).isCloseTo(grams((int) requests), within(1e-9));
        }
        // Minute by minute, the final revisions add up to the hour.
        long minutes =
                requests(
                        r.latestPerKey(
                                WindowKind.MINUTE,
                                Dimension.DATACENTER,
                                start -> start < BASE + 60 * MIN));
        assertThat(minutes + late).isEqualTo(6);
        assertThat(r.aggregates())
                .filteredOn(a -> a.revision > 1)
                .allSatisfy(a -> assertThat(a.revisionReason).isEqualTo("LATE_REQUEST"));
        assertThat(r.aggregates())
                .filteredOn(a -> a.revision == 1)
                .allSatisfy(a -> assertThat(a.revisionReason).isEqualTo("FIRST_EMISSION"));
    }

    @Test
    void rejectedRecordsAreDeadLettersAndCountNowhere(@TempDir Path tmp) throws Exception {
        DeadLetterRecord junk =
                DeadLetterRecord.of(
                        Reason.UNDECODABLE,
                        "not an InferenceEvent",
                        "events",
                        0,
                        7,
                        0,
                        null,
                        new byte[] {1});
        RequestEnvelope unknown = req("u", BASE + 20_000, "m1");
        unknown.request.datacenterId = "dc-nowhere";
        Run r =
                run(
                        tmp,
                        List.of(
                                req("a", BASE + 10_000, "m1"),
                                RequestEnvelope.rejected(junk),
                                unknown,
                                req("z", BASE + 70 * MIN, "m1")));
        assertThat(r.deadLetters())
                .extracting(d -> d.reason)
                .containsExactlyInAnyOrder(Reason.UNDECODABLE, Reason.UNKNOWN_DATACENTER);
        assertThat(r.late()).isEmpty();
        long first =
                requests(
                        r.latestPerKey(
                                WindowKind.HOUR, Dimension.DATACENTER, start -> start == BASE));
        assertThat(first).isEqualTo(1);
    }

    static long requests(List<AggregateRecord> aggregates) {
        return aggregates.stream().mapToLong(a -> a.totals.requests).sum();
    }
}
