package io.carbonstream.benchmark;

import io.carbonstream.ingest.RequestEnvelope;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Chained right behind carbonstream's events source (through the job's events tap): records the
 * wall time of the first request decoded and, for the floors (whose output is discarded, so no
 * topic can tell), of the last one. The MiniCluster runs in this JVM, so a static is enough.
 */
public class FirstRecordProbe implements MapFunction<RequestEnvelope, RequestEnvelope> {

    public static final AtomicLong FIRST_MS = new AtomicLong(Long.MAX_VALUE);
    public static final AtomicLong LAST_MS = new AtomicLong(Long.MIN_VALUE);

    private final boolean trackLast;

    public FirstRecordProbe() {
        this(false);
    }

    /**
     * {@code trackLast}: also note the time of every record (one clock read per record: floors
     * only).
     */
    public FirstRecordProbe(boolean trackLast) {
        this.trackLast = trackLast;
    }

    @Override
    public RequestEnvelope map(RequestEnvelope e) {
        if (FIRST_MS.get() == Long.MAX_VALUE)
            FIRST_MS.compareAndSet(Long.MAX_VALUE, System.currentTimeMillis());
        if (trackLast) LAST_MS.accumulateAndGet(System.currentTimeMillis(), Math::max);
        return e;
    }
}
