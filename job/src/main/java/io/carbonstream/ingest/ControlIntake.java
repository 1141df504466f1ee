package io.carbonstream.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Counts one control input (intensity or registry) and routes its rejected records to the dead
 * letters.
 */
public class ControlIntake extends ProcessFunction<ControlEvent, ControlEvent> {

    private final String input;
    private final OutputTag<DeadLetterRecord> deadLetters;
    private transient Counter read;
    private transient Counter deadLettered;

    public ControlIntake(String input, OutputTag<DeadLetterRecord> deadLetters) {
        this.input = input;
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup g =
                getRuntimeContext()
                        .getMetricGroup()
                        .addGroup("carbonstream")
                        .addGroup("input", input);
        read = g.counter("recordsRead");
        deadLettered = g.counter("recordsDeadLettered");
    }

    @Override
    public void processElement(ControlEvent e, Context ctx, Collector<ControlEvent> out) {
        read.inc();
        if (e.rejected != null) {
            deadLettered.inc();
            ctx.output(deadLetters, e.rejected);
        } else {
            out.collect(e);
        }
    }
}
