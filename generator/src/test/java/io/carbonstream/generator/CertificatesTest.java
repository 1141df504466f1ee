package io.carbonstream.generator;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.Certificate;
import io.carbonstream.schema.Datacenter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's PPA deliveries: which hours, how much, which grid and for whom, by seed. */
class CertificatesTest {

    static final long HOUR = 3_600_000L;
    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");

    /** The demo's default: 200 requests per wall second at x144. */
    static final double RATE = 200.0 / 144;

    static TrafficGenerator generator(long seed, Fleet fleet) {
        return new TrafficGenerator(
                GeneratorSettings.of(seed, START, RATE).withFleet(fleet).withCertificates(true));
    }

    @Test
    void aSolarPpaInCaliforniaForItsDatacenterAndAWindPpaInGermanyForTheOrganisation() {
        TrafficGenerator gen = generator(42, Fleet.defaultFleet());
        List<Certificates.Ppa> ppas = gen.certificates().ppas();
        assertThat(ppas).extracting(Certificates.Ppa::technology).containsExactly("SOLAR", "WIND");
        Certificates.Ppa solar = ppas.get(0);
        Certificates.Ppa wind = ppas.get(1);
        assertThat(solar.zone()).isEqualTo("US-CAL-CISO");
        assertThat(solar.datacenterId()).isEqualTo("dc-us-west-1");
        assertThat(solar.organisation()).isNull();
        assertThat(wind.zone()).isEqualTo("DE");
        assertThat(wind.datacenterId()).isNull();
        assertThat(wind.organisation()).isEqualTo(Fleet.ORGANISATION);

        // Every datacenter belongs to the organisation, and the retired-for datacenter is in the
        // PPA's grid.
        for (Datacenter d : gen.registry())
            assertThat(d.getOrganisation()).isEqualTo(Fleet.ORGANISATION);
        assertThat(gen.registry())
                .filteredOn(d -> d.getDatacenterId().equals("dc-us-west-1"))
                .extracting(Datacenter::getZone)
                .containsExactly("US-CAL-CISO");
        assertThat(gen.registry()).filteredOn(d -> d.getZone().equals("DE")).isNotEmpty();

        // A fleet without a datacenter in DE has no wind PPA.
        assertThat(generator(42, Fleet.standard(2, 16)).certificates().ppas())
                .extracting(Certificates.Ppa::technology)
                .containsExactly("SOLAR");
    }

    @Test
    void solarFollowsTheSunWindVariesAndSomeHoursAreFullyCoveredOthersNot() {
        TrafficGenerator gen = generator(42, Fleet.defaultFleet());
        Certificates certs = gen.certificates();
        DatacenterSpec caiso = gen.fleet().datacenters().get(0);
        DatacenterSpec de =
                gen.fleet().datacenters().stream()
                        .filter(d -> d.zone().id().equals("DE"))
                        .findFirst()
                        .orElseThrow();
        long day0 = START.toEpochMilli();
        int solarHours = 0;
        int solarAboveLoad = 0;
        int solarBelowLoad = 0;
        int windAboveLoad = 0;
        int windBelowLoad = 0;
        Map<Integer, Double> solarByLocalHour = new HashMap<>();
        List<Double> wind = new ArrayList<>();
        for (int h = 0; h < 7 * 24; h++) {
            long hour = day0 + h * HOUR;
            int localHour = Math.floorMod(h - 8, 24); // California: UTC-8
            for (Certificate c : certs.forHour(hour)) {
                assertThat(c.getGenerationStart().toEpochMilli()).isEqualTo(hour);
                assertThat(c.getInstrument()).isEqualTo("PPA");
                assertThat(c.getEmissionFactorGPerKwh()).isZero();
                assertThat(c.getMwh()).isPositive();
                // Whole Wh.
                assertThat(c.getMwh() * 1e6)
                        .isCloseTo(
                                Math.rint(c.getMwh() * 1e6),
                                org.assertj.core.data.Offset.offset(1e-6));
                double kwh = c.getMwh() * 1000;
                if (c.getTechnology().equals("SOLAR")) {
                    assertThat(c.getGridBoundary()).isEqualTo("US-CAL-CISO");
                    assertThat(c.getRetiredForDatacenter()).isEqualTo("dc-us-west-1");
                    assertThat(c.getRetiredForOrganisation()).isNull();
                    assertThat(localHour)
                            .as("no solar at night (local hour %d)", localHour)
                            .isBetween(6, 17);
                    solarHours++;
                    solarByLocalHour.merge(localHour, kwh, Double::sum);
                    double load = gen.meanFacilityKwhPerHour(caiso, hour);
                    if (kwh > 1.3 * load) solarAboveLoad++;
                    if (kwh < 0.7 * load) solarBelowLoad++;
                } else {
                    assertThat(c.getTechnology()).isEqualTo("WIND");
                    assertThat(c.getGridBoundary()).isEqualTo("DE");
                    assertThat(c.getRetiredForOrganisation()).isEqualTo(Fleet.ORGANISATION);
                    assertThat(c.getRetiredForDatacenter()).isNull();
                    wind.add(kwh);
                    double load = gen.meanFacilityKwhPerHour(de, hour);
                    if (kwh > 1.0 * load) windAboveLoad++;
                    if (kwh < 0.5 * load) windBelowLoad++;
                }
            }
        }
        // Twelve daylight hours a day, peaking around noon.
        assertThat(solarHours).isEqualTo(7 * 12);
        assertThat(solarByLocalHour.get(11) + solarByLocalHour.get(12))
                .isGreaterThan(2 * (solarByLocalHour.get(7) + solarByLocalHour.get(16)));
        // Sized against the datacenter's load: middays more than it, mornings and evenings less.
        assertThat(solarAboveLoad).isGreaterThan(10);
        assertThat(solarBelowLoad).isGreaterThan(10);
        // Wind every hour, varying: hours above the load and hours far below it.
        assertThat(wind).hasSize(7 * 24);
        assertThat(windAboveLoad).isGreaterThan(10);
        assertThat(windBelowLoad).isGreaterThan(10);
        assertThat(wind.stream().mapToDouble(Double::doubleValue).max().orElseThrow())
                .isGreaterThan(
                        5 * wind.stream().mapToDouble(Double::doubleValue).min().orElseThrow());
    }

    @Test
    void deterministicBySeedAndIndependentOfWhereTheRunStarts() {
        long hour = START.toEpochMilli() + 20 * HOUR; // 12:00 in California
        List<Certificate> a = generator(42, Fleet.defaultFleet()).certificates().forHour(hour);
        List<Certificate> b = generator(42, Fleet.defaultFleet()).certificates().forHour(hour);
        List<Certificate> other = generator(43, Fleet.defaultFleet()).certificates().forHour(hour);
        assertThat(a).hasSize(2).isEqualTo(b);
        assertThat(a)
                .extracting(Certificate::getCertificateId)
                .containsExactly("ppa-solar-US-CAL-CISO-20261120T20Z", "ppa-wind-DE-20261120T20Z");
        assertThat(other)
                .extracting(Certificate::getMwh)
                .isNotEqualTo(a.stream().map(Certificate::getMwh).toList());

        // A run that starts later publishes the same delivery for the same hour.
        TrafficGenerator later =
                new TrafficGenerator(
                        GeneratorSettings.of(42, START.plus(Duration.ofHours(19)), RATE)
                                .withFleet(Fleet.defaultFleet())
                                .withCertificates(true));
        assertThat(later.certificates().forHour(hour)).isEqualTo(a);
    }

    @Test
    void theGeneratorPublishesEachHoursDeliveriesAfterTheHourInPublishOrderAndNothingElseChanges() {
        GeneratorSettings plain = GeneratorSettings.of(42, START.plus(Duration.ofMinutes(40)), 5);
        List<GeneratedRecord> without =
                new TrafficGenerator(plain).records(30_000, Duration.ofMinutes(30));
        List<GeneratedRecord> with =
                new TrafficGenerator(plain.withCertificates(true))
                        .records(30_000, Duration.ofMinutes(30));
        assertThat(with).extracting(GeneratedRecord::publishAtMs).isSorted();

        List<GeneratedRecord> certs =
                with.stream().filter(r -> r.kind() == GeneratedRecord.Kind.CERTIFICATE).toList();
        assertThat(certs).isNotEmpty();
        Certificates schedule = new TrafficGenerator(plain.withCertificates(true)).certificates();
        long lastPublished = with.get(with.size() - 1).publishAtMs();
        List<String> expected = new ArrayList<>();
        for (long hour = START.toEpochMilli(); hour < lastPublished; hour += HOUR) {
            for (Certificate c : schedule.forHour(hour)) {
                if (c.getIssuedAt().toEpochMilli() <= lastPublished)
                    expected.add(c.getCertificateId());
            }
        }
        assertThat(certs).extracting(GeneratedRecord::key).containsExactlyElementsOf(expected);
        for (GeneratedRecord r : certs) {
            Certificate c = PlainAvro.decode(r.valueBytes(), Certificate.class);
            assertThat(r.key()).isEqualTo(c.getCertificateId());
            assertThat(r.publishAtMs())
                    .isEqualTo(c.getIssuedAt().toEpochMilli())
                    .isGreaterThanOrEqualTo(c.getGenerationStart().toEpochMilli() + HOUR);
        }
        // The other records are byte for byte those of a run without certificates.
        List<GeneratedRecord> rest =
                with.stream().filter(r -> r.kind() != GeneratedRecord.Kind.CERTIFICATE).toList();
        assertThat(rest).hasSameSizeAs(without);
        for (int i = 0; i < rest.size(); i++) {
            assertThat(rest.get(i).publishAtMs()).isEqualTo(without.get(i).publishAtMs());
            assertThat(Arrays.equals(rest.get(i).valueBytes(), without.get(i).valueBytes()))
                    .as("record %d", i)
                    .isTrue();
        }
    }
}
