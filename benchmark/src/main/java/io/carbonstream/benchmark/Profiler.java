package io.carbonstream.benchmark;

import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * async-profiler around one measured run, through its Java API found by reflection: the benchmark
 * does not depend on it (it is a native library, Linux and macOS only); the run that wants a
 * profile puts tools.profiler:async-profiler on the class path and names the library.
 */
final class Profiler {

    private final Object instance;
    private final Method execute;

    private Profiler(Object instance, Method execute) {
        this.instance = instance;
        this.execute = execute;
    }

    static Profiler start(Path lib) throws Exception {
        if (lib == null)
            throw new IllegalArgumentException(
                    "--profile needs --profiler-lib (path of libasyncProfiler.so)");
        Class<?> c = Class.forName("one.profiler.AsyncProfiler");
        Object p =
                c.getMethod("getInstance", String.class)
                        .invoke(null, lib.toAbsolutePath().toString());
        Method execute = c.getMethod("execute", String.class);
        // itimer: CPU time of every thread without perf_events (not available in most containers).
        execute.invoke(p, "start,event=itimer,interval=1ms,threads");
        return new Profiler(p, execute);
    }

    void stop(Path out) throws Exception {
        execute.invoke(instance, "stop,collapsed,file=" + out.toAbsolutePath());
        Benchmark.log("profile written to " + out);
    }
}
