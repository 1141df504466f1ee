package io.carbonstream.it;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Modality;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/** Test records in the wire format (through the job's own codec) and from the scenarios. */
public final class Avro {

    private Avro() {}

    public static byte[] encode(SpecificRecord r) {
        return AvroCodec.encodeOne(r);
    }

    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        return AvroCodec.decodeOne(bytes, type);
    }

    public static InferenceEvent event(Scenario.Req r) {
        return InferenceEvent.newBuilder()
                .setRequestId(r.id())
                .setEventTime(Instant.ofEpochMilli(r.t()))
                .setDatacenterId(r.dc())
                .setModelId(r.model())
                .setModality(Modality.valueOf(r.modality()))
                .setInputTokens(r.in())
                .setOutputTokens(r.out())
                .setImages(r.images())
                .setDiffusionSteps(r.steps())
                .setMediaSeconds(r.media())
                .setGpuCount(r.gpus())
                .setDurationMs(r.durationMs())
                .setMeasuredGpuJoules(r.measured())
                .setActiveParamsB(r.params())
                .build();
    }

    /** A registry record; effectiveFrom null writes no version (in force since always). */
    public static io.carbonstream.schema.Datacenter datacenter(Scenario.Dc d, Long effectiveFrom) {
        return io.carbonstream.schema.Datacenter.newBuilder()
                .setDatacenterId(d.id())
                .setZone(d.zone())
                .setPue(d.pue())
                .setWueLPerKwh(d.wue())
                .setItOverhead(d.itOverhead())
                .setMarketFactorGPerKwh(d.market())
                .setEffectiveFrom(effectiveFrom == null ? null : Instant.ofEpochMilli(effectiveFrom))
                .build();
    }

    public static IntensityUpdate update(Scenario.Upd u) {
        return IntensityUpdate.newBuilder()
                .setZone(u.zone())
                .setValidFrom(Instant.ofEpochMilli(u.validFrom()))
                .setCarbonIntensity(u.g())
                .setEstimated(u.estimated())
                .setSource("test")
                .build();
    }
}
