package io.carbonstream.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The one number rule of every report file: real numbers are printed with {@value #SCALE} decimals,
 * rounded half-up (as a spreadsheet's ROUND(x; 6) does), in plain notation, never through {@code
 * Double.toString} (whose digit count and exponent notation vary with the value).
 *
 * <p>Sums are exact: each ledger double is converted to its exact decimal value ({@code new
 * BigDecimal(double)}), added in {@link BigDecimal}, and rounded once when printed. A total is
 * therefore the same whatever the order of its rows, and equals the exact sum of the stream's
 * figures rounded to 6 decimals. Summing the rounded row values of ledger.csv may differ from it by
 * at most half a unit of the last decimal per row.
 */
public final class Decimals {

    /** Decimals of every printed real number: 1e-6 kWh is a milliwatt-hour, 1e-6 g a microgram. */
    public static final int SCALE = 6;

    public static final RoundingMode ROUNDING = RoundingMode.HALF_UP;

    /** Precision of quotients (weighted means, SCI per unit): far beyond the printed decimals. */
    static final MathContext QUOTIENT = MathContext.DECIMAL128;

    private Decimals() {}

    /**
     * The exact decimal value of a ledger figure; a figure that is not a number cannot be summed.
     */
    public static BigDecimal exact(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("not a finite number: " + value);
        }
        return new BigDecimal(value);
    }

    /**
     * The printed form: {@value #SCALE} decimals, half-up, plain notation ("12.500000",
     * "0.000000").
     */
    public static String format(BigDecimal value) {
        return rounded(value).toPlainString();
    }

    public static String format(double value) {
        return format(exact(value));
    }

    /** The printed value as a number (scale {@value #SCALE}): what JSON carries. */
    public static BigDecimal rounded(BigDecimal value) {
        return value.setScale(SCALE, ROUNDING);
    }

    /**
     * Grams to tonnes: an exact decimal shift, so the tonnes are the grams' digits (to the gram
     * once printed).
     */
    public static BigDecimal tonnes(BigDecimal grams) {
        return grams.movePointLeft(6);
    }

    /**
     * numerator / denominator, 0 when the denominator is 0 (no energy, no units: nothing to weigh).
     */
    public static BigDecimal ratio(BigDecimal numerator, BigDecimal denominator) {
        return denominator.signum() == 0
                ? BigDecimal.ZERO
                : numerator.divide(denominator, QUOTIENT);
    }
}
