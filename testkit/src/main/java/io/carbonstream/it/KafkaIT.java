package io.carbonstream.it;

import io.carbonstream.kafka.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of tests that need a real Kafka broker (in-process KRaft), one per test class. */
public abstract class KafkaIT {

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
