package io.carbonstream.generator;

/**
 * A grid zone's character: the daily shape of its average (lifecycle) carbon intensity and how
 * often its data provider publishes.
 *
 * <p>The day is modelled as a half-cosine rise from the daily low to the daily high and a
 * half-cosine fall back, in the zone's local solar time, which is enough to reproduce a solar dip
 * (California), an evening fossil peak (Germany) or a flat nuclear/hydro grid (France, Sweden).
 *
 * @param id Electricity Maps zone id
 * @param utcOffsetHours standard-time offset used to place the daily shape (no daylight saving)
 * @param lowHour local hour of the daily minimum
 * @param low daily minimum, gCO2e/kWh
 * @param highHour local hour of the daily maximum
 * @param high daily maximum, gCO2e/kWh
 * @param updateMinutes publication interval of the zone (5 or 15 simulated minutes)
 * @param spikesPerDay mean number of grid spikes (+100..+150 g within an hour) per simulated day
 * @param marginalFactor marginal / average ratio published beside the average; 0 = not published
 */
public record Zone(
        String id,
        double utcOffsetHours,
        double lowHour,
        double low,
        double highHour,
        double high,
        int updateMinutes,
        double spikesPerDay,
        double marginalFactor) {

    /** Mean of the daily shape (the half-cosines average to the midpoint). */
    public double mean() {
        return (low + high) / 2;
    }

    /** The noiseless intensity of the zone at an instant (epoch ms). */
    public double shapeAt(long epochMs) {
        double hourUtc = Math.floorMod(epochMs, 86_400_000L) / 3_600_000.0;
        double h = mod24(hourUtc + utcOffsetHours);
        double rise = mod24(highHour - lowHour);
        double sinceLow = mod24(h - lowHour);
        double fraction;
        if (sinceLow <= rise) {
            fraction = (1 - Math.cos(Math.PI * sinceLow / rise)) / 2;
        } else {
            double fall = 24 - rise;
            fraction = (1 + Math.cos(Math.PI * (sinceLow - rise) / fall)) / 2;
        }
        return low + (high - low) * fraction;
    }

    private static double mod24(double h) {
        double r = h % 24;
        return r < 0 ? r + 24 : r;
    }
}
