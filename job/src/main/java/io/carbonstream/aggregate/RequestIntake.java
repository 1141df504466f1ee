package io.carbonstream.aggregate;

import io.carbonstream.energy.EnergyEstimate;
import io.carbonstream.energy.EnergyModel;
import io.carbonstream.energy.Provenance;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.RequestEnvelope;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * First step after the events source, chained to it: counts what was read, routes rejected records
 * to the dead letters, and attaches GPU energy (measured or estimated) to the rest.
 *
 * <p>It lives with pricing rather than with the decoders because its output, {@link
 * MeteredRequest}, is pricing's input: {@code ingest} decodes and validates and knows nothing of
 * what consumes it, so the packages depend one way only (ArchitectureTest checks this).
 */
public class RequestIntake extends ProcessFunction<RequestEnvelope, MeteredRequest> {

    private final EnergyModel energy;
    private final OutputTag<DeadLetterRecord> deadLetters;
    private transient Counter read;
    private transient Counter deadLettered;
    private transient Map<Provenance, Counter> byProvenance;
    private transient Counter measurementsRejected;

    public RequestIntake(EnergyModel energy, OutputTag<DeadLetterRecord> deadLetters) {
        this.energy = energy;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("carbonstream");
        read = g.counter("requestsRead");
        deadLettered = g.counter("requestsDeadLettered");
        measurementsRejected = g.counter("measurementsRejected");
        byProvenance = new EnumMap<>(Provenance.class);
        for (Provenance p : Provenance.values())
            byProvenance.put(p, g.addGroup("provenance", p.name()).counter("requests"));
    }

    @Override
    public void processElement(RequestEnvelope e, Context ctx, Collector<MeteredRequest> out) {
        read.inc();
        if (e.rejected != null) {
            deadLettered.inc();
            ctx.output(deadLetters, e.rejected);
            return;
        }
        EnergyEstimate est = energy.gpuEnergy(e.request);
        byProvenance.get(est.provenance()).inc();
        MeteredRequest m = new MeteredRequest(e.request, est.gpuJoules(), est.provenance());
        if (est.measurementRejected()) {
            measurementsRejected.inc();
            m.measurementRejected = true;
        }
        out.collect(m);
    }
}
