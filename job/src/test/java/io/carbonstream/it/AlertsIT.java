package io.carbonstream.it;

import io.carbonstream.schema.Alert;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two grid spikes in one zone and a budget breach in one datacenter produce exactly the expected
 * alert sequence; ids, exposure and severities are computed independently here.
 */
class AlertsIT extends KafkaAndFlinkIT {

    @Test
    void spikesAndBudgetBreachRaiseAndClearExactlyAsExpected(@TempDir Path tmp) throws Exception {
        JobFixture f = new JobFixture(kafka, "alerts.");
        AlertsScenario s = new AlertsScenario();
        f.produceIntensity(s.updates);
        f.produce("events", s.requests.stream().map(JobFixture::event).toList());
        Path registry = AlertsScenario.writeRegistry(tmp);

        JobFixture.runBounded(
                "carbonstream-alerts",
                f.config(registry, Map.of("bounded", "true", "alerts.min-dwell", "15 min")));

        s.assertAlerts(f.records("alerts", Alert.class));
    }
}
