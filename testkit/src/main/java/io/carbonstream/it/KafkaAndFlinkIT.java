package io.carbonstream.it;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of tests that run the job: a real Kafka broker (in-process KRaft) and a Flink MiniCluster
 * with 2 TaskManagers of 2 slots, both per test class.
 */
public abstract class KafkaAndFlinkIT extends KafkaIT {

    @RegisterExtension
    protected static final MiniClusterExtension FLINK = miniCluster(2, new Configuration());

    /**
     * A MiniCluster per test class of {@code taskManagers} TaskManagers with 2 slots each, for a
     * test class that needs another size or configuration than this base's.
     */
    public static MiniClusterExtension miniCluster(int taskManagers, Configuration configuration) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setNumberTaskManagers(taskManagers)
                        .setNumberSlotsPerTaskManager(2)
                        .setConfiguration(configuration)
                        .build());
    }
}
