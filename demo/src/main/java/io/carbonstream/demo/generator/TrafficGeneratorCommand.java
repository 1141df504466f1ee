package io.carbonstream.demo.generator;

import io.carbonstream.demo.util.KafkaClientOptions;
import io.carbonstream.generator.RegistryJson;
import io.carbonstream.generator.TrafficGenerator;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The traffic generator on its own, against any Kafka. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Publishes simulated AI inference events, grid intensity updates, PPA deliveries"
                + " (certificates), optionally GPU energy counter readings, and a datacenter"
                + " registry to Kafka, in carbonstream's wire format (plain Avro binary values,"
                + " UTF-8 keys). The topics must exist. Start the job with --registry-file pointing"
                + " at the file written by --registry-out, or let it read the registry topic"
                + " (published first).",
            ""
        })
public final class TrafficGeneratorCommand implements Callable<Integer> {

    @Mixin KafkaClientOptions kafka;

    @Option(
            names = "--topic.events",
            defaultValue = "carbonstream.events",
            description = "Default: ${DEFAULT-VALUE}.")
    String topicEvents;

    @Option(
            names = "--topic.intensity",
            defaultValue = "carbonstream.intensity",
            description = "Default: ${DEFAULT-VALUE}.")
    String topicIntensity;

    @Option(
            names = "--topic.registry",
            defaultValue = "carbonstream.registry",
            description = "Default: ${DEFAULT-VALUE}.")
    String topicRegistry;

    @Option(
            names = "--topic.certificates",
            defaultValue = "carbonstream.certificates",
            description =
                    "The demo's PPA deliveries (a solar PPA in California, a wind PPA in Germany),"
                            + " hourly. Default: ${DEFAULT-VALUE}.")
    String topicCertificates;

    @Option(
            names = "--topic.gpu-energy",
            paramLabel = "TOPIC",
            description =
                    "Publish GPU energy counter readings (one datacenter's 24 GPUs, every 10"
                        + " simulated s, in mJ like DCGM) to this topic, and name the GPUs on the"
                        + " requests that ran on them. Default: none (no counters, no GPU ids). Run"
                        + " the job with the same --topic.gpu-energy.")
    String topicGpuEnergy;

    @Option(
            names = "--registry-out",
            paramLabel = "FILE",
            description =
                    "Also write the fleet's registry as a JSON file for the job's --registry-file.")
    Path registryOut;

    @Mixin TrafficOptions traffic;

    @Override
    public Integer call() throws Exception {
        TrafficOptions.Plan plan;
        try {
            plan = traffic.plan(System.currentTimeMillis());
        } catch (IllegalArgumentException e) {
            System.err.println("generate: " + e.getMessage());
            return 2;
        }
        Properties extra = kafka.clientPropertiesOrNull("generate");
        if (extra == null) return 2;
        if (topicGpuEnergy == null)
            plan =
                    new TrafficOptions.Plan(
                            plan.settings().withGpuCounters(false), plan.pacer(), plan.replay());
        TrafficGenerator gen = new TrafficGenerator(plan.settings(), plan.replay());
        if (registryOut != null) RegistryJson.write(gen.registry(), registryOut);
        long deadline =
                traffic.duration == null
                        ? Long.MAX_VALUE
                        : System.currentTimeMillis() + traffic.duration.toMillis();
        KafkaPublisher pub =
                new KafkaPublisher(
                        kafka.bootstrap(),
                        extra,
                        new KafkaPublisher.Topics(
                                topicEvents,
                                topicIntensity,
                                topicRegistry,
                                null,
                                topicCertificates,
                                topicGpuEnergy),
                        gen,
                        plan.pacer(),
                        traffic.count,
                        deadline);
        Thread hook = new Thread(pub::close, "carbonstream-generator-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.printf(
                Locale.ROOT,
                "carbonstream generator: %d datacenters in %d zones, %d models, seed %d; simulated"
                        + " time from %s at x%s%n",
                gen.fleet().datacenters().size(),
                gen.fleet().zones().size(),
                gen.fleet().models().size(),
                traffic.seed,
                plan.settings().start(),
                trim(traffic.speedup));
        System.out.printf(
                Locale.ROOT,
                "publishing to %s: %s, %s, %s, %s%s%s%n",
                kafka.bootstrap(),
                topicEvents,
                topicIntensity,
                topicRegistry,
                topicCertificates,
                topicGpuEnergy != null ? ", " + topicGpuEnergy : "",
                registryOut != null ? "; registry file " + registryOut : "");
        pub.start();
        while (!pub.awaitDone(java.time.Duration.ofSeconds(5))) {
            KafkaPublisher.Stats s = pub.stats();
            System.out.printf(
                    Locale.ROOT,
                    "  %,d requests, %,d intensity updates, %,d certificates, %,d GPU readings,"
                            + " simulated time %s%n",
                    s.requests(),
                    s.intensityUpdates(),
                    s.certificates(),
                    s.gpuReadings(),
                    s.lastPublishedSim() == Long.MIN_VALUE
                            ? "-"
                            : Instant.ofEpochMilli(s.lastPublishedSim()));
        }
        pub.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already running.
        }
        KafkaPublisher.Stats s = pub.stats();
        System.out.printf(
                Locale.ROOT,
                "done: %,d requests, %,d intensity updates, %,d certificates, %,d GPU readings%n",
                s.requests(),
                s.intensityUpdates(),
                s.certificates(),
                s.gpuReadings());
        if (s.failure() != null) {
            System.err.println("generate: publishing failed: " + s.failure());
            return 1;
        }
        return 0;
    }

    public static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrafficGeneratorCommand()).execute(args));
    }
}
