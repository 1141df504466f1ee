package io.carbonstream.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deploy/local cluster driven from Java: a Kafka broker process (KRaft, combined) and a Flink
 * standalone session cluster (a JobManager and TaskManagers, one JVM each), all listening on
 * 127.0.0.1 only, built from the shared files of deploy/conf with the same overrides as
 * deploy/local/start.sh. Every process is a child of this JVM and is killed by {@link #close()}
 * (and by a shutdown hook if the test JVM dies first).
 */
final class LocalCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    final Path root = Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    final Path confSrc = root.resolve("deploy/conf");
    final Path kafkaLib =
            Path.of(System.getProperty("kafka.lib", root + "/deploy/local/kafka/target/lib"));
    final Path flinkLib =
            Path.of(System.getProperty("flink.lib", root + "/deploy/local/flink/target/lib"));
    final Path flinkPlugins =
            Path.of(
                    System.getProperty(
                            "flink.plugins", root + "/deploy/local/flink/target/plugins"));
    final Path work;
    final Path logs;
    final Path flinkConf;
    final int kafkaPort = freePort();
    final int controllerPort = freePort();
    final int restPort = freePort();
    final int rpcPort = freePort();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final Thread reaper = new Thread(this::killAll, "local-cluster-reaper");

    LocalCluster(Path work) throws IOException {
        this.work = work;
        this.logs = work.resolve("logs");
        this.flinkConf = work.resolve("flink-conf");
        Files.createDirectories(logs);
        Files.createDirectories(flinkConf);
        Files.createDirectories(work.resolve("tmp"));
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    String bootstrap() {
        return "127.0.0.1:" + kafkaPort;
    }

    String rest() {
        return "http://127.0.0.1:" + restPort;
    }

    // ---------------------------------------------------------------------------------- Kafka

    void formatKafka() throws Exception {
        Path props = work.resolve("kafka/server.properties");
        Files.createDirectories(props.getParent());
        Files.writeString(
                props,
                overrideLines(
                        Files.readAllLines(confSrc.resolve("kafka/server.properties")),
                        "=",
                        Map.of(
                                "listeners",
                                        "PLAINTEXT://127.0.0.1:"
                                                + kafkaPort
                                                + ",CONTROLLER://127.0.0.1:"
                                                + controllerPort,
                                "advertised.listeners", "PLAINTEXT://127.0.0.1:" + kafkaPort,
                                "controller.quorum.voters", "1@127.0.0.1:" + controllerPort,
                                "log.dirs", work.resolve("kafka/data").toString())));
        String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        run(
                "kafka-format",
                List.of(
                        JAVA,
                        "-cp",
                        kafkaLib + "/*",
                        "-Dkafka.logs.dir=" + logs,
                        "-Dlog4j2.configurationFile=" + confSrc.resolve("kafka/log4j2.properties"),
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        clusterId,
                        "-c",
                        props.toString()));
    }

    void startKafka() throws Exception {
        start(
                "kafka",
                List.of(
                        JAVA,
                        "-Xms256m",
                        "-Xmx512m",
                        "-Djava.io.tmpdir=" + work.resolve("tmp"),
                        "-Dkafka.logs.dir=" + logs,
                        "-Dlog4j2.configurationFile=" + confSrc.resolve("kafka/log4j2.properties"),
                        "-cp",
                        kafkaLib + "/*",
                        "kafka.Kafka",
                        work.resolve("kafka/server.properties").toString()),
                Map.of());
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        try (Admin admin = Admin.create(p)) {
            waitUntil(
                    "the Kafka broker to serve metadata",
                    Duration.ofSeconds(90),
                    () -> {
                        try {
                            return !admin.describeCluster()
                                    .nodes()
                                    .get(5, TimeUnit.SECONDS)
                                    .isEmpty();
                        } catch (Exception e) {
                            return false;
                        }
                    });
        }
    }

    /**
     * Stops the broker the way an operator would (SIGTERM, controlled shutdown) and waits for it.
     */
    void stopKafka() throws InterruptedException {
        stop("kafka", Duration.ofSeconds(60));
    }

    /**
     * Creates the topics of deploy/conf/topics.conf, the file deploy/local and docker-compose use.
     */
    void createTopics() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap());
        try (Admin admin = Admin.create(p)) {
            List<NewTopic> topics = new ArrayList<>();
            for (TopicSpec t : TopicSpec.read(confSrc.resolve("topics.conf"))) {
                topics.add(new NewTopic(t.name(), t.partitions(), (short) 1).configs(t.configs()));
            }
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        }
    }

    // ---------------------------------------------------------------------------------- Flink

    /**
     * Writes conf/config.yaml: deploy/conf/flink/config.yaml with the loopback overrides of
     * deploy/local and {@code extra}.
     */
    void writeFlinkConf(Map<String, String> extra) throws IOException {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("jobmanager.rpc.address", "127.0.0.1");
        o.put("jobmanager.bind-host", "127.0.0.1");
        o.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        o.put("taskmanager.bind-host", "127.0.0.1");
        o.put("taskmanager.host", "127.0.0.1");
        o.put("taskmanager.rpc.port", "0");
        o.put("taskmanager.data.port", "0");
        o.put("blob.server.port", "0");
        o.put("rest.address", "127.0.0.1");
        o.put("rest.bind-address", "127.0.0.1");
        o.put("rest.port", String.valueOf(restPort));
        o.put("execution.checkpointing.dir", work.resolve("checkpoints").toUri().toString());
        o.put(
                "execution.checkpointing.savepoint-dir",
                work.resolve("savepoints").toUri().toString());
        o.put("io.tmp.dirs", work.resolve("tmp").toString());
        o.put("web.tmpdir", work.resolve("tmp/web").toString());
        o.put("taskmanager.memory.process.size", "1280m");
        o.put("jobmanager.memory.process.size", "800m");
        o.putAll(extra);
        Files.writeString(
                flinkConf.resolve("config.yaml"),
                overrideLines(Files.readAllLines(confSrc.resolve("flink/config.yaml")), ":", o));
        Files.copy(
                confSrc.resolve("flink/log4j.properties"),
                flinkConf.resolve("log4j.properties"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    void startJobManager() throws Exception {
        List<String> params = resourceParams("GET_JM_RESOURCE_PARAMS");
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(split(params.get(0)));
        cmd.addAll(flinkJvmOptions("jobmanager"));
        cmd.addAll(
                List.of(
                        "-cp",
                        flinkLib + "/*",
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        "--configDir",
                        flinkConf.toString(),
                        "--executionMode",
                        "cluster"));
        cmd.addAll(split(params.get(1)));
        start("jobmanager", cmd, flinkEnv());
    }

    void startTaskManager(String id) throws Exception {
        List<String> params = resourceParams("GET_TM_RESOURCE_PARAMS");
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(split(params.get(0)));
        cmd.addAll(flinkJvmOptions(id));
        cmd.addAll(
                List.of(
                        "-cp",
                        flinkLib + "/*",
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        "--configDir",
                        flinkConf.toString()));
        cmd.addAll(split(params.get(1)));
        cmd.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        start(id, cmd, flinkEnv());
    }

    /** kill -9: no shutdown hook, no goodbye to the JobManager. */
    void kill(String name) throws InterruptedException {
        Process p = processes.remove(name);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        LOG.info("killed {} (pid {}) with SIGKILL", name, p.pid());
    }

    /** Submits the job jar with the Flink CLI (detached) and returns the job id. */
    String submit(Path jar, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(flinkJvmOptions("client"));
        cmd.addAll(
                List.of(
                        "-cp",
                        flinkLib + "/*",
                        "org.apache.flink.client.cli.CliFrontend",
                        "run",
                        "-d",
                        jar.toString()));
        cmd.addAll(args);
        String out = run("flink-run", cmd);
        Matcher m = Pattern.compile("JobID ([0-9a-f]{32})").matcher(out);
        if (!m.find())
            throw new IllegalStateException("no job id in the output of flink run:\n" + out);
        return m.group(1);
    }

    int registeredTaskManagers() {
        JsonNode n = getJson("/taskmanagers");
        return n == null ? 0 : n.path("taskmanagers").size();
    }

    /** The job is RUNNING and so is every one of its tasks. */
    boolean allTasksRunning(String jobId) {
        JsonNode n = getJson("/jobs/" + jobId);
        if (n == null || !"RUNNING".equals(n.path("state").asText())) return false;
        for (JsonNode v : n.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) return false;
        }
        return true;
    }

    String jobState(String jobId) {
        JsonNode n = getJson("/jobs/" + jobId);
        return n == null ? "UNKNOWN" : n.path("state").asText();
    }

    /** Trigger time of the latest completed checkpoint, or -1. */
    long latestCompletedCheckpointTrigger(String jobId) {
        JsonNode n = getJson("/jobs/" + jobId + "/checkpoints");
        if (n == null) return -1;
        JsonNode c = n.path("latest").path("completed");
        return c.isMissingNode() || c.isNull() ? -1 : c.path("trigger_timestamp").asLong(-1);
    }

    JsonNode getJson(String path) {
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create(rest() + path))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> flinkEnv() {
        return Map.of(
                "FLINK_CONF_DIR",
                flinkConf.toString(),
                "FLINK_PLUGINS_DIR",
                flinkPlugins.toString(),
                "FLINK_LIB_DIR",
                flinkLib.toString());
    }

    /**
     * env.java.opts.all of the shared config (module access), logging and tmp dir, as bin/*.sh
     * would pass them.
     */
    private List<String> flinkJvmOptions(String name) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(confSrc.resolve("flink/config.yaml"))) {
            if (line.startsWith("env.java.opts.all:"))
                out.addAll(split(line.substring("env.java.opts.all:".length())));
        }
        out.add("-Dlog.file=" + logs.resolve(name + ".log"));
        out.add("-Dlog4j.configurationFile=" + flinkConf.resolve("log4j.properties").toUri());
        out.add("-Djava.io.tmpdir=" + work.resolve("tmp"));
        return out;
    }

    /**
     * The JVM flags and -D memory settings that bin/jobmanager.sh or bin/taskmanager.sh would
     * compute.
     */
    private List<String> resourceParams(String command) throws Exception {
        String out =
                run(
                        "bash-java-utils",
                        List.of(
                                JAVA,
                                "-cp",
                                flinkLib + "/*",
                                "org.apache.flink.runtime.util.bash.BashJavaUtils",
                                command,
                                "--configDir",
                                flinkConf.toString()));
        List<String> results =
                out.lines()
                        .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                        .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()))
                        .collect(Collectors.toList());
        if (results.size() < 2)
            throw new IllegalStateException("BashJavaUtils " + command + " printed:\n" + out);
        return List.of(results.get(0), results.get(results.size() - 1));
    }

    // ---------------------------------------------------------------------------------- processes

    private void start(String name, List<String> cmd, Map<String, String> env) throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        logs.resolve(name + ".out").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.put(name, p);
        LOG.info("started {} (pid {})", name, p.pid());
    }

    /** Runs a short command to its end and returns its output; fails on a non-zero exit. */
    private String run(String name, List<String> cmd) throws Exception {
        Path out = logs.resolve(name + ".out");
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(flinkEnv());
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(name + " did not finish in 3 minutes");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
            throw new IllegalStateException(name + " exited with " + p.exitValue() + ":\n" + text);
        return text;
    }

    private void stop(String name, Duration grace) throws InterruptedException {
        Process p = processes.remove(name);
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} did not stop in {}: killing it", name, grace);
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        LOG.info("stopped {} (pid {}, exit {})", name, p.pid(), p.exitValue());
    }

    private void killAll() {
        List<String> names = new ArrayList<>(processes.keySet());
        java.util.Collections.reverse(names);
        for (String n : names) {
            Process p = processes.remove(n);
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public void close() {
        // TaskManagers and JobManager first (the job's last commits need the broker), then Kafka.
        List<String> names = new ArrayList<>(processes.keySet());
        names.remove("kafka");
        names.add("kafka");
        for (String n : names) {
            try {
                stop(n, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
    }

    // ---------------------------------------------------------------------------------- helpers

    /**
     * Polls {@code condition} every 200 ms; fails after {@code timeout}. Returns the elapsed
     * milliseconds.
     */
    static long waitUntil(String what, Duration timeout, BooleanSupplier condition) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** A flat key/value file with the given keys replaced (dropped, then appended). */
    static String overrideLines(List<String> lines, String sep, Map<String, String> overrides) {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            int i = l.indexOf(sep);
            if (!l.startsWith("#") && i > 0 && overrides.containsKey(l.substring(0, i).trim()))
                continue;
            b.append(l).append('\n');
        }
        b.append("\n# cluster-test overrides\n");
        overrides.forEach(
                (k, v) -> b.append(k).append(sep.equals(":") ? ": " : sep).append(v).append('\n'));
        return b.toString();
    }

    static List<String> split(String s) {
        return Arrays.stream(s.trim().split("\\s+"))
                .filter(x -> !x.isEmpty())
                .collect(Collectors.toList());
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
