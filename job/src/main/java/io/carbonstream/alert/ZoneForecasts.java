package io.carbonstream.alert;

import io.carbonstream.ingest.ForecastReading;
import io.carbonstream.intensity.ZoneStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What the early warning knows of one zone, in event time: its forecast intervals, each version
 * usable from its {@code forecast_made_at}, and its evaluated intensity ({@link ZoneStatus}) from
 * each instant on. A Flink POJO (arrays of immutable records) kept in broadcast state; plain Java
 * otherwise. Sorted: forecasts by (valid_from, made_at), statuses by instant.
 */
public class ZoneForecasts {

    public ForecastReading[] forecasts = new ForecastReading[0];
    public ZoneStatus[] statuses = new ZoneStatus[0];

    public ZoneForecasts() {}

    /** Adds a forecast version; the same interval start issued at the same instant replaces it. */
    public void put(ForecastReading f) {
        List<ForecastReading> all = new ArrayList<>(Arrays.asList(forecasts));
        all.removeIf(x -> x.validFrom() == f.validFrom() && x.madeAt() == f.madeAt());
        all.add(f);
        all.sort(
                Comparator.comparingLong(ForecastReading::validFrom)
                        .thenComparingLong(ForecastReading::madeAt));
        forecasts = all.toArray(new ForecastReading[0]);
    }

    /** Adds an evaluation; one at the same instant replaces it. */
    public void put(ZoneStatus s) {
        List<ZoneStatus> all = new ArrayList<>(Arrays.asList(statuses));
        all.removeIf(x -> x.at() == s.at());
        all.add(s);
        all.sort(Comparator.comparingLong(ZoneStatus::at));
        statuses = all.toArray(new ZoneStatus[0]);
    }

    /**
     * Forgets what no evaluation after {@code watermark} can use: versions of an interval older
     * than the newest one issued by then, intervals none of whose remaining versions holds after
     * it, and statuses before the one in force then.
     */
    public void prune(long watermark) {
        List<ForecastReading> keep = new ArrayList<>();
        for (int start = 0, end; start < forecasts.length; start = end) {
            end = start;
            while (end < forecasts.length
                    && forecasts[end].validFrom() == forecasts[start].validFrom()) end++;
            // Versions [start, end) of one interval, oldest issue first. Dropping only the ended
            // ones
            // could let an older, longer version reappear: an interval goes whole or stays whole.
            int from = start;
            for (int i = start; i < end; i++) if (forecasts[i].madeAt() <= watermark) from = i;
            boolean holds = false;
            for (int i = from; i < end; i++) holds |= forecasts[i].validTo() > watermark;
            if (holds) keep.addAll(Arrays.asList(forecasts).subList(from, end));
        }
        forecasts = keep.toArray(new ForecastReading[0]);
        int inForce = statusIndexAt(watermark);
        if (inForce > 0) statuses = Arrays.copyOfRange(statuses, inForce, statuses.length);
    }

    /**
     * The zone as known at {@code now}: for each interval the newest version issued by then, and
     * the status in force.
     */
    public ForecastProjection.Outlook outlookAt(long now) {
        List<ForecastProjection.Piece> pieces = new ArrayList<>();
        for (int i = 0; i < forecasts.length; i++) {
            ForecastReading f = forecasts[i];
            if (f.madeAt() > now) continue;
            boolean newerIssued =
                    i + 1 < forecasts.length
                            && forecasts[i + 1].validFrom() == f.validFrom()
                            && forecasts[i + 1].madeAt() <= now;
            if (!newerIssued && f.validTo() > now)
                pieces.add(new ForecastProjection.Piece(f.validFrom(), f.validTo(), f.gPerKwh()));
        }
        int s = statusIndexAt(now);
        return new ForecastProjection.Outlook(pieces, s < 0 ? Double.NaN : statuses[s].gPerKwh());
    }

    /** The zone's baseline in force at {@code now}; NaN when none. */
    public double baselineAt(long now) {
        int s = statusIndexAt(now);
        return s < 0 ? Double.NaN : statuses[s].baseline();
    }

    /** Index of the last status at or before t, or -1. */
    private int statusIndexAt(long t) {
        int found = -1;
        for (int i = 0; i < statuses.length && statuses[i].at() <= t; i++) found = i;
        return found;
    }
}
