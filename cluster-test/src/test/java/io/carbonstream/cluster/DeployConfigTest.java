package io.carbonstream.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.carbonstream.config.JobOptions;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * What can be checked of docker-compose.yml, deploy/conf and deploy/k8s without Docker or
 * Kubernetes: pinned images, the job jar path, ports, Flink configuration keys against Flink 2.2's
 * ConfigOptions, topics against topics.conf and the job's defaults, the Grafana dashboard.
 */
class DeployConfigTest {

    static final Path ROOT =
            Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode compose;
    static JsonNode flinkDeployment;
    static List<JsonNode> strimzi;
    static List<JsonNode> kafkaTopics;
    static Map<String, String> flinkConf;
    static Set<String> flinkKeys;

    @BeforeAll
    static void load() throws Exception {
        compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        flinkDeployment = YAML.readTree(ROOT.resolve("deploy/k8s/flink-deployment.yaml").toFile());
        strimzi = readAll(ROOT.resolve("deploy/k8s/kafka.yaml"));
        kafkaTopics = readAll(ROOT.resolve("deploy/k8s/kafka-topics.yaml"));
        flinkConf = flatConfig(ROOT.resolve("deploy/conf/flink/config.yaml"));
        flinkKeys = knownFlinkKeys();
    }

    // ------------------------------------------------------------------------------ Flink keys

    @Test
    void sharedFlinkConfigIsFlatYamlThatFlinkReadsTheSameWay() throws Exception {
        JsonNode parsed = YAML.readTree(ROOT.resolve("deploy/conf/flink/config.yaml").toFile());
        assertThat(parsed.size())
                .as("every key is one flat line (deploy/local overrides keys line by line)")
                .isEqualTo(flinkConf.size());
        parsed.fields()
                .forEachRemaining(
                        e ->
                                assertThat(e.getValue().isValueNode())
                                        .as(e.getKey() + " is a flat value")
                                        .isTrue());
    }

    @Test
    void everyFlinkKeyExistsInFlink22() {
        Map<String, String> used = new TreeMap<>();
        flinkConf.keySet().forEach(k -> used.put(k, "deploy/conf/flink/config.yaml"));
        flinkDeployment
                .path("spec")
                .path("flinkConfiguration")
                .fieldNames()
                .forEachRemaining(k -> used.put(k, "deploy/k8s/flink-deployment.yaml"));
        for (String service : List.of("jobmanager", "taskmanager")) {
            String props =
                    compose.path("services")
                            .path(service)
                            .path("environment")
                            .path("FLINK_PROPERTIES")
                            .asText("");
            for (String line : props.split("\n")) {
                if (line.contains(":"))
                    used.put(
                            line.substring(0, line.indexOf(':')).trim(),
                            "docker-compose.yml " + service);
            }
        }
        List<String> unknown = new ArrayList<>();
        used.forEach(
                (key, where) -> {
                    if (!isKnown(key)) unknown.add(key + " (" + where + ")");
                });
        assertThat(unknown).as("keys that Flink 2.2 does not know").isEmpty();
        assertThat(flinkKeys)
                .as("sanity: the scan found Flink's options")
                .contains("rest.port", "state.backend.type", "factory.class");
    }

    static boolean isKnown(String key) {
        Matcher m = Pattern.compile("metrics\\.reporter\\.([^.]+)\\.(.+)").matcher(key);
        if (m.matches()) {
            // Reporter-scoped keys: MetricOptions' reporter options, or the reporter's own
            // arguments.
            return flinkKeys.contains(m.group(2)) || m.group(2).equals(prometheusPortArgument());
        }
        return flinkKeys.contains(key);
    }

    static String prometheusPortArgument() {
        try {
            Field f =
                    Class.forName("org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                            .getDeclaredField("ARG_PORT");
            f.setAccessible(true);
            return (String) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Keys (and deprecated/fallback keys) of every ConfigOption declared in an *Options class of a
     * Flink jar on the class path.
     */
    static Set<String> knownFlinkKeys() throws IOException {
        Set<String> keys = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            if (!name.startsWith("flink-") || !name.endsWith(".jar")) continue;
            try (JarFile jar = new JarFile(entry)) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (!n.startsWith("org/apache/flink/")
                            || !n.endsWith("Options.class")
                            || n.contains("$")) continue;
                    String cls = n.substring(0, n.length() - ".class".length()).replace('/', '.');
                    try {
                        for (Field f :
                                Class.forName(cls, false, DeployConfigTest.class.getClassLoader())
                                        .getDeclaredFields()) {
                            if (!Modifier.isStatic(f.getModifiers())
                                    || !ConfigOption.class.isAssignableFrom(f.getType())) continue;
                            f.setAccessible(true);
                            ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                            keys.add(o.key());
                            for (FallbackKey k : o.fallbackKeys()) keys.add(k.getKey());
                        }
                    } catch (Throwable ignored) {
                        // a class whose dependencies are not on this class path declares no option
                        // we use
                    }
                }
            }
        }
        return keys;
    }

    // ------------------------------------------------------------------------------ images, jars

    @Test
    void imagesArePinnedToExplicitVersions() throws IOException {
        Map<String, String> images = new LinkedHashMap<>();
        compose.path("services")
                .fields()
                .forEachRemaining(
                        e ->
                                images.put(
                                        "compose " + e.getKey(),
                                        e.getValue().path("image").asText()));
        images.put("FlinkDeployment", flinkDeployment.path("spec").path("image").asText());
        for (String line : Files.readAllLines(ROOT.resolve("deploy/k8s/Dockerfile"))) {
            if (line.startsWith("FROM ")) images.put("Dockerfile", line.substring(5).trim());
        }
        images.forEach(
                (where, image) -> {
                    assertThat(image).as(where).matches("[a-z0-9./_-]+:[A-Za-z0-9._-]+");
                    String tag = image.substring(image.lastIndexOf(':') + 1);
                    assertThat(tag)
                            .as(where + " tag")
                            .doesNotContain("latest")
                            .matches("v?\\d+\\.\\d+.*");
                });
        String flinkVersion = System.getProperty("flink.version", "2.2.1");
        List<String> flinkImages =
                images.values().stream().filter(v -> v.startsWith("flink:")).toList();
        assertThat(flinkImages)
                .isNotEmpty()
                .allSatisfy(v -> assertThat(v).startsWith("flink:" + flinkVersion + "-java17"));
        assertThat(images.get("Dockerfile")).startsWith("flink:" + flinkVersion);
        String kafkaVersion = System.getProperty("kafka.version", "4.2.0");
        assertThat(images.get("compose kafka")).isEqualTo("apache/kafka:" + kafkaVersion);
        assertThat(
                        strimzi.stream()
                                .filter(d -> d.path("kind").asText().equals("Kafka"))
                                .findFirst()
                                .orElseThrow()
                                .path("spec")
                                .path("kafka")
                                .path("version")
                                .asText())
                .isEqualTo(kafkaVersion);
        assertThat(flinkDeployment.path("spec").path("flinkVersion").asText())
                .isEqualTo("v" + flinkVersion.replaceAll("^(\\d+)\\.(\\d+).*", "$1_$2"));
    }

    @Test
    void theJobJarPathIsTheMavenArtifact() throws Exception {
        Document pom =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(ROOT.resolve("job/pom.xml").toFile());
        String artifactId = directChild(pom.getDocumentElement(), "artifactId");
        String classifier =
                pom.getElementsByTagName("shadedClassifierName").item(0).getTextContent().trim();
        String mainClass = pom.getElementsByTagName("mainClass").item(0).getTextContent().trim();
        assertThat(pom.getElementsByTagName("finalName").getLength())
                .as("job/pom.xml keeps the default finalName")
                .isZero();
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        String jar = "job/target/" + artifactId + "-" + version + "-" + classifier + ".jar";

        for (String service : List.of("jobmanager", "taskmanager")) {
            List<String> mounts = new ArrayList<>();
            compose.path("services")
                    .path(service)
                    .path("volumes")
                    .forEach(v -> mounts.add(v.asText()));
            assertThat(mounts)
                    .as(service)
                    .contains("./" + jar + ":/opt/flink/usrlib/carbonstream-job.jar:ro");
        }
        assertThat(composeCommand("jobmanager")).contains("--job-classname " + mainClass);

        String copy =
                Files.readAllLines(ROOT.resolve("deploy/k8s/Dockerfile")).stream()
                        .filter(l -> l.startsWith("COPY"))
                        .findFirst()
                        .orElseThrow();
        String[] parts = copy.split("\\s+");
        assertThat(parts[parts.length - 2]).isEqualTo(jar);
        JsonNode job = flinkDeployment.path("spec").path("job");
        assertThat(job.path("jarURI").asText()).isEqualTo("local://" + parts[parts.length - 1]);
        assertThat(job.path("entryClass").asText()).isEqualTo(mainClass);

        // The generator jar of the demo module (written elsewhere): checked once demo/pom.xml names
        // it.
        List<String> generatorMounts = new ArrayList<>();
        compose.path("services")
                .path("generator")
                .path("volumes")
                .forEach(v -> generatorMounts.add(v.asText()));
        // The folder, not the jar alone: the jar's manifest Class-Path names lib/ beside it.
        assertThat(generatorMounts).contains("./demo/target:/opt/carbonstream:ro");
        List<String> generatorCommand = new ArrayList<>();
        compose.path("services")
                .path("generator")
                .path("command")
                .forEach(v -> generatorCommand.add(v.asText()));
        assertThat(generatorCommand)
                .containsSequence("-jar", "/opt/carbonstream/carbonstream-demo.jar");
        Path demoPom = ROOT.resolve("demo/pom.xml");
        assumeTrue(
                Files.exists(demoPom) && Files.readString(demoPom).contains("<finalName>"),
                "demo/pom.xml sets no finalName yet");
        Document demo =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(demoPom.toFile());
        String finalName =
                demo.getElementsByTagName("finalName")
                        .item(0)
                        .getTextContent()
                        .trim()
                        .replace(
                                "${project.artifactId}",
                                directChild(demo.getDocumentElement(), "artifactId"));
        assertThat(finalName + ".jar").isEqualTo("carbonstream-demo.jar");
    }

    @Test
    void theJobArgumentsAreJobOptions() {
        Set<String> options =
                JobOptions.all().stream().map(ConfigOption::key).collect(Collectors.toSet());
        List<String> used = new ArrayList<>();
        Matcher m =
                Pattern.compile("--([a-z][a-z.-]+)")
                        .matcher(composeCommand("jobmanager").replace("--job-classname", ""));
        while (m.find()) used.add(m.group(1));
        flinkDeployment
                .path("spec")
                .path("job")
                .path("args")
                .forEach(
                        a -> {
                            if (a.asText().startsWith("--")) used.add(a.asText().substring(2));
                        });
        assertThat(used).isNotEmpty();
        assertThat(options).containsAll(used);
    }

    // ------------------------------------------------------------------------------ ports

    @Test
    void portsAreConsistent() throws IOException {
        JsonNode services = compose.path("services");
        // Flink REST / UI
        assertThat(texts(services.path("jobmanager").path("ports")))
                .contains("8081:" + flinkConf.get("rest.port"));
        // Prometheus scrapes the first port of the reporter's range on every Flink container.
        String[] range = flinkConf.get("metrics.reporter.prom.port").split("-");
        JsonNode prom = YAML.readTree(ROOT.resolve("deploy/prometheus/prometheus.yml").toFile());
        JsonNode sd = prom.path("scrape_configs").get(0).path("dns_sd_configs").get(0);
        assertThat(sd.path("port").asText()).isEqualTo(range[0]);
        assertThat(texts(sd.path("names"))).containsExactlyInAnyOrder("jobmanager", "taskmanager");
        JsonNode k8sConf = flinkDeployment.path("spec").path("flinkConfiguration");
        String k8sPort = k8sConf.path("metrics.reporter.prom.port").asText();
        JsonNode pod = flinkDeployment.path("spec").path("podTemplate");
        assertThat(
                        pod.path("spec")
                                .path("containers")
                                .get(0)
                                .path("ports")
                                .get(0)
                                .path("containerPort")
                                .asText())
                .isEqualTo(k8sPort);
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText())
                .isEqualTo(k8sPort);
        // Grafana reads the compose Prometheus.
        JsonNode ds =
                YAML.readTree(
                                ROOT.resolve(
                                                "deploy/grafana/provisioning/datasources/prometheus.yml")
                                        .toFile())
                        .path("datasources")
                        .get(0);
        assertThat(texts(services.path("prometheus").path("ports"))).contains("9090:9090");
        assertThat(ds.path("url").asText()).isEqualTo("http://prometheus:9090");
        // Kafka: every client in compose uses the broker's internal listener.
        String listeners =
                services.path("kafka").path("environment").path("KAFKA_LISTENERS").asText();
        String advertised =
                services.path("kafka")
                        .path("environment")
                        .path("KAFKA_ADVERTISED_LISTENERS")
                        .asText();
        assertThat(listeners).contains("PLAINTEXT://:9092");
        assertThat(advertised).contains("PLAINTEXT://kafka:9092");
        assertThat(composeCommand("jobmanager")).contains("--bootstrap-servers kafka:9092");
        assertThat(texts(services.path("generator").path("command")))
                .containsSubsequence("--bootstrap-servers", "kafka:9092");
        assertThat(texts(services.path("kafka-init").path("entrypoint"))).contains("kafka:9092");
        String external = advertised.replaceAll(".*EXTERNAL://localhost:(\\d+).*", "$1");
        assertThat(texts(services.path("kafka").path("ports"))).contains(external + ":" + external);
        // Kubernetes: the job reaches Strimzi's plain listener through its bootstrap service.
        JsonNode kafka =
                strimzi.stream()
                        .filter(d -> d.path("kind").asText().equals("Kafka"))
                        .findFirst()
                        .orElseThrow();
        int plain = -1;
        for (JsonNode l : kafka.path("spec").path("kafka").path("listeners")) {
            if (!l.path("tls").asBoolean()) plain = l.path("port").asInt();
        }
        List<String> args = texts(flinkDeployment.path("spec").path("job").path("args"));
        String bootstrap = args.get(args.indexOf("--bootstrap-servers") + 1);
        assertThat(bootstrap)
                .isEqualTo(
                        kafka.path("metadata").path("name").asText()
                                + "-kafka-bootstrap."
                                + kafka.path("metadata").path("namespace").asText()
                                + ".svc:"
                                + plain);
        // The Kafka server.properties of deploy/local: the controller listener is the voter's.
        Map<String, String> server = new LinkedHashMap<>();
        for (String l : Files.readAllLines(ROOT.resolve("deploy/conf/kafka/server.properties"))) {
            if (!l.startsWith("#") && l.contains("="))
                server.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
        }
        String voterPort = server.get("controller.quorum.voters").replaceAll(".*:(\\d+)$", "$1");
        assertThat(server.get("listeners")).contains("CONTROLLER://127.0.0.1:" + voterPort);
        assertThat(Long.parseLong(server.get("transaction.max.timeout.ms")))
                .as("broker transaction.max.timeout.ms >= the sinks' transaction timeout")
                .isGreaterThanOrEqualTo(JobOptions.TRANSACTION_TIMEOUT.defaultValue().toMillis());
    }

    // ------------------------------------------------------------------------------ topics

    @Test
    void topicsMatchTheJobDefaultsAndEveryDeployment() throws Exception {
        List<TopicSpec> topics = TopicSpec.read(ROOT.resolve("deploy/conf/topics.conf"));
        Map<String, TopicSpec> byName =
                topics.stream().collect(Collectors.toMap(TopicSpec::name, t -> t));
        List<String> defaults = new ArrayList<>();
        for (ConfigOption<?> o : JobOptions.all()) {
            // Optional inputs (topic.otlp-spans) have no default: a deployment that uses them names
            // the topic.
            if (o.key().startsWith("topic.") && o.hasDefaultValue())
                defaults.add((String) o.defaultValue());
        }
        assertThat(defaults).hasSizeGreaterThanOrEqualTo(6);
        assertThat(byName.keySet()).containsAll(defaults).contains("carbonstream.alerts");
        for (String compacted :
                List.of(
                        JobOptions.TOPIC_REGISTRY.defaultValue(),
                        JobOptions.TOPIC_AGGREGATES.defaultValue(),
                        "carbonstream.alerts",
                        JobOptions.TOPIC_CERTIFICATES.defaultValue(),
                        JobOptions.TOPIC_LEDGER.defaultValue())) {
            assertThat(byName.get(compacted).configs())
                    .as(compacted)
                    .containsEntry("cleanup.policy", "compact");
        }
        // Forecasts: the newest per key, and a week at most (docs/semantics.md: the job holds what
        // it reads at a start).
        assertThat(byName.get("carbonstream.forecasts").configs())
                .containsEntry("cleanup.policy", "compact,delete")
                .containsEntry(
                        "retention.ms", String.valueOf(java.time.Duration.ofDays(7).toMillis()));
        assertThat(JobOptions.FORECAST_HORIZON.defaultValue())
                .isLessThan(java.time.Duration.ofDays(7));
        for (String plain :
                List.of(
                        JobOptions.TOPIC_EVENTS.defaultValue(),
                        JobOptions.TOPIC_INTENSITY.defaultValue(),
                        JobOptions.TOPIC_DEAD_LETTERS.defaultValue(),
                        JobOptions.TOPIC_LATE.defaultValue())) {
            assertThat(byName.get(plain).configs()).as(plain).doesNotContainKey("cleanup.policy");
        }
        // deploy/k8s: one KafkaTopic per line, same partitions and cleanup policy.
        Map<String, TopicSpec> k8s = new TreeMap<>();
        for (JsonNode t : kafkaTopics) {
            assertThat(t.path("kind").asText()).isEqualTo("KafkaTopic");
            Map<String, String> configs = new LinkedHashMap<>();
            t.path("spec")
                    .path("config")
                    .fields()
                    .forEachRemaining(e -> configs.put(e.getKey(), e.getValue().asText()));
            k8s.put(
                    t.path("spec").path("topicName").asText(),
                    new TopicSpec(
                            t.path("spec").path("topicName").asText(),
                            t.path("spec").path("partitions").asInt(),
                            configs));
            assertThat(t.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo("carbonstream");
        }
        assertThat(k8s.keySet()).containsExactlyInAnyOrderElementsOf(byName.keySet());
        k8s.forEach(
                (name, t) -> {
                    assertThat(t.partitions()).as(name).isEqualTo(byName.get(name).partitions());
                    assertThat(t.configs().get("cleanup.policy"))
                            .as(name)
                            .isEqualTo(byName.get(name).configs().get("cleanup.policy"));
                });
        // Where topics.conf sets a retention, Kubernetes has the same (it may set more of its own:
        // dead letters).
        byName.forEach(
                (name, t) -> {
                    if (t.configs().containsKey("retention.ms")) {
                        assertThat(k8s.get(name).configs().get("retention.ms"))
                                .as(name)
                                .isEqualTo(t.configs().get("retention.ms"));
                    }
                });
        // docker-compose creates them from the same file.
        assertThat(texts(compose.path("services").path("kafka-init").path("entrypoint")))
                .contains("/deploy/conf/create-topics.sh", "/deploy/conf/topics.conf");
        // deploy/local too.
        assertThat(Files.readString(ROOT.resolve("deploy/local/start.sh")))
                .contains("create-topics.sh");
    }

    // ------------------------------------------------------------------------------ dashboard, k8s

    @Test
    void theDashboardShowsThroughputLagAndConservation() throws IOException {
        JsonNode d =
                JSON.readTree(ROOT.resolve("deploy/grafana/dashboards/carbonstream.json").toFile());
        StringBuilder exprs = new StringBuilder();
        for (JsonNode p : d.path("panels")) {
            assertThat(p.path("datasource").path("uid").asText()).isEqualTo("prometheus");
            for (JsonNode t : p.path("targets")) exprs.append(t.path("expr").asText()).append('\n');
        }
        assertThat(exprs.toString())
                .contains(
                        "carbonstream_requestsRead",
                        "carbonstream_requestsAggregated",
                        "carbonstream_requestsDeadLettered",
                        "carbonstream_requestsLate",
                        "carbonstream_requestsUnknownDatacenter",
                        "carbonstream_input_recordsRead",
                        "carbonstream_input_recordsDeadLettered",
                        "pendingRecords",
                        "records_lag_max",
                        "numRecordsOutPerSecond");
    }

    @Test
    void theFlinkDeploymentIsDurableAndUpgradesWithSavepoints() {
        JsonNode spec = flinkDeployment.path("spec");
        JsonNode conf = spec.path("flinkConfiguration");
        assertThat(flinkDeployment.path("kind").asText()).isEqualTo("FlinkDeployment");
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        for (String k :
                List.of(
                        "high-availability.storageDir",
                        "execution.checkpointing.dir",
                        "execution.checkpointing.savepoint-dir")) {
            assertThat(conf.path(k).asText()).as(k).startsWith("s3://");
        }
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(spec.path("jobManager").path("resource").path("memory").asText()).isNotEmpty();
        assertThat(spec.path("taskManager").path("resource").path("memory").asText()).isNotEmpty();
        int parallelism = spec.path("job").path("parallelism").asInt();
        List<String> args = texts(spec.path("job").path("args"));
        assertThat(args.get(args.indexOf("--parallelism") + 1))
                .isEqualTo(String.valueOf(parallelism));
        assertThat(
                        spec.path("taskManager").path("replicas").asInt()
                                * conf.path("taskmanager.numberOfTaskSlots").asInt())
                .as("slots for the parallelism")
                .isGreaterThanOrEqualTo(parallelism);
        JsonNode pool =
                strimzi.stream()
                        .filter(x -> x.path("kind").asText().equals("KafkaNodePool"))
                        .findFirst()
                        .orElseThrow();
        assertThat(texts(pool.path("spec").path("roles")))
                .containsExactlyInAnyOrder("controller", "broker");
        JsonNode kafka =
                strimzi.stream()
                        .filter(x -> x.path("kind").asText().equals("Kafka"))
                        .findFirst()
                        .orElseThrow();
        assertThat(kafka.path("metadata").path("annotations").path("strimzi.io/kraft").asText())
                .isEqualTo("enabled");
        assertThat(
                        kafka.path("metadata")
                                .path("annotations")
                                .path("strimzi.io/node-pools")
                                .asText())
                .isEqualTo("enabled");
    }

    // ------------------------------------------------------------------------------ helpers

    static String composeCommand(String service) {
        return String.join(" ", texts(compose.path("services").path(service).path("command")))
                .replaceAll("\\s+", " ");
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) array.forEach(x -> out.add(x.asText()));
        else if (!array.isMissingNode()) out.add(array.asText());
        return out;
    }

    static Map<String, String> flatConfig(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            int i = l.indexOf(':');
            assertThat(i).as("flat 'key: value' line: " + line).isPositive();
            assertThat(line).as("no nesting: " + line).doesNotStartWith(" ");
            out.put(l.substring(0, i).trim(), l.substring(i + 1).trim());
        }
        return out;
    }

    static List<JsonNode> readAll(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) out.add(n);
            }
        }
        return out;
    }

    static String directChild(Element e, String tag) {
        for (org.w3c.dom.Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag))
                return c.getTextContent().trim();
        }
        throw new IllegalArgumentException("no <" + tag + ">");
    }
}
