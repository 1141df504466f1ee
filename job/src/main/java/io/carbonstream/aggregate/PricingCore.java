package io.carbonstream.aggregate;

import io.carbonstream.energy.FacilityFactors;
import io.carbonstream.energy.Provenance;
import io.carbonstream.intensity.IntensityPricer;
import io.carbonstream.intensity.IntensityTimeline;
import io.carbonstream.intensity.PriceQuality;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import java.io.Serializable;
import java.util.function.Function;

/**
 * How requests are priced and re-priced, free of Flink: facility energy, water and market-based
 * emissions from the registry version in force at the request's event time, location-based
 * emissions from the intensity in force there, and the re-pricing of already priced slices when
 * either changes after the fact. {@link KeyPricing} decides when; this decides how.
 */
public final class PricingCore implements Serializable {

    public static final long MINUTE = 60_000L;
    private static final PriceQuality[] QUALITIES = PriceQuality.values();

    private final PricingSettings settings;

    /** Low and high multipliers of GPU energy by Provenance ordinal. */
    private final double[] low;

    private final double[] high;

    public PricingCore(PricingSettings settings) {
        this.settings = settings;
        Provenance[] ps = Provenance.values();
        low = new double[ps.length];
        high = new double[ps.length];
        for (Provenance p : ps) {
            low[p.ordinal()] = settings.energyRanges().get(p).low();
            high[p.ordinal()] = settings.energyRanges().get(p).high();
        }
    }

    public PricingSettings settings() {
        return settings;
    }

    public static long minuteOf(long t) {
        return Math.floorDiv(t, MINUTE) * MINUTE;
    }

    /**
     * Everything about one request that depends neither on the registry nor on intensity: its
     * counts, its GPU energy with the range of its provenance, and its share of embodied emissions.
     */
    public Totals unpriced(MeteredRequest m) {
        Totals t = new Totals();
        t.requests = 1;
        t.inputTokens = m.request.inputTokens;
        t.outputTokens = m.request.outputTokens;
        t.images = m.request.images;
        t.mediaSeconds = m.request.mediaSeconds;
        t.gpuJoules = m.gpuJoules;
        t.measuredGpuJoules = m.provenance == Provenance.MEASURED ? m.gpuJoules : 0.0;
        t.meteredAttributedGpuJoules =
                m.provenance == Provenance.METERED_ATTRIBUTED ? m.gpuJoules : 0.0;
        t.rejectedMeasurementGpuJoules = m.measurementRejected ? m.gpuJoules : 0.0;
        t.gpuJoulesLow = m.gpuJoules * low[m.provenance.ordinal()];
        t.gpuJoulesHigh = m.gpuJoules * high[m.provenance.ordinal()];
        t.embodiedG = m.gpuJoules * settings.embodiedGPerGpuJoule();
        return t;
    }

    /**
     * Prices totals of requests that all ran at instant t with the datacenter version dc and the
     * zone's timeline (null when the zone has none): sets the priced fields of p and returns the
     * slice that remembers how.
     */
    public Slice price(Totals p, long t, DatacenterProfile dc, IntensityTimeline timeline) {
        return price(p, t, dc, timeline, null);
    }

    /**
     * As above, with the zone's timeline of the other emission-factor type (null when none was
     * fed).
     */
    public Slice price(
            Totals p,
            long t,
            DatacenterProfile dc,
            IntensityTimeline timeline,
            IntensityTimeline alternative) {
        Slice s = new Slice();
        fill(s, p, t, dc, timeline, alternative, settings.pricer().price(dc.zone, timeline, t));
        return s;
    }

    /**
     * As {@link #price}, adding to the slice of {@code into} priced alike (one is made if none):
     * the hot path, once per event-time millisecond with requests, allocates nothing when the
     * minute's slice exists.
     */
    public void priceInto(
            Totals p, long t, DatacenterProfile dc, IntensityTimeline timeline, SliceList into) {
        priceInto(p, t, dc, timeline, null, into);
    }

    /**
     * As above, with the zone's timeline of the other emission-factor type (null when none was
     * fed).
     */
    public void priceInto(
            Totals p,
            long t,
            DatacenterProfile dc,
            IntensityTimeline timeline,
            IntensityTimeline alternative,
            SliceList into) {
        IntensityPricer.Price price = settings.pricer().price(dc.zone, timeline, t);
        Slice scratch = into.scratch();
        fill(scratch, p, t, dc, timeline, alternative, price);
        into.addScratch();
    }

    private void fill(
            Slice s,
            Totals p,
            long t,
            DatacenterProfile dc,
            IntensityTimeline timeline,
            IntensityTimeline alternative,
            IntensityPricer.Price price) {
        s.minT = t;
        s.maxT = t;
        s.requests = p.requests;
        s.gpuJoules = p.gpuJoules;
        s.gpuJoulesLow = p.gpuJoulesLow;
        s.gpuJoulesHigh = p.gpuJoulesHigh;
        s.registryFrom = dc.effectiveFrom;
        s.intensityFrom = intensityFrom(timeline, t, price);
        s.intensity = price.gPerKwh();
        s.quality = price.quality().ordinal();
        int alt = settings.pricer().alternativeIndex(alternative, t);
        s.altFrom = alt < 0 ? Long.MIN_VALUE : alternative.validFrom[alt];
        s.altIntensity = alt < 0 ? 0.0 : alternative.intensity[alt];
        facility(s, dc);
        p.facilityKwh = s.facilityKwh;
        p.facilityKwhLow = s.facilityKwh * lowRatio(s);
        p.facilityKwhHigh = s.facilityKwh * highRatio(s);
        p.waterL = s.waterL;
        p.marketG = s.marketG;
        p.marketRequests = s.marketRequests;
        p.price(price);
        p.alternativeG = s.altLocationG;
        p.alternativeKwh = alternativeKwh(s.altFrom, s.facilityKwh);
        p.alternativeMissing = alternativeMissing(s.altFrom, s.requests);
    }

    /** Facility energy the other factor type priced: all of a slice's, or none of it. */
    private static double alternativeKwh(long altFrom, double kwh) {
        return altFrom == Long.MIN_VALUE ? 0.0 : kwh;
    }

    private static long alternativeMissing(long altFrom, long requests) {
        return altFrom == Long.MIN_VALUE ? requests : 0;
    }

    /**
     * Facility energy, water and market-based emissions of a slice's GPU energy: the one place they
     * are computed.
     */
    private void facility(Slice s, DatacenterProfile dc) {
        s.facilityKwh =
                FacilityFactors.facilityKwh(
                        s.gpuJoules, dc.itOverheadOr(settings.defaultItOverhead()), dc.pue);
        s.locationG = s.facilityKwh * s.intensity;
        s.altLocationG = s.altFrom == Long.MIN_VALUE ? 0.0 : s.facilityKwh * s.altIntensity;
        s.waterL =
                FacilityFactors.waterLitres(
                        s.facilityKwh, dc.pue, dc.wueLPerKwh, settings.offSiteWaterLPerKwh());
        if (dc.marketFactorGPerKwh != null) {
            s.marketG = s.facilityKwh * dc.marketFactorGPerKwh;
            s.marketRequests = s.requests;
        } else {
            s.marketG = 0.0;
            s.marketRequests = 0;
        }
    }

    /**
     * Low end of the slice's GPU energy as a share of it (facility energy and emissions scale
     * alike).
     */
    private static double lowRatio(Slice s) {
        return s.gpuJoules > 0 ? s.gpuJoulesLow / s.gpuJoules : 1.0;
    }

    private static double highRatio(Slice s) {
        return s.gpuJoules > 0 ? s.gpuJoulesHigh / s.gpuJoules : 1.0;
    }

    private static long intensityFrom(
            IntensityTimeline timeline, long t, IntensityPricer.Price price) {
        if (price.quality() == PriceQuality.FALLBACK) return Long.MIN_VALUE;
        return timeline.validFrom[timeline.indexAsOf(t)];
    }

    /** The outcome of re-pricing one minute's slices. */
    public static final class Repricing {
        /**
         * Changes of the priced fields (counts zero) and of the intensity mix; meaningful when
         * requests > 0.
         */
        public final Totals delta = new Totals();

        /** Requests whose price changed. */
        public long requests;

        /**
         * Requests left at their old price: a version boundary falls strictly inside their slice's
         * span.
         */
        public long straddled;
    }

    /**
     * Re-prices one minute's slices with the registry history and intensity as they are now, in
     * place. Exact for every slice that a version boundary does not cut (a boundary on the minute,
     * or a corrected value of a version already used); a slice that one cuts is left as it was and
     * counted as straddled.
     */
    public Repricing reprice(
            SliceList list,
            DatacenterHistory history,
            Function<String, IntensityTimeline> timelines) {
        return reprice(list, history, timelines, zone -> null);
    }

    /**
     * As above, re-pricing the other emission-factor type's figure too, with its own timelines
     * (never mixed with the accounting ones): a slice that either type's version boundary cuts is
     * left as it was.
     */
    public Repricing reprice(
            SliceList list,
            DatacenterHistory history,
            Function<String, IntensityTimeline> timelines,
            Function<String, IntensityTimeline> alternatives) {
        Repricing r = new Repricing();
        for (int i = 0; i < list.size; i++) {
            Slice s = list.slices[i];
            int ri = history.indexAsOf(s.minT);
            if (ri < 0) continue; // cannot happen for an accepted request; nothing to re-price with
            if (history.indexAsOf(s.maxT) != ri) {
                r.straddled += s.requests;
                continue;
            }
            DatacenterProfile dc = history.versions[ri];
            IntensityTimeline tl = timelines.apply(dc.zone);
            IntensityPricer.Price atMin = settings.pricer().price(dc.zone, tl, s.minT);
            IntensityPricer.Price atMax = settings.pricer().price(dc.zone, tl, s.maxT);
            long fromMin = intensityFrom(tl, s.minT, atMin);
            if (atMin.quality() != atMax.quality() || fromMin != intensityFrom(tl, s.maxT, atMax)) {
                r.straddled += s.requests;
                continue;
            }
            IntensityTimeline atl = alternatives.apply(dc.zone);
            int altMin = settings.pricer().alternativeIndex(atl, s.minT);
            int altMax = settings.pricer().alternativeIndex(atl, s.maxT);
            long altFrom = altMin < 0 ? Long.MIN_VALUE : atl.validFrom[altMin];
            if (altFrom != (altMax < 0 ? Long.MIN_VALUE : atl.validFrom[altMax])) {
                r.straddled += s.requests;
                continue;
            }
            double oldAltG = s.altLocationG;
            long oldAltFrom = s.altFrom;
            double oldAltIntensity = s.altIntensity;
            s.altFrom = altFrom;
            s.altIntensity = altMin < 0 ? 0.0 : atl.intensity[altMin];
            double oldKwh = s.facilityKwh,
                    oldWater = s.waterL,
                    oldMarket = s.marketG,
                    oldLoc = s.locationG,
                    oldG = s.intensity;
            long oldMarketRequests = s.marketRequests;
            PriceQuality oldQ = QUALITIES[s.quality];
            s.registryFrom = dc.effectiveFrom;
            s.intensityFrom = fromMin;
            s.intensity = atMin.gPerKwh();
            s.quality = atMin.quality().ordinal();
            facility(s, dc);
            if (s.facilityKwh == oldKwh
                    && s.waterL == oldWater
                    && s.marketG == oldMarket
                    && s.locationG == oldLoc
                    && s.intensity == oldG
                    && s.quality == oldQ.ordinal()
                    && s.marketRequests == oldMarketRequests
                    && s.altLocationG == oldAltG
                    && s.altFrom == oldAltFrom
                    && s.altIntensity == oldAltIntensity) {
                continue;
            }
            Totals d = r.delta;
            d.facilityKwh += s.facilityKwh - oldKwh;
            d.waterL += s.waterL - oldWater;
            d.marketG += s.marketG - oldMarket;
            d.marketRequests += s.marketRequests - oldMarketRequests;
            d.locationG += s.locationG - oldLoc;
            // Energy and emissions are linear in GPU energy: their ranges move with the point
            // figures.
            d.facilityKwhLow += (s.facilityKwh - oldKwh) * lowRatio(s);
            d.facilityKwhHigh += (s.facilityKwh - oldKwh) * highRatio(s);
            d.locationGLow += (s.locationG - oldLoc) * lowRatio(s);
            d.locationGHigh += (s.locationG - oldLoc) * highRatio(s);
            d.fallbackKwh +=
                    qualityKwh(s.quality, PriceQuality.FALLBACK, s.facilityKwh)
                            - qualityKwh(oldQ.ordinal(), PriceQuality.FALLBACK, oldKwh);
            d.staleKwh +=
                    qualityKwh(s.quality, PriceQuality.STALE, s.facilityKwh)
                            - qualityKwh(oldQ.ordinal(), PriceQuality.STALE, oldKwh);
            d.alternativeG += s.altLocationG - oldAltG;
            d.alternativeKwh +=
                    alternativeKwh(s.altFrom, s.facilityKwh) - alternativeKwh(oldAltFrom, oldKwh);
            d.alternativeMissing +=
                    alternativeMissing(s.altFrom, s.requests)
                            - alternativeMissing(oldAltFrom, s.requests);
            d.addMix(oldG, -s.requests);
            d.addMix(s.intensity, s.requests);
            r.requests += s.requests;
        }
        return r;
    }

    private static double qualityKwh(int quality, PriceQuality q, double kwh) {
        return quality == q.ordinal() ? kwh : 0.0;
    }
}
