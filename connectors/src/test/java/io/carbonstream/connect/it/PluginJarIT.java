package io.carbonstream.connect.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The -plugin jar holds what a Connect worker's plugin.path needs, and nothing the worker brings
 * itself.
 */
class PluginJarIT {

    @Test
    void thePluginJarIsSelfContainedButLeavesKafkaToTheWorker() throws Exception {
        Path jar =
                Path.of(
                        System.getProperty(
                                "plugin.jar",
                                "target/carbonstream-connectors-0.1.0-SNAPSHOT-plugin.jar"));
        assertThat(jar).exists();
        try (JarFile f = new JarFile(jar.toFile())) {
            List<String> names = f.stream().map(ZipEntry::getName).toList();
            assertThat(names)
                    .contains(
                            "io/carbonstream/connect/electricitymaps/ElectricityMapsSourceConnector.class",
                            "io/carbonstream/connect/carbonintensity/CarbonIntensityUkSourceConnector.class",
                            "io/carbonstream/connect/watttime/WattTimeSourceConnector.class",
                            "io/carbonstream/connect/bulk/ElectricityMapsCsvLoader.class",
                            "io/carbonstream/schema/IntensityUpdate.class",
                            "io/carbonstream/schema/IntensityForecast.class",
                            "org/apache/avro/specific/SpecificDatumWriter.class",
                            "com/fasterxml/jackson/databind/ObjectMapper.class",
                            "picocli/CommandLine.class",
                            "META-INF/services/org.apache.kafka.connect.source.SourceConnector");
            assertThat(names)
                    .noneMatch(n -> n.startsWith("org/apache/kafka/"))
                    .noneMatch(n -> n.startsWith("org/slf4j/"));
            String services =
                    new String(
                            f.getInputStream(
                                            f.getEntry(
                                                    "META-INF/services/org.apache.kafka.connect.source.SourceConnector"))
                                    .readAllBytes());
            assertThat(services)
                    .contains(
                            "ElectricityMapsSourceConnector",
                            "CarbonIntensityUkSourceConnector",
                            "WattTimeSourceConnector");
            assertThat(f.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.carbonstream.connect.bulk.ElectricityMapsCsvLoader");
        }
        assertThat(Files.size(jar)).isLessThan(30L * 1024 * 1024);
    }
}
