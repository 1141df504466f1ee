package io.carbonstream.it;

import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Modality;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Test records in carbonstream's wire format (one record in plain Avro binary, no framing), written
 * with Avro's own classes rather than the job's codec, and built from the scenarios.
 */
public final class Avro {

    private Avro() {}

    @SuppressWarnings("unchecked")
    public static byte[] encode(SpecificRecord r) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>((Class<SpecificRecord>) r.getClass()).write(r, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One record of the type; bytes left over after it mean these were not one such record. */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        try {
            BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
            T value = new SpecificDatumReader<>(type).read(null, dec);
            if (!dec.isEnd())
                throw new IllegalArgumentException("bytes left after one " + type.getSimpleName());
            return value;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "not one " + type.getSimpleName() + " in plain Avro binary", e);
        }
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
                .setEffectiveFrom(
                        effectiveFrom == null ? null : Instant.ofEpochMilli(effectiveFrom))
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
