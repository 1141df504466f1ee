package io.carbonstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

    @Test
    void defaultsAreUsable() {
        JobConfig c = JobConfig.fromArgs();
        assertThat(c.get(JobOptions.TOPIC_EVENTS)).isEqualTo("carbonstream.events");
        assertThat(c.get(JobOptions.ALLOWED_LATENESS)).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.methodology()).startsWith("carbonstream-1/catalog-");
    }

    @Test
    void optionsParseFromTheCommandLine() {
        JobConfig c = JobConfig.fromArgs("--bootstrap-servers", "k:9093", "--allowed-lateness", "5 min", "--bounded", "true",
                "--intensity.zone-defaults", "DE:332,FR:44");
        assertThat(c.kafkaBootstrap()).isEqualTo("k:9093");
        assertThat(c.ms(JobOptions.ALLOWED_LATENESS)).isEqualTo(300_000);
        assertThat(c.get(JobOptions.BOUNDED)).isTrue();
        assertThat(c.pricer().price("FR", null, 0).gPerKwh()).isEqualTo(44.0);
    }

    @Test
    void mistakesSayWhatToFix() {
        assertThatThrownBy(() -> JobConfig.fromArgs("--allowed-latenes", "5 min"))
                .hasMessageContaining("Unknown option --allowed-latenes").hasMessageContaining("--help");
        assertThatThrownBy(() -> JobConfig.fromArgs("--allowed-lateness", "soon"))
                .hasMessageContaining("--allowed-lateness").hasMessageContaining("soon");
        assertThatThrownBy(() -> JobConfig.fromArgs("--checkpoint-interval", "20 min"))
                .hasMessageContaining("--transaction-timeout");
        assertThatThrownBy(() -> JobConfig.fromArgs("--intensity.zone-defaults", "DE:lots"))
                .hasMessageContaining("zone DE");
        assertThatThrownBy(() -> JobConfig.fromArgs("--registry-file", "/nonexistent/registry.json"))
                .hasMessageContaining("--registry-file").hasMessageContaining("/nonexistent/registry.json");
        assertThatThrownBy(() -> JobConfig.fromArgs("--events.time-floor", "yesterday"))
                .hasMessageContaining("ISO-8601");
    }

    @Test
    void helpListsEveryOptionWithItsDescription() {
        String help = JobConfig.help();
        for (var o : JobOptions.all()) assertThat(help).contains("--" + o.key());
        assertThat(help).contains("read_committed");
    }

    @Test
    void theReadmeDocumentsEveryOption() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (var o : JobOptions.all()) assertThat(readme).as("README option table").contains("`--" + o.key() + "`");
    }

    @Test
    void kafkaSecretsStayOutOfEverythingPrintable(@TempDir Path dir) throws Exception {
        Path props = dir.resolve("client.properties");
        Files.writeString(props, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cr3t-pw\";\n");
        JobConfig c = JobConfig.fromArgs("--kafka-properties-file", props.toString());
        assertThat(c.kafkaProperties().getProperty("sasl.mechanism")).isEqualTo("PLAIN");
        assertThat(c.toString()).doesNotContain("s3cr3t-pw");
        assertThat(JobConfig.help()).doesNotContain("s3cr3t-pw");
    }
}
