package io.carbonstream.benchmark;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.Pipeline;
import io.carbonstream.aggregate.MeteredRequest;
import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.aggregate.RequestIntake;
import io.carbonstream.config.JobConfig;
import io.carbonstream.energy.EnergyModel;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * What any Flink job reading this topic pays before doing its own work: carbonstream's own events
 * source (Kafka reader, decode, validate) and request intake (GPU energy), with the requests then
 * thrown away; the same plus one unchained forward edge (serialize, local channel, deserialize),
 * the least any pricing joined with a broadcast stream needs (a two-input operator cannot be
 * chained to the source); and the same with carbonstream's keyBy by (datacenter, model) instead.
 * carbonstream's distance to these floors is its own cost; their distance to the plain-consumer
 * limit is Flink's.
 */
final class Floor {

    private Floor() {}

    enum Shape {
        SOURCE_ONLY("FLOOR: Flink source + decode + GPU energy, discarded"),
        SOURCE_FORWARD("FLOOR: same + one unchained forward edge for every request, discarded"),
        SOURCE_KEYBY(
                "FLOOR: same + keyBy(datacenter, model) of every request (carbonstream's shuffle),"
                        + " discarded");

        final String label;

        Shape(String label) {
            this.label = label;
        }
    }

    /**
     * Wall times: submitted, first request read, last request read, job finished (after its final
     * checkpoint).
     */
    record Result(long submitMs, long firstMs, long lastMs, long endMs) {}

    static Result run(Flink flink, Map<String, String> jobOptions, Shape shape, long requests)
            throws Exception {
        JobConfig cfg = JobConfig.fromMap(jobOptions);
        StreamExecutionEnvironment env = flink.env();
        CarbonStreamJob.configure(env, cfg);
        DataStream<MeteredRequest> metered =
                CarbonStreamJob.eventsSource(env, cfg)
                        .map(new FirstRecordProbe(true))
                        .name("benchmark: first- and last-record probe")
                        .process(
                                new RequestIntake(
                                        new EnergyModel(cfg.catalog()), PaneFunction.DEAD_LETTERS));
        switch (shape) {
            case SOURCE_ONLY -> metered.sinkTo(new DiscardingSink<>()).name("discard");
            case SOURCE_FORWARD ->
                    metered.forward()
                            .sinkTo(new DiscardingSink<>())
                            .name("discard")
                            .disableChaining();
            case SOURCE_KEYBY ->
                    metered.keyBy(new Pipeline.ByDatacenterModel())
                            .sinkTo(new DiscardingSink<>())
                            .name("discard");
        }
        FirstRecordProbe.FIRST_MS.set(Long.MAX_VALUE);
        FirstRecordProbe.LAST_MS.set(Long.MIN_VALUE);
        long t0 = System.currentTimeMillis();
        JobID id = flink.submit(env, "floor-" + shape.name().toLowerCase());
        flink.await(id);
        long end = System.currentTimeMillis();
        return new Result(t0, FirstRecordProbe.FIRST_MS.get(), FirstRecordProbe.LAST_MS.get(), end);
    }
}
