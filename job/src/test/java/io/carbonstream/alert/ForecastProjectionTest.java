package io.carbonstream.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.alert.ForecastProjection.Outlook;
import io.carbonstream.alert.ForecastProjection.Piece;
import io.carbonstream.ingest.ForecastReading;
import io.carbonstream.intensity.ZoneStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The projection and the zone book, plain Java; expectations computed minute by minute, not segment
 * by segment.
 */
class ForecastProjectionTest {

    static final long MIN = 60_000;
    static final long H = 60 * MIN;
    static final long T0 = 1_800_000_000_000L - Math.floorMod(1_800_000_000_000L, H);

    static Piece piece(long fromMin, long toMin, double g) {
        return new Piece(T0 + fromMin * MIN, T0 + toMin * MIN, g);
    }

    /**
     * A zone's intensity in minute m, written plainly: the covering interval that starts last, else
     * current.
     */
    static double reference(Outlook o, long t) {
        Piece best = null;
        for (Piece p : o.forecast())
            if (p.from() <= t && t < p.to() && (best == null || p.from() >= best.from())) best = p;
        return best != null ? best.g() : o.current();
    }

    static double referenceGrams(Outlook o, long now, long horizon, double kwhPerHour) {
        double g = 0;
        for (long t = now; t < now + horizon; t += MIN) g += kwhPerHour / 60 * reference(o, t);
        return g;
    }

    @Test
    void projectsFindsTheSpikeAndTheCleanestAlternative() {
        long now = T0 + 40 * MIN;
        // Own zone: no forecast for the first 20 minutes (current 200 applies), then hourly, a
        // spike of 340 from hour 4 to 6.
        List<Piece> own = new ArrayList<>();
        for (int h = 1; h < 12; h++)
            own.add(piece(h * 60, h * 60 + 60, h >= 4 && h < 6 ? 340 : 210));
        Map<String, Outlook> zones = new HashMap<>();
        zones.put("CAL", new Outlook(own, 200));
        zones.put(
                "FR",
                new Outlook(
                        List.of(piece(60, 240, 20)), 44)); // forecast for 3 h, current elsewhere
        zones.put("SE", new Outlook(List.of(), 36)); // current only
        zones.put(
                "DE",
                new Outlook(List.of(piece(0, 600, 300)), Double.NaN)); // forecast only, covers all
        zones.put(
                "XX",
                new Outlook(
                        List.of(piece(0, 120, 5)),
                        Double.NaN)); // unknown after 2 h: not comparable
        double kwhPerHour = 7.5;

        var r = ForecastProjection.project(now, 6 * H, kwhPerHour, 260, "CAL", zones);

        assertThat(r.peakG()).isEqualTo(340.0);
        assertThat(r.spikeStart()).isEqualTo(T0 + 4 * H);
        assertThat(r.knownMs()).isEqualTo(6 * H);
        assertThat(r.projectedG())
                .isCloseTo(referenceGrams(zones.get("CAL"), now, 6 * H, kwhPerHour), within(1e-9));
        // FR: 20 min at 44 + 3 h at 20 + 2 h 40 min at 44 = 192 g/kWh-h, cleaner than SE's 6 h x 36
        // = 216.
        assertThat(r.alternativeZone()).isEqualTo("FR");
        double fr = referenceGrams(zones.get("FR"), now, 6 * H, kwhPerHour);
        assertThat(fr).isCloseTo(kwhPerHour * 192, within(1e-9));
        assertThat(r.alternativeG()).isCloseTo(fr, within(1e-9));
        assertThat(r.avoidableG()).isCloseTo(r.projectedG() - fr, within(1e-9));
    }

    @Test
    void nothingIsAvoidableWhenEveryOtherZoneIsDirtier() {
        long now = T0;
        Map<String, Outlook> zones =
                Map.of(
                        "FR", new Outlook(List.of(piece(0, 600, 90)), 44),
                        "PL", new Outlook(List.of(), 640));
        var r = ForecastProjection.project(now, 2 * H, 1.0, 60, "FR", zones);
        assertThat(r.peakG()).isEqualTo(90.0);
        assertThat(r.spikeStart()).isEqualTo(now);
        assertThat(r.alternativeZone()).isEqualTo("PL");
        assertThat(r.avoidableG()).isZero();
        assertThat(r.projectedG()).isCloseTo(180.0, within(1e-9));
    }

    @Test
    void withoutForecastThereIsNoPeakAndWithoutFiguresNothingIsProjected() {
        var r =
                ForecastProjection.project(
                        T0,
                        H,
                        1.0,
                        260,
                        "CAL",
                        Map.of(
                                "CAL",
                                new Outlook(List.of(), 200),
                                "SE",
                                new Outlook(List.of(), 36)));
        assertThat(r.peakG()).isNaN();
        assertThat(r.spikeStart()).isNull();
        assertThat(r.projectedG()).isCloseTo(200.0, within(1e-9));
        assertThat(r.avoidableG()).isCloseTo(164.0, within(1e-9));

        var none = ForecastProjection.project(T0, H, 1.0, 260, "CAL", Map.of());
        assertThat(none.knownMs()).isZero();
        assertThat(none.projectedG()).isZero();
        assertThat(none.alternativeZone()).isNull();
        assertThat(none.avoidableG()).isZero();
    }

    @Test
    void randomOutlooksAgreeWithTheMinuteByMinuteReference() {
        Random rnd = new Random(11);
        for (int round = 0; round < 300; round++) {
            long now = T0 + rnd.nextInt(120) * MIN;
            long horizon = (1 + rnd.nextInt(8)) * H;
            Map<String, Outlook> zones = new HashMap<>();
            for (String z : List.of("A", "B", "C", "D")) {
                List<Piece> pieces = new ArrayList<>();
                for (int i = rnd.nextInt(6); i > 0; i--) {
                    long from = rnd.nextInt(12 * 60);
                    pieces.add(piece(from, from + 5 + rnd.nextInt(180), rnd.nextInt(700)));
                }
                pieces.sort((x, y) -> Long.compare(x.from(), y.from()));
                zones.put(
                        z,
                        new Outlook(pieces, rnd.nextInt(4) == 0 ? Double.NaN : rnd.nextInt(700)));
            }
            double rate = 0.5 + rnd.nextInt(20);
            double enter = 100 + rnd.nextInt(500);
            var r = ForecastProjection.project(now, horizon, rate, enter, "A", zones);

            double peak = Double.NaN;
            Long start = null;
            double projected = 0;
            long known = 0;
            Map<String, Double> alt = new HashMap<>(Map.of("B", 0.0, "C", 0.0, "D", 0.0));
            for (long t = now; t < now + horizon; t += MIN) {
                Outlook a = zones.get("A");
                double f = reference(new Outlook(a.forecast(), Double.NaN), t);
                if (!Double.isNaN(f)) {
                    peak = Double.isNaN(peak) ? f : Math.max(peak, f);
                    if (start == null && f >= enter) start = t;
                }
                double g = reference(a, t);
                if (Double.isNaN(g)) continue;
                projected += rate / 60 * g;
                known += MIN;
                for (String z : List.copyOf(alt.keySet())) {
                    double o = reference(zones.get(z), t);
                    if (Double.isNaN(o)) alt.remove(z);
                    else alt.merge(z, rate / 60 * o, Double::sum);
                }
            }
            String cleanest =
                    alt.entrySet().stream()
                            .min(
                                    Map.Entry.<String, Double>comparingByValue()
                                            .thenComparing(Map.Entry.comparingByKey()))
                            .map(Map.Entry::getKey)
                            .orElse(null);
            String at = "round " + round;
            if (Double.isNaN(peak)) assertThat(r.peakG()).as(at).isNaN();
            else assertThat(r.peakG()).as(at).isEqualTo(peak);
            assertThat(r.spikeStart()).as(at).isEqualTo(start);
            assertThat(r.knownMs()).as(at).isEqualTo(known);
            assertThat(r.projectedG())
                    .as(at)
                    .isCloseTo(projected, within(1e-9 * Math.max(1, projected)));
            if (cleanest == null) {
                assertThat(r.alternativeZone()).as(at).isNull();
            } else {
                // Ties between zones would make the choice arbitrary: compare the grams, which are
                // what matters.
                assertThat(r.alternativeG())
                        .as(at)
                        .isCloseTo(alt.get(cleanest), within(1e-9 * Math.max(1, projected)));
                assertThat(r.avoidableG())
                        .as(at)
                        .isCloseTo(
                                Math.max(0, projected - alt.get(cleanest)),
                                within(1e-9 * Math.max(1, projected)));
            }
        }
    }

    // ---- the zone book ----

    static ForecastReading forecast(long fromMin, long toMin, double g, long madeAtMin) {
        return new ForecastReading(
                "Z", T0 + fromMin * MIN, T0 + toMin * MIN, g, T0 + madeAtMin * MIN);
    }

    @Test
    void aForecastCountsFromItsIssueAndANewerIssueReplacesIt() {
        ZoneForecasts z = new ZoneForecasts();
        z.put(forecast(60, 120, 300, 10));
        z.put(forecast(60, 120, 250, 30)); // revised at minute 30
        z.put(forecast(120, 180, 400, 30));
        z.put(new ZoneStatus("Z", T0 + 5 * MIN, 200, 190));
        z.put(new ZoneStatus("Z", T0 + 25 * MIN, 210, Double.NaN));

        assertThat(z.outlookAt(T0 + 5 * MIN).forecast()).isEmpty();
        assertThat(z.outlookAt(T0 + 5 * MIN).current()).isEqualTo(200.0);
        assertThat(z.baselineAt(T0 + 5 * MIN)).isEqualTo(190.0);
        assertThat(z.outlookAt(T0 + 10 * MIN).forecast()).containsExactly(piece(60, 120, 300));
        assertThat(z.outlookAt(T0 + 30 * MIN).forecast())
                .containsExactly(piece(60, 120, 250), piece(120, 180, 400));
        assertThat(z.outlookAt(T0 + 30 * MIN).current()).isEqualTo(210.0);
        assertThat(z.baselineAt(T0 + 30 * MIN)).isNaN();
        assertThat(z.outlookAt(T0 + 150 * MIN).forecast()).containsExactly(piece(120, 180, 400));
        assertThat(z.outlookAt(T0).current()).isNaN();
    }

    @Test
    void pruningNeverChangesWhatALaterEvaluationSees() {
        Random rnd = new Random(5);
        for (int round = 0; round < 200; round++) {
            ZoneForecasts z = new ZoneForecasts();
            for (int i = 0; i < 30; i++) {
                long from = rnd.nextInt(600);
                z.put(
                        forecast(
                                from,
                                from + 1 + rnd.nextInt(120),
                                rnd.nextInt(700),
                                rnd.nextInt(600)));
                if (rnd.nextBoolean())
                    z.put(
                            new ZoneStatus(
                                    "Z",
                                    T0 + rnd.nextInt(600) * MIN,
                                    rnd.nextInt(700),
                                    rnd.nextInt(700)));
            }
            ZoneForecasts pruned = new ZoneForecasts();
            pruned.forecasts = z.forecasts.clone();
            pruned.statuses = z.statuses.clone();
            long wm = T0 + rnd.nextInt(700) * MIN;
            pruned.prune(wm);
            for (long t = wm + 1; t < T0 + 800 * MIN; t += 7 * MIN) {
                assertThat(pruned.outlookAt(t))
                        .as("round %d at %d", round, t)
                        .isEqualTo(z.outlookAt(t));
                assertThat(Double.compare(pruned.baselineAt(t), z.baselineAt(t))).isZero();
            }
        }
    }
}
