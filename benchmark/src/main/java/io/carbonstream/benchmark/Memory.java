package io.carbonstream.benchmark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap and RSS of this process (broker, MiniCluster and benchmark all run in it), sampled every 500
 * ms.
 */
final class Memory implements AutoCloseable {

    record Sample(long atMs, long heapUsed, long rss) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Memory() {
        thread =
                new Thread(
                        () -> {
                            while (running) {
                                Sample s =
                                        new Sample(
                                                System.currentTimeMillis(),
                                                heapUsed(),
                                                procStatusBytes("VmRSS"));
                                synchronized (samples) {
                                    samples.add(s);
                                }
                                try {
                                    Thread.sleep(500); // sampling period, not synchronisation
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        },
                        "memory-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    static long heapUsed() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Sum of the heap pools' peak usage since start (or the last reset). */
    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        }
        return sum;
    }

    /**
     * The live heap: used heap right after a full, stop-the-world collection. The only reading that
     * does not depend on where G1's old-generation sawtooth happens to be; it pauses the whole
     * process (job and broker included), so the latency run takes it only outside its measured
     * interval.
     */
    static long liveHeapAfterFullGc() {
        System.gc(); // a full collection on purpose: measuring the live set is the point
        return heapUsed();
    }

    static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) p.resetPeakUsage();
    }

    /** A field of /proc/self/status in bytes (VmRSS, VmHWM), or -1 where there is no /proc. */
    static long procStatusBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    List<Sample> between(long fromMs, long toMs) {
        List<Sample> out = new ArrayList<>();
        synchronized (samples) {
            for (Sample s : samples) if (s.atMs() >= fromMs && s.atMs() <= toMs) out.add(s);
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(2000);
    }
}
