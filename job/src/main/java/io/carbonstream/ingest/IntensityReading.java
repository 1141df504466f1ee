package io.carbonstream.ingest;

/** One decoded grid-intensity update. A Flink POJO. */
public class IntensityReading {
    public String zone;
    public long validFrom;
    public double gPerKwh;
    public Double marginalGPerKwh;
    public boolean estimated;

    /** IntensityUpdate.source ("unknown" from producers that do not say). */
    public String source;

    /** average or marginal. */
    public String signal = "average";

    /** lifecycle or direct. */
    public String emissionFactorType = "lifecycle";

    /** When the source last updated the value; null when it does not say. */
    public Long updatedAt;

    public IntensityReading() {}

    public IntensityReading(String zone, long validFrom, double gPerKwh) {
        this.zone = zone;
        this.validFrom = validFrom;
        this.gPerKwh = gPerKwh;
    }
}
