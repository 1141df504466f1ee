package io.carbonstream.ledger;

import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Reason;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The hourly ledger, keyed by grid zone (the boundary certificates are matched in): takes the HOUR
 * aggregates of its datacenters and their models, and the certificates delivered in the zone, and
 * emits a row per datacenter and hour each time what the row reports changes. The registry
 * (broadcast, as for pricing) tells where a certificate's datacenter or organisation is.
 *
 * <p>No timers: a row is a function of the hour's state, emitted on every change, so the topic's
 * latest revision per key is the same whatever order aggregates and certificates arrive in. Hours
 * are kept for the retention (certificates are issued weeks after the hour), counted from the
 * newest hour of the zone; a certificate for an hour already dropped is dead-lettered.
 */
public class LedgerFunction
        extends KeyedBroadcastProcessFunction<String, LedgerInput, ControlEvent, LedgerRow> {

    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = PaneFunction.DEAD_LETTERS;

    private static final MapStateDescriptor<Long, HourState> HOURS =
            new MapStateDescriptor<>(
                    "ledger-hours", Types.LONG, TypeInformation.of(HourState.class));
    private static final ValueStateDescriptor<Long> NEWEST =
            new ValueStateDescriptor<>("ledger-newest-hour", Types.LONG);

    private final RegistryStart registryStart;
    private final LedgerCore core;
    private final long retentionMs;

    private transient MapState<Long, HourState> hours;
    private transient ValueState<Long> newest;
    private transient Counter certificatesRead;
    private transient Counter certificatesPlaced;
    private transient Counter certificatesDeadLettered;
    private transient Counter rowsEmitted;

    public LedgerFunction(RegistryStart registryStart, ResidualMix residualMix, long retentionMs) {
        this.registryStart = registryStart;
        this.core = new LedgerCore(residualMix);
        this.retentionMs = retentionMs;
    }

    @Override
    public void open(OpenContext ctx) {
        hours = getRuntimeContext().getMapState(HOURS);
        newest = getRuntimeContext().getState(NEWEST);
        MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("carbonstream");
        // Conservation: certificatesRead = certificatesPlaced + certificatesDeadLettered.
        certificatesRead = g.counter("ledgerCertificatesRead");
        certificatesPlaced = g.counter("ledgerCertificatesPlaced");
        certificatesDeadLettered = g.counter("ledgerCertificatesDeadLettered");
        rowsEmitted = g.counter("ledgerRowsEmitted");
    }

    @Override
    public void processElement(LedgerInput in, ReadOnlyContext ctx, Collector<LedgerRow> out)
            throws Exception {
        String zone = ctx.getCurrentKey();
        Long newestHour = newest.value();
        if (in.aggregate != null) {
            long hour = in.aggregate.windowStart;
            if (newestHour != null && hour < newestHour - retentionMs)
                return; // cannot happen: restatements reach back less far
            HourState s = hours.get(hour);
            if (s == null) s = new HourState();
            if (!LedgerCore.apply(s, in.aggregate)) return;
            emit(zone, hour, s, out);
            if (newestHour == null || hour > newestHour) {
                newest.update(hour);
                dropBefore(hour - retentionMs);
            }
            return;
        }
        CertificateRecord c = in.certificate;
        certificatesRead.inc();
        if (newestHour != null && c.hourStart < newestHour - retentionMs) {
            reject(
                    c,
                    Reason.BEYOND_RETENTION,
                    "the ledger no longer keeps hour "
                            + java.time.Instant.ofEpochMilli(c.hourStart)
                            + " of zone "
                            + zone
                            + " (--ledger.retention): raise the retention, or rebuild the period"
                            + " with a bounded run",
                    ctx);
            return;
        }
        List<DatacenterProfile> members = new ArrayList<>();
        String problem =
                LedgerCore.placement(
                        c,
                        registryAt(c.hourStart, ctx.getBroadcastState(PaneFunction.REGISTRY)),
                        members);
        if (problem != null) {
            reject(c, Reason.CERTIFICATE_OUTSIDE_BOUNDARY, problem, ctx);
            return;
        }
        certificatesPlaced.inc();
        c.key = null; // placed: its bytes are not needed any more, keep state small
        c.value = null;
        HourState s = hours.get(c.hourStart);
        if (s == null) s = new HourState();
        LedgerCore.apply(s, c, members);
        emit(zone, c.hourStart, s, out);
    }

    private void emit(String zone, long hour, HourState s, Collector<LedgerRow> out)
            throws Exception {
        for (LedgerRow r : core.changedRows(zone, hour, s)) {
            out.collect(r);
            rowsEmitted.inc();
        }
        hours.put(hour, s);
    }

    private void reject(CertificateRecord c, Reason reason, String message, ReadOnlyContext ctx) {
        certificatesDeadLettered.inc();
        ctx.output(
                DEAD_LETTERS,
                DeadLetterRecord.of(
                        reason,
                        "certificate " + c.certificateId + ": " + message,
                        c.sourceTopic,
                        c.sourcePartition,
                        c.sourceOffset,
                        c.sourceTimestamp,
                        c.key,
                        c.value));
    }

    private void dropBefore(long t) throws Exception {
        for (Iterator<Long> it = hours.keys().iterator(); it.hasNext(); ) {
            if (it.next() < t) it.remove();
        }
    }

    /**
     * Every datacenter's registry version in force at t: the start snapshot overlaid with the
     * topic's later records.
     */
    private Map<String, DatacenterProfile> registryAt(
            long t, ReadOnlyBroadcastState<String, DatacenterHistory> state) throws Exception {
        return registryStart.asOf(t, state);
    }

    @Override
    public void processBroadcastElement(ControlEvent e, Context ctx, Collector<LedgerRow> out)
            throws Exception {
        registryStart.apply(
                ctx.getBroadcastState(PaneFunction.REGISTRY),
                e.datacenter,
                e.deletedDatacenter,
                e.sourcePartition,
                e.sourceOffset);
    }
}
