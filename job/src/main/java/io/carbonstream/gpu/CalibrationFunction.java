package io.carbonstream.gpu;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sums what attribution finalizes per datacenter hour (its GPUs' metered, attributed and idle
 * energy) and per (datacenter, model) hour (energy attributed to the model's requests beside the
 * catalog's estimate of them), and passes each GPU hour on. Sums change as GPUs and requests become
 * final: a key is re-emitted, as a new revision, once per watermark step in which it changed (a
 * timer just past the current watermark), not once per input.
 */
public class CalibrationFunction
        extends KeyedProcessFunction<String, GpuOutput, GpuAttributionRecord> {

    private transient ValueState<GpuAttributionRecord> sums;
    private transient ValueState<Boolean> dirty;

    @Override
    public void open(OpenContext ctx) {
        sums =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "sums", TypeInformation.of(GpuAttributionRecord.class)));
        dirty = getRuntimeContext().getState(new ValueStateDescriptor<>("dirty", Boolean.class));
    }

    @Override
    public void processElement(GpuOutput in, Context ctx, Collector<GpuAttributionRecord> out)
            throws Exception {
        GpuAttributionRecord s = sums.value();
        if (in.hour != null) {
            out.collect(GpuAttributionRecord.of(in.hour)); // final as it is
            GpuHour h = in.hour;
            if (s == null) {
                s = new GpuAttributionRecord();
                s.type = GpuAttributionRecord.DATACENTER_HOUR;
                s.hourStart = h.hourStart;
                s.datacenterId = h.datacenterId;
                s.revision = 0;
            }
            s.meteredJ += h.meteredJ;
            s.attributedJ += h.attributedJ;
            s.idleJ += h.idleJ;
            s.gpus++;
            s.resets += h.resets;
            s.gaps += h.gaps;
            s.implausible += h.implausible;
        } else {
            RequestEnergy r = in.request;
            if (s == null) {
                s = new GpuAttributionRecord();
                s.type = GpuAttributionRecord.MODEL_HOUR;
                s.hourStart = Math.floorDiv(r.eventTime, GpuAttributor.HOUR) * GpuAttributor.HOUR;
                s.datacenterId = r.datacenterId;
                s.modelId = r.modelId;
                s.revision = 0;
            }
            s.attributedJ += r.attributedJ;
            s.estimatedJ += r.estimateJ;
            s.requests++;
            if (r.partlyUnmetered) {
                s.partlyUnmetered++;
            } else {
                s.fullyMeteredJ += r.attributedJ;
                s.fullyMeteredEstimateJ += r.estimateJ;
            }
        }
        sums.update(s);
        if (dirty.value() == null) {
            dirty.update(true);
            ctx.timerService().registerEventTimeTimer(ctx.timerService().currentWatermark() + 1);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<GpuAttributionRecord> out)
            throws Exception {
        GpuAttributionRecord s = sums.value();
        dirty.clear();
        if (s == null) return;
        s.revision++;
        sums.update(s);
        out.collect(copy(s));
    }

    private static GpuAttributionRecord copy(GpuAttributionRecord s) {
        GpuAttributionRecord c = new GpuAttributionRecord();
        c.type = s.type;
        c.hourStart = s.hourStart;
        c.datacenterId = s.datacenterId;
        c.gpuId = s.gpuId;
        c.modelId = s.modelId;
        c.revision = s.revision;
        c.meteredJ = s.meteredJ;
        c.attributedJ = s.attributedJ;
        c.idleJ = s.idleJ;
        c.estimatedJ = s.estimatedJ;
        c.fullyMeteredJ = s.fullyMeteredJ;
        c.fullyMeteredEstimateJ = s.fullyMeteredEstimateJ;
        c.requests = s.requests;
        c.partlyUnmetered = s.partlyUnmetered;
        c.gpus = s.gpus;
        c.resets = s.resets;
        c.gaps = s.gaps;
        c.implausible = s.implausible;
        return c;
    }
}
