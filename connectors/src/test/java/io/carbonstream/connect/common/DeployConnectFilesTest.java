package io.carbonstream.connect.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

/**
 * What can be checked of deploy/connect, the compose `connect` service and deploy/k8s/connect.yaml
 * without Docker or Kubernetes: every connector configuration is accepted by its connector (secrets
 * replaced by stand-ins), the converters are ByteArrayConverter, the worker file parses as a
 * standalone worker's, the paths and the image agree.
 */
class DeployConnectFilesTest {
    static final Path ROOT =
            Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String BYTES = "org.apache.kafka.connect.converters.ByteArrayConverter";

    static Map<String, String> load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, String> out = new HashMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }

    /**
     * ${provider:...} placeholders stand for secrets the worker resolves; a connector sees a value.
     */
    static Map<String, String> resolved(Map<String, String> config) {
        Map<String, String> out = new HashMap<>();
        config.forEach((k, v) -> out.put(k, v.matches("\\$\\{[a-z]+:.+}") ? "stand-in-secret" : v));
        return out;
    }

    static void accepted(Map<String, String> config) throws Exception {
        SourceConnector c =
                (SourceConnector)
                        Class.forName(config.get("connector.class"))
                                .getDeclaredConstructor()
                                .newInstance();
        Map<String, String> values = resolved(config);
        assertThat(c.validate(values).configValues())
                .allSatisfy(v -> assertThat(v.errorMessages()).as(v.name()).isEmpty());
        c.start(values); // the connector's own checks (ages, topics, regions)
        assertThat(c.taskConfigs(2)).isNotEmpty();
        c.stop();
        assertThat(config)
                .containsEntry("key.converter", BYTES)
                .containsEntry("value.converter", BYTES);
    }

    @Test
    void theStandaloneFilesAreAcceptedByTheWorkerAndTheConnectors() throws Exception {
        Map<String, String> worker = load(ROOT.resolve("deploy/connect/worker.properties"));
        StandaloneConfig config = new StandaloneConfig(worker);
        assertThat(config.getClass("key.converter").getName()).isEqualTo(BYTES);
        assertThat(config.getClass("value.converter").getName()).isEqualTo(BYTES);
        assertThat(worker)
                .containsKeys("plugin.path", "offset.storage.file.filename", "config.providers");
        List<Path> connectors = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve("deploy/connect"))) {
            files.filter(
                            f ->
                                    f.toString().endsWith(".properties")
                                            && !f.getFileName()
                                                    .toString()
                                                    .matches("worker.properties|secrets.*"))
                    .forEach(connectors::add);
        }
        assertThat(connectors).hasSize(3);
        for (Path f : connectors) accepted(load(f));
        // No secret in a connector file: only placeholders.
        assertThat(
                        load(ROOT.resolve("deploy/connect/electricitymaps.properties"))
                                .get("electricitymaps.api.token"))
                .startsWith("${env:");
        assertThat(
                        load(ROOT.resolve("deploy/connect/watttime.properties"))
                                .get("watttime.password"))
                .startsWith("${env:");
    }

    @Test
    void theComposeServiceRunsThePluginJarWithTheseFiles() throws Exception {
        JsonNode connect =
                YAML.readTree(ROOT.resolve("docker-compose.yml").toFile())
                        .path("services")
                        .path("connect");
        assertThat(connect.path("image").asText())
                .isEqualTo("apache/kafka:" + System.getProperty("kafka.version", "4.2.0"));
        List<String> volumes = new ArrayList<>();
        connect.path("volumes").forEach(v -> volumes.add(v.asText()));
        String version = System.getProperty("project.version", "0.1.0-SNAPSHOT");
        String plugin = load(ROOT.resolve("deploy/connect/worker.properties")).get("plugin.path");
        assertThat(volumes)
                .anyMatch(
                        v ->
                                v.startsWith(
                                        "./connectors/target/carbonstream-connectors-"
                                                + version
                                                + "-plugin.jar:"
                                                + plugin
                                                + "/"));
        assertThat(volumes).anyMatch(v -> v.startsWith("./deploy/connect:/opt/connect/config"));
        assertThat(connect.path("entrypoint").get(0).asText())
                .isEqualTo("/opt/kafka/bin/connect-standalone.sh");
        connect.path("command")
                .forEach(
                        c ->
                                assertThat(
                                                ROOT.resolve("deploy/connect")
                                                        .resolve(Path.of(c.asText()).getFileName()))
                                        .exists());
    }

    @Test
    void theReadmeDocumentsEverySetting() throws Exception {
        String readme = Files.readString(ROOT.resolve("connectors/README.md"));
        for (SourceConnector c :
                List.<SourceConnector>of(
                        new io.carbonstream.connect.electricitymaps
                                .ElectricityMapsSourceConnector(),
                        new io.carbonstream.connect.carbonintensity
                                .CarbonIntensityUkSourceConnector(),
                        new io.carbonstream.connect.watttime.WattTimeSourceConnector())) {
            assertThat(readme)
                    .as(c.getClass().getSimpleName())
                    .contains(c.config().names().stream().map(k -> "`" + k + "`").toList());
            assertThat(readme).contains(c.getClass().getName());
        }
    }

    @Test
    void theStrimziConnectorsAreAcceptedAndRunExactlyOnce() throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (var it =
                YAML.readerFor(JsonNode.class)
                        .<JsonNode>readValues(ROOT.resolve("deploy/k8s/connect.yaml").toFile())) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isMissingNode() && !n.isNull()) docs.add(n);
            }
        }
        JsonNode connect =
                docs.stream()
                        .filter(d -> d.path("kind").asText().equals("KafkaConnect"))
                        .findFirst()
                        .orElseThrow();
        assertThat(connect.path("spec").path("config").path("exactly.once.source.support").asText())
                .isEqualTo("enabled");
        assertThat(connect.path("spec").path("version").asText())
                .isEqualTo(System.getProperty("kafka.version", "4.2.0"));
        List<JsonNode> connectors =
                docs.stream()
                        .filter(d -> d.path("kind").asText().equals("KafkaConnector"))
                        .toList();
        assertThat(connectors).hasSize(3);
        for (JsonNode k : connectors) {
            assertThat(k.path("metadata").path("labels").path("strimzi.io/cluster").asText())
                    .isEqualTo(connect.path("metadata").path("name").asText());
            Map<String, String> config = new HashMap<>();
            k.path("spec")
                    .path("config")
                    .properties()
                    .forEach(e -> config.put(e.getKey(), e.getValue().asText()));
            assertThat(config).containsEntry("exactly.once.support", "required");
            config.put("connector.class", k.path("spec").path("class").asText());
            accepted(config);
        }
    }
}
