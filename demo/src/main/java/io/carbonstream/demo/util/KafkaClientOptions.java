package io.carbonstream.demo.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import picocli.CommandLine.Option;

/**
 * How the subcommands that talk to the user's own Kafka (generate, view, tail) reach it: one
 * picocli mixin, so that the options read the same and the properties file is loaded one way.
 */
public final class KafkaClientOptions {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers. Default: ${DEFAULT-VALUE}.")
    String bootstrap;

    @Option(
            names = "--kafka-properties-file",
            paramLabel = "FILE",
            description =
                    "Kafka client properties (security.protocol, sasl.*, ssl.*), as for the job.")
    Path propertiesFile;

    public String bootstrap() {
        return bootstrap;
    }

    /**
     * The client properties of --kafka-properties-file; none without it.
     *
     * @throws IOException the file cannot be read
     */
    public Properties clientProperties() throws IOException {
        Properties properties = new Properties();
        if (propertiesFile != null) {
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                properties.load(in);
            }
        }
        return properties;
    }

    /**
     * The client properties, or null once it has told on stderr, after the command's name, why the
     * file cannot be read: the command then exits with 2 (invalid input).
     */
    public Properties clientPropertiesOrNull(String command) {
        try {
            return clientProperties();
        } catch (IOException e) {
            System.err.println(
                    command
                            + ": cannot read --kafka-properties-file "
                            + propertiesFile
                            + ": "
                            + e.getMessage());
            return null;
        }
    }

    /**
     * Consumer properties for reading carbonstream's topics: the client settings, the bootstrap
     * servers, committed records only (the job's outputs are transactional: an uncommitted record
     * may still be aborted) and no offsets committed (every reader starts where it chooses).
     */
    public static Properties committedReader(Properties client, String bootstrap) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }
}
