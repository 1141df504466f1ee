package io.carbonstream.connect.common;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How a task waits inside poll(): for real, on a latch that stop() releases; in unit tests, by
 * moving a clock.
 */
public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /** Ends the current and every later sleep at once (the task is stopping). */
    void wakeUp();

    static Sleeper real() {
        CountDownLatch stopped = new CountDownLatch(1);
        return new Sleeper() {
            @Override
            public void sleep(Duration d) throws InterruptedException {
                if (!d.isNegative() && !d.isZero())
                    stopped.await(d.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public void wakeUp() {
                stopped.countDown();
            }
        };
    }
}
