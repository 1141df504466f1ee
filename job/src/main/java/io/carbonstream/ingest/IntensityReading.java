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

    public IntensityReading() {}

    public IntensityReading(String zone, long validFrom, double gPerKwh) {
        this.zone = zone;
        this.validFrom = validFrom;
        this.gPerKwh = gPerKwh;
    }
}
