package io.carbonstream.connect.electricitymaps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbonstream.connect.carbonintensity.CarbonIntensityUkSourceConnector;
import io.carbonstream.connect.common.CommonConfig;
import io.carbonstream.connect.watttime.WattTimeSourceConnector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.ExactlyOnceSupport;
import org.apache.kafka.connect.source.SourceConnector;
import org.junit.jupiter.api.Test;

/** The connectors' configuration, task split, exactly-once support and service registration. */
class ConnectorsTest {

    static Map<String, String> em(String... kv) {
        Map<String, String> p =
                new HashMap<>(
                        Map.of(
                                "electricitymaps.api.token",
                                "t0ken-for-tests",
                                "electricitymaps.zones",
                                "DE,FR,PL,SE,GB"));
        for (int i = 0; i + 1 < kv.length; i += 2) p.put(kv[i], kv[i + 1]);
        return p;
    }

    @Test
    void zonesAreSpreadOverTasksAndEveryConnectorSupportsExactlyOnce() {
        ElectricityMapsSourceConnector c = new ElectricityMapsSourceConnector();
        c.start(em());
        List<Map<String, String>> tasks = c.taskConfigs(2);
        assertThat(tasks)
                .extracting(t -> t.get(CommonConfig.TASK_ITEMS))
                .containsExactly("DE,FR,PL", "SE,GB");
        assertThat(c.taskConfigs(10)).hasSize(5);
        assertThat(c.exactlyOnceSupport(em())).isEqualTo(ExactlyOnceSupport.SUPPORTED);
        assertThat(new CarbonIntensityUkSourceConnector().exactlyOnceSupport(Map.of()))
                .isEqualTo(ExactlyOnceSupport.SUPPORTED);
        assertThat(new WattTimeSourceConnector().exactlyOnceSupport(Map.of()))
                .isEqualTo(ExactlyOnceSupport.SUPPORTED);
    }

    @Test
    void secretsArePasswordsSoConfigProvidersAndMaskingApply() {
        assertThat(
                        ElectricityMapsConfig.CONFIG_DEF
                                .configKeys()
                                .get(ElectricityMapsConfig.API_TOKEN)
                                .type)
                .isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(
                        new WattTimeSourceConnector()
                                .config()
                                .configKeys()
                                .get("watttime.password")
                                .type)
                .isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(new ElectricityMapsConfig(em()).token().toString())
                .doesNotContain("t0ken-for-tests");
    }

    @Test
    void inconsistentSettingsAreRefusedWithTheKeyToFix() {
        assertThatThrownBy(
                        () ->
                                new ElectricityMapsConfig(
                                        em("electricitymaps.refetch.ages", "7d,48h")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("electricitymaps.refetch.ages");
        assertThatThrownBy(
                        () -> new ElectricityMapsConfig(em("electricitymaps.refetch.ages", "2h")))
                .as("an age within the live horizon")
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new ElectricityMapsConfig(em("electricitymaps.live.horizon", "0")))
                .as("latest only needs no refetch")
                .hasMessageContaining("electricitymaps.refetch.ages");
        assertThat(
                        new ElectricityMapsConfig(
                                        em(
                                                "electricitymaps.live.horizon",
                                                "0",
                                                "electricitymaps.refetch.ages",
                                                ""))
                                .refetchAges())
                .isEmpty();
        assertThatThrownBy(
                        () ->
                                new ElectricityMapsConfig(
                                        em("forecast.topic", "carbonstream.intensity")))
                .hasMessageContaining("forecast.topic");
        assertThatThrownBy(
                        () ->
                                new ElectricityMapsConfig(
                                        em("electricitymaps.emission.factor.types", "marginal")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(
                        () ->
                                new ElectricityMapsConfig(
                                        em("electricitymaps.past.range.page", "11d")))
                .hasMessageContaining("10d");
        Map<String, String> noToken = em();
        noToken.remove("electricitymaps.api.token");
        assertThatThrownBy(() -> new ElectricityMapsConfig(noToken))
                .hasMessageContaining("electricitymaps.api.token");
    }

    @Test
    void offsetsCanBeResetOnlyForThisConnectorsPartitions() {
        ElectricityMapsSourceConnector c = new ElectricityMapsSourceConnector();
        Map<String, ?> ours =
                ElectricityMapsSourceTask.partition(
                        "DE", "lifecycle", "past-range", java.time.Duration.ofHours(48));
        assertThat(c.alterOffsets(em(), Map.of(ours, Map.of("valid_from", 1L, "updated_at", 2L))))
                .isTrue();
        Map<Map<String, ?>, Map<String, ?>> reset = new HashMap<>();
        reset.put(ours, null);
        assertThat(c.alterOffsets(em(), reset)).isTrue();
        assertThatThrownBy(
                        () ->
                                c.alterOffsets(
                                        em(),
                                        Map.of(
                                                Map.of("connector", "watttime"),
                                                Map.of("valid_from", 1L))))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void theConnectorsAreRegisteredAsServicesForPluginDiscovery() {
        assertThat(
                        ServiceLoader.load(SourceConnector.class).stream()
                                .map(p -> p.type().getName())
                                .toList())
                .contains(
                        ElectricityMapsSourceConnector.class.getName(),
                        CarbonIntensityUkSourceConnector.class.getName(),
                        WattTimeSourceConnector.class.getName());
    }
}
