package io.carbonstream.connect.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sleep that takes no wall time: it moves the fake clock by what the task asked for, and
 * remembers it.
 */
public final class ClockSleeper implements Sleeper {
    private final FakeClock clock;
    public final List<Duration> sleeps = new ArrayList<>();

    public ClockSleeper(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        clock.advance(d);
    }

    @Override
    public void wakeUp() {}
}
