package io.carbonstream.generator;

/**
 * Daily load of an inference service in its users' local time: a trough around 03:00 at about a
 * third of the peak, the peak mid-afternoon. Mean over a day is 1, so a mean rate stays the mean.
 */
public final class LoadCurve {

    private LoadCurve() {}

    static final double AMPLITUDE = 0.45;
    static final double PEAK_HOUR = 15;

    public static double at(long epochMs, double utcOffsetHours) {
        double hour = Math.floorMod(epochMs, 86_400_000L) / 3_600_000.0 + utcOffsetHours;
        return 1 + AMPLITUDE * Math.cos(2 * Math.PI * (hour - PEAK_HOUR) / 24);
    }
}
