package io.carbonstream.generator;

import java.util.List;

/**
 * The grid zones the demo fleet runs in, with levels and daily shapes taken from
 * shared/reference/domain.md section 4 (Electricity Maps, lifecycle, 2024 means and hour-of-day
 * ranges). Where the reference gives a mean and a median daily swing but no hours, the low is put
 * at midday (solar) and the high at the evening peak, the common pattern of those grids.
 */
public final class Zones {

    private Zones() {}

    /** California: the solar dip, 132 g at 11:00 to 291 g at 23:00 (mean 226). */
    public static final Zone US_CAL_CISO =
            new Zone("US-CAL-CISO", -8, 11, 132, 23, 291, 5, 0.8, 1.6);

    /** Texas: 314 -> 436 g (mean 367); wind at night, gas in the evening. */
    public static final Zone US_TEX_ERCO =
            new Zone("US-TEX-ERCO", -6, 13, 314, 20, 436, 5, 0.8, 1.4);

    /** Germany: 255 g at 12:00 to 384 g at 19:00 (mean 332). */
    public static final Zone DE = new Zone("DE", 1, 12, 255, 19, 384, 15, 0.5, 1.5);

    /** France: ~44 g, flat (nuclear). */
    public static final Zone FR = new Zone("FR", 1, 14, 38, 19, 52, 15, 0.05, 0);

    /** Sweden: ~36 g, flat (hydro and nuclear). */
    public static final Zone SE = new Zone("SE", 1, 14, 31, 19, 41, 15, 0.05, 0);

    /** Poland: ~615-662 g (coal). */
    public static final Zone PL = new Zone("PL", 1, 13, 615, 19, 662, 15, 0.2, 1.1);

    /** Western India: ~738 g, flat (daily swing 31-70 g). */
    public static final Zone IN_WE = new Zone("IN-WE", 5.5, 13, 712, 21, 764, 15, 0.1, 0);

    /** Great Britain: mean 163 g, median daily swing 110 g (wind, gas at the evening peak). */
    public static final Zone GB = new Zone("GB", 0, 13, 108, 18, 218, 5, 0.4, 1.8);

    /** PJM (US Mid-Atlantic): 381 -> 411 g (mean 392). */
    public static final Zone US_MIDA_PJM =
            new Zone("US-MIDA-PJM", -5, 4, 381, 18, 411, 5, 0.3, 1.3);

    /** South Africa: ~713 g, flat (coal). */
    public static final Zone ZA = new Zone("ZA", 2, 13, 690, 19, 736, 15, 0.1, 0);

    /** Every zone, in the order datacenters are placed in them. */
    public static final List<Zone> ALL =
            List.of(US_CAL_CISO, US_TEX_ERCO, DE, FR, SE, PL, IN_WE, GB, US_MIDA_PJM, ZA);
}
