package io.carbonstream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.carbonstream.aggregate.KeyPricing;
import io.carbonstream.aggregate.PendingBuffer;
import io.carbonstream.aggregate.PricingCore;
import io.carbonstream.aggregate.WindowState;
import io.carbonstream.alert.ForecastProjection;
import io.carbonstream.alert.Hysteresis;
import io.carbonstream.alert.SpikeRule;
import io.carbonstream.gpu.GpuAttributor;
import io.carbonstream.gpu.Recombination;
import io.carbonstream.ledger.LedgerCore;
import io.carbonstream.registry.RegistryStart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout docs/architecture.md describes, checked on the compiled job classes: feature packages
 * depend on each other one way only, and the domain core (energy model, catalog, intensity as-of
 * lookup, registry history, and each operator's decision class) does not touch Flink, so it can be
 * read and unit-tested without it.
 */
class ArchitectureTest {

    private static JavaClasses job;

    @BeforeAll
    static void importJob() {
        job =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.carbonstream");
        // Guard against a vacuous pass: the import must have found the pipeline and its packages.
        assertThat(job.contain(Pipeline.class)).isTrue();
        assertThat(job.contain(KeyPricing.class)).isTrue();
    }

    @Test
    void featurePackagesHaveNoCycles() {
        slices().matching("io.carbonstream.(*)..").should().beFreeOfCycles().check(job);
    }

    @Test
    void domainPackagesDoNotUseFlink() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.carbonstream.energy..",
                        "io.carbonstream.intensity..",
                        "io.carbonstream.registry..")
                // The one adapter in registry: it overlays the start snapshot on an operator's
                // broadcast state, so it takes Flink's state types.
                .and()
                .doNotBelongToAnyOf(RegistryStart.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..")
                .check(job);
    }

    @Test
    void operatorDecisionsDoNotUseFlink() {
        noClasses()
                .that()
                .belongToAnyOf(
                        KeyPricing.class,
                        PricingCore.class,
                        PendingBuffer.class,
                        WindowState.class,
                        SpikeRule.class,
                        Hysteresis.class,
                        ForecastProjection.class,
                        GpuAttributor.class,
                        Recombination.class,
                        LedgerCore.class)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.flink..", "org.apache.kafka..")
                .check(job);
    }
}
