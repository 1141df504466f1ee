package io.carbonstream.connect.common;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that drive a source task through poll() on a fake clock against the fixture
 * server: the clock (starting at the test's t0), its sleeper, the server, a capture of every log
 * line, and the harness of the task once started.
 */
public abstract class FixtureTaskTest<T extends PollingSourceTask<?>> {

    /** Makes a task (each restart makes a fresh one) on the test's clock and sleeper. */
    public interface TaskFactory<T> {
        T make(FakeClock clock, ClockSleeper sleeper);
    }

    private final Instant t0;
    private final TaskFactory<T> factory;
    protected FakeClock clock;
    protected ClockSleeper sleeper;
    protected FixtureServer server;
    protected LogCapture logs;
    protected TaskHarness<T> harness;

    protected FixtureTaskTest(Instant t0, TaskFactory<T> factory) {
        this.t0 = t0;
        this.factory = factory;
    }

    @BeforeEach
    final void startFixture() {
        logs = new LogCapture();
        clock = new FakeClock(t0);
        sleeper = new ClockSleeper(clock);
        server = new FixtureServer(clock);
    }

    protected TaskHarness<T> start(Map<String, String> props) {
        harness = new TaskHarness<>(() -> factory.make(clock, sleeper), props, clock, sleeper);
        return harness;
    }

    @AfterEach
    final void stopFixture() {
        if (harness != null) harness.stop();
        server.close();
        logs.close();
        afterStop();
    }

    /** Checks once the task, the server and the capture have stopped (every log line is in). */
    protected void afterStop() {}
}
