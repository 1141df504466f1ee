package io.carbonstream.benchmark;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * JIT compilation time and process CPU time around a measured run: how much of the run the JVM
 * still spent compiling (a warm-up that did not cover a system shows here), and the CPU cost of a
 * run independent of how many cores other builds left it.
 */
final class Meter {

    record Delta(double jitSeconds, double cpuSeconds) {}

    private final long jitMs;
    private final long cpuNs;

    private Meter() {
        jitMs = jitMillis();
        cpuNs = cpuNanos();
    }

    static Meter start() {
        return new Meter();
    }

    Delta stop() {
        return new Delta((jitMillis() - jitMs) / 1000.0, (cpuNanos() - cpuNs) / 1e9);
    }

    private static long jitMillis() {
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported()
                ? c.getTotalCompilationTime()
                : 0;
    }

    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os)
            return os.getProcessCpuTime();
        return 0;
    }
}
