package io.carbonstream.generator;

import io.carbonstream.schema.Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The demo fleet's renewable supply: two power purchase agreements whose hourly deliveries reach
 * the certificates topic as their meters report them, shortly after each hour, so that the job's
 * ledger matches them hour by hour within their grid (docs/semantics.md, "The hourly ledger").
 *
 * <ul>
 *   <li>A solar PPA in California, retired for the fleet's first datacenter there (dc-us-west-1):
 *       nothing at night, a midday peak of about twice the datacenter's average hourly load on a
 *       clear day, less on a cloudy one. Sunny middays are fully matched (with a surplus), mornings
 *       and late afternoons partly, nights not at all.
 *   <li>A wind PPA in Germany, retired for the organisation ({@link Fleet#ORGANISATION}, which
 *       every demo datacenter belongs to), so it counts toward the organisation's datacenters in
 *       DE: deliveries follow slow weather swings and hour-to-hour gusts, from almost nothing to
 *       about 1.5 times their average load.
 * </ul>
 *
 * <p>The demo's fleet is small (a few kWh an hour per datacenter), so the deliveries are sized from
 * the datacenters' expected load at the configured request rate ({@link
 * TrafficGenerator#meanFacilityKwhPerHour}): a few kWh, rounded to the Wh. An hour's delivery
 * depends only on the seed and the hour, not on where a run starts. A PPA whose zone has no
 * datacenter in the fleet is left out; an hour without generation publishes nothing (a zero
 * delivery would withdraw a certificate).
 */
public final class Certificates {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    public static final String SOLAR_ZONE = "US-CAL-CISO";
    public static final String WIND_ZONE = "DE";

    /** Solar day in California's local solar time (the zone's offset, no daylight saving). */
    static final double SUNRISE = 6.0;

    static final double SUNSET = 18.0;

    /** Peak delivery of a clear day / average hourly load of the datacenter. */
    static final double SOLAR_PEAK = 2.2;

    /**
     * Delivery at full wind / average hourly load of the organisation's datacenters in the zone.
     */
    static final double WIND_FULL = 1.5;

    private static final DateTimeFormatter HOUR_ID =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HH'Z'").withZone(ZoneOffset.UTC);

    /**
     * One agreement.
     *
     * @param technology SOLAR or WIND
     * @param zone the grid it delivers in (the certificate's grid_boundary)
     * @param datacenterId the datacenter its deliveries are retired for, or null
     * @param organisation the organisation they are retired for, or null (exactly one of the two is
     *     set)
     * @param sizedFor the datacenters whose load it is sized against
     * @param publishDelayMs how long after an hour's end its delivery is published
     */
    public record Ppa(
            String technology,
            String zone,
            String datacenterId,
            String organisation,
            List<DatacenterSpec> sizedFor,
            long publishDelayMs) {}

    private final TrafficGenerator generator;
    private final long seed;
    private final List<Ppa> ppas = new ArrayList<>();
    private final double windPhaseSlow;
    private final double windPhaseFast;

    public Certificates(TrafficGenerator generator) {
        this.generator = generator;
        this.seed = generator.settings().seed();
        Fleet fleet = generator.fleet();
        DatacenterSpec solarSite =
                fleet.datacenters().stream()
                        .filter(d -> d.zone().id().equals(SOLAR_ZONE))
                        .findFirst()
                        .orElse(null);
        if (solarSite != null)
            ppas.add(
                    new Ppa(
                            "SOLAR",
                            SOLAR_ZONE,
                            solarSite.id(),
                            null,
                            List.of(solarSite),
                            12 * ZoneGrid.MINUTE));
        List<DatacenterSpec> windSites =
                fleet.datacenters().stream().filter(d -> d.zone().id().equals(WIND_ZONE)).toList();
        if (!windSites.isEmpty())
            ppas.add(
                    new Ppa(
                            "WIND",
                            WIND_ZONE,
                            null,
                            Fleet.ORGANISATION,
                            windSites,
                            25 * ZoneGrid.MINUTE));
        SplittableRandom r = Seeds.stream(seed, "ppa-wind");
        windPhaseSlow = r.nextDouble() * 2 * Math.PI;
        windPhaseFast = r.nextDouble() * 2 * Math.PI;
    }

    public List<Ppa> ppas() {
        return List.copyOf(ppas);
    }

    /**
     * The deliveries of the hour starting at {@code hourStart} (on the hour), one per PPA that
     * generated in it.
     */
    public List<Certificate> forHour(long hourStart) {
        if (Math.floorMod(hourStart, HOUR) != 0)
            throw new IllegalArgumentException(
                    "not on the hour: " + Instant.ofEpochMilli(hourStart));
        List<Certificate> out = new ArrayList<>();
        for (Ppa p : ppas) {
            double kwh = kwh(p, hourStart);
            long wh = Math.round(kwh * 1000);
            if (wh < 1) continue;
            out.add(
                    Certificate.newBuilder()
                            .setCertificateId(id(p, hourStart))
                            .setMwh(wh / 1e6)
                            .setGenerationStart(Instant.ofEpochMilli(hourStart))
                            .setGridBoundary(p.zone())
                            .setTechnology(p.technology())
                            .setInstrument("PPA")
                            .setEmissionFactorGPerKwh(0.0)
                            .setRetiredForDatacenter(p.datacenterId())
                            .setRetiredForOrganisation(p.organisation())
                            .setIssuedAt(Instant.ofEpochMilli(publishAt(p, hourStart)))
                            .build());
        }
        return out;
    }

    /**
     * When the delivery of an hour is published: after the hour, when the PPA's meter data is in.
     */
    public static long publishAt(Ppa p, long hourStart) {
        return hourStart + HOUR + p.publishDelayMs();
    }

    public static String id(Ppa p, long hourStart) {
        return "ppa-"
                + p.technology().toLowerCase(java.util.Locale.ROOT)
                + "-"
                + p.zone()
                + "-"
                + HOUR_ID.format(Instant.ofEpochMilli(hourStart));
    }

    /** The PPA's delivery in that hour, kWh, before rounding. */
    double kwh(Ppa p, long hourStart) {
        double load = 0;
        for (DatacenterSpec d : p.sizedFor())
            load += generator.meanFacilityKwhPerHour(d, hourStart + HOUR / 2);
        long hourIndex = Math.floorDiv(hourStart, HOUR);
        if (p.technology().equals("SOLAR")) {
            double offset = p.sizedFor().get(0).zone().utcOffsetHours();
            double mid = mod24(Math.floorMod(hourStart, DAY) / (double) HOUR + 0.5 + offset);
            if (mid <= SUNRISE || mid >= SUNSET) return 0;
            double elevation = Math.sin(Math.PI * (mid - SUNRISE) / (SUNSET - SUNRISE));
            // Clouds: one factor for the (local) day, and a little from hour to hour.
            long localDay = Math.floorDiv(hourStart + (long) (offset * HOUR), DAY);
            double day = Seeds.uniform(Seeds.stream(seed, "ppa-solar-day", localDay), 0.55, 1.0);
            double hour = Seeds.uniform(Seeds.stream(seed, "ppa-solar-hour", hourIndex), 0.9, 1.05);
            return SOLAR_PEAK * load * Math.pow(elevation, 1.2) * day * hour;
        }
        // Wind: a swing over about two days, one over half a day, and gusts.
        double gust = Seeds.stream(seed, "ppa-wind-hour", hourIndex).nextGaussian();
        double w =
                0.45
                        + 0.28 * Math.sin(2 * Math.PI * hourIndex / 41.0 + windPhaseSlow)
                        + 0.14 * Math.sin(2 * Math.PI * hourIndex / 13.0 + windPhaseFast)
                        + 0.10 * gust;
        return WIND_FULL * load * Math.max(0.02, Math.min(1.0, w));
    }

    /** The deliveries from the hour containing {@code fromMs} on, stepped in publish order. */
    public Schedule schedule(long fromMs) {
        return new Schedule(Math.floorDiv(fromMs, HOUR) * HOUR);
    }

    /**
     * Deliveries in publish order, looked up one hour at a time when that hour has ended. Each PPA
     * publishes less than an hour after its hour ends, so an hour's deliveries all come before the
     * next hour is looked at.
     */
    public final class Schedule {
        private long hour;
        private final java.util.ArrayDeque<GeneratedRecord> pending = new java.util.ArrayDeque<>();

        private Schedule(long firstHour) {
            this.hour = firstHour;
        }

        /**
         * Simulated instant of the next step: a delivery's publish instant, or the end of the next
         * hour to look at.
         */
        public long nextAt() {
            return pending.isEmpty() ? hour + HOUR : pending.peekFirst().publishAtMs();
        }

        /**
         * The delivery due at {@link #nextAt()}, or null when the step only looked at an hour
         * (queueing its deliveries).
         */
        public GeneratedRecord poll() {
            if (!pending.isEmpty()) return pending.pollFirst();
            List<GeneratedRecord> due = new ArrayList<>();
            List<Certificate> delivered = forHour(hour);
            for (Ppa p : ppas) {
                for (Certificate c : delivered) {
                    if (c.getCertificateId().equals(id(p, hour))) {
                        due.add(
                                new GeneratedRecord(
                                        GeneratedRecord.Kind.CERTIFICATE,
                                        publishAt(p, hour),
                                        c.getCertificateId(),
                                        c));
                    }
                }
            }
            due.sort(java.util.Comparator.comparingLong(GeneratedRecord::publishAtMs));
            pending.addAll(due);
            hour += HOUR;
            return null;
        }
    }

    private static double mod24(double h) {
        double r = h % 24;
        return r < 0 ? r + 24 : r;
    }
}
