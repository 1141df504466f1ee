package io.carbonstream.connect.common;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with "equal jitter": attempt n waits a random time in [d/2, d], d = initial x
 * 2^(n-1) capped at max. A server's Retry-After is honoured (never retry earlier than it asks) but
 * capped at retryAfterMax, so that a wrong header cannot park a task for days. Attempts are not
 * limited: the task stays alive and keeps trying.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final Duration retryAfterMax;
    private final Random random;

    public Backoff(Duration initial, Duration max, Duration retryAfterMax, Random random) {
        this.initial = initial;
        this.max = max.compareTo(initial) < 0 ? initial : max;
        this.retryAfterMax = retryAfterMax;
        this.random = random;
    }

    public Duration delay(int attempt, Duration retryAfter) {
        long cap = max.toMillis();
        long d = initial.toMillis();
        for (int i = 1; i < attempt && d < cap; i++) d *= 2;
        d = Math.min(d, cap);
        long jittered = d / 2 + (long) (random.nextDouble() * (d - d / 2));
        Duration out = Duration.ofMillis(Math.max(jittered, 1));
        if (retryAfter != null) {
            Duration asked = retryAfter.compareTo(retryAfterMax) > 0 ? retryAfterMax : retryAfter;
            if (asked.compareTo(out) > 0) out = asked;
        }
        return out;
    }

    public Duration max() {
        return max;
    }
}
