package io.carbonstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.CarbonStreamJob;
import io.carbonstream.config.JobConfig;
import io.carbonstream.kafka.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a broker that requires SASL/PLAIN, with credentials from a client properties file: it
 * works, and the password appears nowhere in the logs, --help or Flink's configuration.
 */
class SaslIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaAndFlinkIT.miniCluster(1, new Configuration());

    static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.startWithSaslPlain();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) kafka.close();
    }

    static final String SECRET = "plain-user1-secret";

    /** Every log event at INFO and above, with its stack trace. */
    static final class Capture extends AbstractAppender {
        final StringBuffer text = new StringBuffer();

        Capture() {
            super("capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent e) {
            text.append(e.getLoggerName())
                    .append(' ')
                    .append(e.getMessage().getFormattedMessage())
                    .append('\n');
            if (e.getThrown() != null) {
                StringWriter w = new StringWriter();
                e.getThrown().printStackTrace(new PrintWriter(w));
                text.append(w);
            }
        }
    }

    @Test
    void runsAgainstASaslBrokerAndNeverLeaksTheSecret(@TempDir Path tmp) throws Exception {
        Capture capture = new Capture();
        capture.start();
        LoggerContext logs = (LoggerContext) LogManager.getContext(false);
        var root = logs.getConfiguration().getRootLogger();
        Level before = root.getLevel();
        root.addAppender(capture, Level.INFO, null);
        root.setLevel(Level.INFO);
        logs.updateLoggers();
        try {
            JobFixture f = new JobFixture(kafka, "sasl.");
            Scenario s = new Scenario(3, 2_000, 20 * Scenario.MIN, 4_000);
            f.produceScenario(s, Map.of());

            Path client = tmp.resolve("client.properties");
            Files.writeString(
                    client,
                    "security.protocol=SASL_PLAINTEXT\n"
                        + "sasl.mechanism=PLAIN\n"
                        + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                        + " required username=\"plain-user1\" password=\""
                            + SECRET
                            + "\";\n");
            JobConfig cfg =
                    JobConfig.fromMap(
                            f.config(
                                    JobFixture.writeRegistry(tmp, s.datacenters),
                                    Map.of(
                                            "bounded",
                                            "true",
                                            "kafka-properties-file",
                                            client.toString())));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            CarbonStreamJob.build(env, cfg);
            assertThat(env.getConfiguration().toMap().toString()).doesNotContain(SECRET);
            env.execute("carbonstream-sasl");

            JobFixture.assertAggregatesEqual(
                    f.latestAggregates(), JobFixture.reference(s, s.requests));
            assertThat(cfg.toString()).doesNotContain(SECRET);
            assertThat(JobConfig.help()).doesNotContain(SECRET);
        } finally {
            root.removeAppender("capture");
            root.setLevel(before);
            logs.updateLoggers();
        }
        // The capture saw the clients being configured with SASL, so the scan below is not vacuous.
        assertThat(capture.text).contains("SASL_PLAINTEXT").contains("sasl.jaas.config");
        assertThat(capture.text.toString()).doesNotContain(SECRET);
    }
}
