package io.carbonstream.ledger;

import io.carbonstream.ingest.DeadLetterRecord;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Certificates on to the ledger, unreadable records to the dead letters; counts both
 * (conservation).
 */
public class CertificateIntake extends ProcessFunction<LedgerInput, LedgerInput> {

    private final OutputTag<DeadLetterRecord> deadLetters;
    private transient Counter read;
    private transient Counter deadLettered;

    public CertificateIntake(OutputTag<DeadLetterRecord> deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public void open(OpenContext ctx) {
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("carbonstream");
        // certificatesRecordsRead = certificatesUndecodable + ledgerCertificatesRead (ledger:
        // placed + dead-lettered).
        read = g.counter("certificateRecordsRead");
        deadLettered = g.counter("certificateRecordsDeadLettered");
    }

    @Override
    public void processElement(LedgerInput in, Context ctx, Collector<LedgerInput> out) {
        read.inc();
        if (in.rejected != null) {
            deadLettered.inc();
            ctx.output(deadLetters, in.rejected);
            return;
        }
        out.collect(in);
    }
}
