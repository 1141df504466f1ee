package io.carbonstream.gpu;

import io.carbonstream.aggregate.MeteredRequest;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The two routes to pricing with --gpu.price-attributed: requests that wait for their metered
 * energy ({@link Recombination#waits}) go to the side output, to be recombined with their pieces;
 * all others go on to pricing as they are.
 */
public final class WaitingRequests extends ProcessFunction<MeteredRequest, MeteredRequest> {

    public static final OutputTag<MeteredRequest> WAITING =
            new OutputTag<>("waiting-for-metered-energy", TypeInformation.of(MeteredRequest.class));

    @Override
    public void processElement(MeteredRequest m, Context ctx, Collector<MeteredRequest> out) {
        if (Recombination.waits(m.request, m.provenance)) ctx.output(WAITING, m);
        else out.collect(m);
    }

    /** The requests' pieces among what attribution finalizes: those a waiting request needs. */
    public static final class Pieces implements FlatMapFunction<GpuOutput, RequestEnergy> {
        @Override
        public void flatMap(GpuOutput o, Collector<RequestEnergy> out) {
            if (o.request != null && o.request.awaited) out.collect(o.request);
        }
    }
}
