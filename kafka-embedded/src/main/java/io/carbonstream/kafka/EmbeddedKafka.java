package io.carbonstream.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real, single-node KRaft Kafka broker running inside this JVM.
 *
 * <p>Wraps Kafka's own test kit, an internal API, so that exactly one class of ours knows it. Used
 * by integration tests and the embedded demo; never shipped in the job jar.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private final KafkaClusterTestKit cluster;
    private final Properties security;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Properties security) {
        this.cluster = cluster;
        this.security = security;
    }

    /**
     * Starts a broker with settings suited to replaying old event times and Flink's exactly-once
     * sinks.
     */
    public static EmbeddedKafka start() {
        return start(Map.of());
    }

    public static EmbeddedKafka start(Map<String, String> extraBrokerConfig) {
        return start(extraBrokerConfig, SecurityProtocol.PLAINTEXT);
    }

    /**
     * A broker whose client listener requires SASL/PLAIN. Kafka's test kit provisions the users
     * {@code plain-admin} / {@code plain-admin-secret} and {@code plain-user1} / {@code
     * plain-user1-secret}.
     */
    public static EmbeddedKafka startWithSaslPlain() {
        // The controller listener stays PLAINTEXT (its principal is ANONYMOUS) and the test kit
        // turns
        // on an authorizer: let the controller through, and let authenticated users use topics.
        return start(
                Map.of(
                        "super.users",
                        "User:plain-admin;User:ANONYMOUS",
                        "allow.everyone.if.no.acl.found",
                        "true"),
                SecurityProtocol.SASL_PLAINTEXT);
    }

    private static EmbeddedKafka start(
            Map<String, String> extraBrokerConfig, SecurityProtocol protocol) {
        try {
            TestKitNodes nodes =
                    new TestKitNodes.Builder()
                            .setBrokerSecurityProtocol(protocol)
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            // The default is an unstable testing version; pin the production one.
                            .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                            .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            // Test and replay data carry old timestamps: time-based retention would delete them.
            builder.setConfigProp("log.retention.ms", "-1");
            // Flink's transactional sinks use timeouts up to this bound.
            builder.setConfigProp(
                    "transaction.max.timeout.ms", String.valueOf(Duration.ofHours(1).toMillis()));
            builder.setConfigProp("group.initial.rebalance.delay.ms", "0");
            builder.setConfigProp("offsets.topic.replication.factor", "1");
            builder.setConfigProp("transaction.state.log.replication.factor", "1");
            builder.setConfigProp("transaction.state.log.min.isr", "1");
            builder.setConfigProp("share.coordinator.state.topic.replication.factor", "1");
            builder.setConfigProp("share.coordinator.state.topic.min.isr", "1");
            builder.setConfigProp("num.partitions", "2");
            builder.setConfigProp("auto.create.topics.enable", "false");
            extraBrokerConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            Properties security = new Properties();
            if (protocol == SecurityProtocol.SASL_PLAINTEXT) {
                security.put("security.protocol", "SASL_PLAINTEXT");
                security.put("sasl.mechanism", "PLAIN");
                security.put(
                        "sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required "
                                + "username=\"plain-admin\" password=\"plain-admin-secret\";");
            }
            return new EmbeddedKafka(cluster, security);
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the in-process Kafka broker: " + e, e);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Bootstrap servers and, for a SASL broker, the admin's security settings. */
    public Properties clientProperties() {
        Properties props = new Properties();
        props.putAll(security);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Creates topics (ignoring those that exist) and waits until they are usable. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> missing = new ArrayList<>(topics);
            try {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(
                            "Could not create topics " + topics, e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics " + topics, e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop the in-process Kafka broker", e);
        }
    }
}
