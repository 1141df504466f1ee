package io.carbonstream.benchmark;

import io.carbonstream.ingest.RequestEnvelope;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Chained right behind carbonstream's events source (through the job's events tap): records the
 * wall time of the first request decoded. The MiniCluster runs in this JVM, so a static is enough.
 */
public class FirstRecordProbe implements MapFunction<RequestEnvelope, RequestEnvelope> {

    public static final AtomicLong FIRST_MS = new AtomicLong(Long.MAX_VALUE);

    @Override
    public RequestEnvelope map(RequestEnvelope e) {
        if (FIRST_MS.get() == Long.MAX_VALUE) FIRST_MS.compareAndSet(Long.MAX_VALUE, System.currentTimeMillis());
        return e;
    }
}
