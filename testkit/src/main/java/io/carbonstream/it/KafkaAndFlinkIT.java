package io.carbonstream.it;

import io.carbonstream.kafka.EmbeddedKafka;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of tests that run the job: a real Kafka broker (in-process KRaft) and a Flink MiniCluster
 * with 2 TaskManagers of 2 slots, both per test class.
 */
public abstract class KafkaAndFlinkIT {

    @RegisterExtension
    protected static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(2)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    protected static EmbeddedKafka kafka;

    @BeforeAll
    protected static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    protected static void stopKafka() {
        if (kafka != null) kafka.close();
    }
}
