package io.carbonstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.generator.GpuCounters;
import org.junit.jupiter.api.Test;

/** The demo's job settings against what the generator's GPU counters rely on. */
class DemoRunGpuCountersTest {

    @Test
    void theJobWaitsLongerThanTheLongestMeteredRequestAndTheReadingsWaitForIt() {
        // Every request on a GPU (at most MAX_REQUEST_MS, published at most 3.5 s after it ended)
        // reaches the job before the GPU's intervals it ran in are final, and every reading is
        // drawn after the requests it includes.
        assertThat(DemoRun.MAX_REQUEST_DURATION.toMillis())
                .isGreaterThan(GpuCounters.MAX_REQUEST_MS + 3_500);
        assertThat(GpuCounters.PUBLISH_LAG_MS).isGreaterThan(GpuCounters.MAX_REQUEST_MS + 3_500);
    }
}
