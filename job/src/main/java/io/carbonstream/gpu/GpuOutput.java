package io.carbonstream.gpu;

/**
 * What attribution finalizes: one GPU's hour, or one request's energy from one GPU. A Flink POJO.
 */
public class GpuOutput {
    public GpuHour hour;
    public RequestEnergy request;

    public GpuOutput() {}

    static GpuOutput of(GpuHour h) {
        GpuOutput o = new GpuOutput();
        o.hour = h;
        return o;
    }

    static GpuOutput of(RequestEnergy r) {
        GpuOutput o = new GpuOutput();
        o.request = r;
        return o;
    }

    /**
     * Key of the sums it counts toward: the datacenter's hour (GPU hours) or the (datacenter,
     * model) hour (requests).
     */
    public String sumKey() {
        if (hour != null) return "DC|" + hour.datacenterId + "|" + hour.hourStart;
        return "MODEL|"
                + request.datacenterId
                + "|"
                + request.modelId
                + "|"
                + Math.floorDiv(request.eventTime, GpuAttributor.HOUR) * GpuAttributor.HOUR;
    }
}
