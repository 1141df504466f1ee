package io.carbonstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema-registry options: checked on the client, with messages that say what to fix and never
 * quote credentials.
 */
class SchemaRegistryOptionsTest {

    static final String PASSWORD = "s3cr3t-registry-pw";

    @Test
    void plainByDefaultAndNoRegistry() {
        JobConfig c = JobConfig.fromArgs();
        assertThat(c.get(JobOptions.OUTPUT_WIRE_FORMAT)).isEqualTo(JobOptions.WireFormat.PLAIN);
        assertThat(c.limits().schemaRegistry()).isNull();
        assertThat(c.outputRegistry()).isNull();
    }

    @Test
    void aRegistryForInputOnlyOrForOutputsToo(@TempDir Path dir) throws Exception {
        Path props = dir.resolve("registry.properties");
        Files.writeString(props, "basic.auth.user.info=carbon:" + PASSWORD + "\n");
        JobConfig in =
                JobConfig.fromArgs(
                        "--schema-registry.url",
                        "https://registry.example:8081/apis/ccompat/v7/",
                        "--schema-registry.properties-file",
                        props.toString());
        assertThat(in.limits().schemaRegistry().url())
                .isEqualTo("https://registry.example:8081/apis/ccompat/v7");
        assertThat(in.outputRegistry()).isNull();
        JobConfig out =
                JobConfig.fromArgs(
                        "--schema-registry.url",
                        "http://registry:8081",
                        "--output.wire-format",
                        "REGISTRY",
                        "--schema-registry.properties-file",
                        props.toString());
        assertThat(out.outputRegistry().url()).isEqualTo("http://registry:8081");
        for (Object printable :
                new Object[] {in, out, in.limits(), out.outputRegistry(), JobConfig.help()}) {
            assertThat(printable.toString()).doesNotContain(PASSWORD);
        }
    }

    @Test
    void theOptionsPageRowsAreTheDescriptions() throws Exception {
        String options = Files.readString(Path.of("..", "docs", "options.md"));
        for (var o :
                java.util.List.of(
                        JobOptions.SCHEMA_REGISTRY_URL,
                        JobOptions.SCHEMA_REGISTRY_PROPERTIES_FILE,
                        JobOptions.OUTPUT_WIRE_FORMAT)) {
            String row =
                    "| `--"
                            + o.key()
                            + "` | "
                            + (o.hasDefaultValue() ? JobConfig.defaultText(o) : "(unset)")
                            + " | "
                            + JobConfig.text(o)
                            + " |";
            assertThat(options).contains(row);
        }
    }

    /** A registry at http://registry:8081 with its client settings in the given file. */
    static JobConfig registryWithProperties(String file) {
        return JobConfig.fromArgs(
                "--schema-registry.url",
                "http://registry:8081",
                "--schema-registry.properties-file",
                file);
    }

    @Test
    void mistakesSayWhatToFixWithoutQuotingCredentials(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> JobConfig.fromArgs("--output.wire-format", "REGISTRY"))
                .isInstanceOf(JobConfig.ConfigException.class)
                .hasMessageContaining("--schema-registry.url");
        assertThatThrownBy(() -> JobConfig.fromArgs("--output.wire-format", "CONFLUENT"))
                .hasMessageContaining("--output.wire-format")
                .hasMessageContaining("PLAIN")
                .hasMessageContaining("REGISTRY");
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        "--schema-registry.properties-file", "/etc/x.properties"))
                .hasMessageContaining("--schema-registry.url");
        assertThatThrownBy(() -> JobConfig.fromArgs("--schema-registry.url", "registry:8081"))
                .hasMessageContaining("--schema-registry.url")
                .hasMessageContaining("http://");
        assertThatThrownBy(
                        () ->
                                JobConfig.fromArgs(
                                        "--schema-registry.url",
                                        "http://carbon:" + PASSWORD + "@registry:8081"))
                .hasMessageContaining("--schema-registry.properties-file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> registryWithProperties("/nonexistent/registry.properties"))
                .hasMessageContaining("--schema-registry.properties-file")
                .hasMessageContaining("/nonexistent/registry.properties");
        Path empty = dir.resolve("empty.properties");
        Files.writeString(empty, "basic.auth.credentials.source=USER_INFO\n");
        assertThatThrownBy(() -> registryWithProperties(empty.toString()))
                .hasMessageContaining("basic.auth.user.info=user:password");
        Path malformed = dir.resolve("malformed.properties");
        Files.writeString(malformed, "basic.auth.user.info=" + PASSWORD + "\n");
        assertThatThrownBy(() -> registryWithProperties(malformed.toString()))
                .hasMessageContaining("user:password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
    }
}
