package io.carbonstream.ingest;

import io.carbonstream.registry.DatacenterProfile;

/**
 * The small, broadcast side of the job: an intensity update, a registry upsert or deletion, an
 * intensity forecast, a zone's evaluated intensity (for the forecast early warning), or a record
 * from an input topic that became a dead letter. Exactly one field is set. A Flink POJO.
 */
public class ControlEvent {
    public IntensityReading intensity;

    /** Forecasts travel only to the early warning, never to pricing. */
    public ForecastReading forecast;

    public io.carbonstream.intensity.ZoneStatus zoneStatus;
    public DatacenterProfile datacenter;

    /** Id of a datacenter removed by a registry tombstone. */
    public String deletedDatacenter;

    public DeadLetterRecord rejected;

    /**
     * Registry records: where they were read, so that the part already in the start snapshot is not
     * applied twice.
     */
    public int sourcePartition = -1;

    public long sourceOffset = -1;

    public ControlEvent() {}

    public static ControlEvent of(IntensityReading r) {
        ControlEvent e = new ControlEvent();
        e.intensity = r;
        return e;
    }

    public static ControlEvent of(ForecastReading f) {
        ControlEvent e = new ControlEvent();
        e.forecast = f;
        return e;
    }

    public static ControlEvent of(io.carbonstream.intensity.ZoneStatus s) {
        ControlEvent e = new ControlEvent();
        e.zoneStatus = s;
        return e;
    }

    public static ControlEvent of(DatacenterProfile p) {
        ControlEvent e = new ControlEvent();
        e.datacenter = p;
        return e;
    }

    public static ControlEvent deleted(String id) {
        ControlEvent e = new ControlEvent();
        e.deletedDatacenter = id;
        return e;
    }

    public static ControlEvent rejected(DeadLetterRecord d) {
        ControlEvent e = new ControlEvent();
        e.rejected = d;
        return e;
    }
}
