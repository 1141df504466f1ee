package io.carbonstream.intensity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class IntensityTimelineTest {

    @Test
    void asOfIsTheGreatestValidFromAtOrBeforeT() {
        IntensityTimeline tl = new IntensityTimeline();
        tl.upsert(300, 3.0);
        tl.upsert(100, 1.0); // out of order
        tl.upsert(200, 2.0);
        assertThat(tl.indexAsOf(99)).isEqualTo(-1);
        assertThat(tl.intensity[tl.indexAsOf(100)]).isEqualTo(1.0);
        assertThat(tl.intensity[tl.indexAsOf(199)]).isEqualTo(1.0);
        assertThat(tl.intensity[tl.indexAsOf(200)]).isEqualTo(2.0);
        assertThat(tl.intensity[tl.indexAsOf(10_000)]).isEqualTo(3.0);
    }

    @Test
    void aCorrectionReplacesTheEstimateWithTheSameValidFrom() {
        IntensityTimeline tl = new IntensityTimeline();
        tl.upsert(100, 250.0);
        tl.upsert(100, 262.0);
        assertThat(tl.size()).isEqualTo(1);
        assertThat(tl.intensity[0]).isEqualTo(262.0);
    }

    @Test
    void pruningKeepsWhatTheHorizonNeedsAndTheLatestVersion() {
        IntensityTimeline tl = new IntensityTimeline();
        for (int i = 0; i < 10; i++) tl.upsert(i * 100L, i);
        tl.pruneBefore(450);
        assertThat(tl.validFrom).containsExactly(400, 500, 600, 700, 800, 900);
        tl.pruneBefore(5_000);
        assertThat(tl.validFrom).containsExactly(900);
        tl.pruneBefore(10);
        assertThat(tl.validFrom).containsExactly(900);
    }

    @Test
    void matchesATreeMapOnRandomInput() {
        Random rnd = new Random(1);
        IntensityTimeline tl = new IntensityTimeline();
        TreeMap<Long, Double> ref = new TreeMap<>();
        for (int i = 0; i < 2_000; i++) {
            long from = rnd.nextInt(10_000);
            double v = rnd.nextDouble() * 800;
            tl.upsert(from, v);
            ref.put(from, v);
            long t = rnd.nextInt(11_000) - 500;
            int idx = tl.indexAsOf(t);
            Map.Entry<Long, Double> e = ref.floorEntry(t);
            if (e == null) assertThat(idx).isEqualTo(-1);
            else assertThat(tl.intensity[idx]).isEqualTo(e.getValue());
        }
    }

    @Test
    void pricerFlagsFallbackAndStale() {
        IntensityPricer p = new IntensityPricer(Map.of("DE", 332.0), 473.0, 1_000);
        IntensityTimeline tl = new IntensityTimeline();
        tl.upsert(10_000, 200.0);
        assertThat(p.price("DE", tl, 9_999))
                .isEqualTo(new IntensityPricer.Price(332.0, PriceQuality.FALLBACK));
        assertThat(p.price("FR", null, 5))
                .isEqualTo(new IntensityPricer.Price(473.0, PriceQuality.FALLBACK));
        assertThat(p.price("DE", tl, 11_000))
                .isEqualTo(new IntensityPricer.Price(200.0, PriceQuality.OK));
        assertThat(p.price("DE", tl, 11_001))
                .isEqualTo(new IntensityPricer.Price(200.0, PriceQuality.STALE));
    }

    @org.junit.jupiter.api.Test
    void anOlderUpdateOfAValueAlreadyCorrectedIsIgnored() {
        IntensityTimeline t = new IntensityTimeline();
        t.upsert(0, 100, "feed", 1_000);
        org.assertj.core.api.Assertions.assertThat(t.upsert(0, 120, "feed", 3_000).value())
                .isEqualTo(100.0);
        org.assertj.core.api.Assertions.assertThat(t.upsert(0, 110, "feed", 2_000))
                .isNull(); // a refetch delivered late
        org.assertj.core.api.Assertions.assertThat(t.intensity[t.indexAsOf(0)]).isEqualTo(120.0);
        org.assertj.core.api.Assertions.assertThat(
                        t.upsert(0, 130, "other", Long.MIN_VALUE).value())
                .isEqualTo(120.0); // no time said: arrival order
    }
}
