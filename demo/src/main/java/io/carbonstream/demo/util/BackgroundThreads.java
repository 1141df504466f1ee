package io.carbonstream.demo.util;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How the demo's background loops (publisher, live view) are stopped: politely, then firmly. */
public final class BackgroundThreads {

    private BackgroundThreads() {}

    /**
     * Signals {@code stop}, gives the thread {@code grace} to finish its loop on its own (it counts
     * down {@code done}), interrupts it if it has not, and waits up to {@code join} for it to end.
     * A null thread (never started) only gets the signal.
     */
    public static void stop(
            CountDownLatch stop,
            CountDownLatch done,
            Thread thread,
            Duration grace,
            Duration join) {
        stop.countDown();
        if (thread == null) return;
        try {
            if (!done.await(grace.toMillis(), TimeUnit.MILLISECONDS)) thread.interrupt();
            thread.join(join.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
