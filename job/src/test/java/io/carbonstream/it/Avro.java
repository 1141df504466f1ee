package io.carbonstream.it;

import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Modality;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/** Plain Avro binary encoding for test data, written with Avro's own API. */
public final class Avro {

    private Avro() {}

    @SuppressWarnings("unchecked")
    public static byte[] encode(SpecificRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        try {
            new SpecificDatumWriter<SpecificRecord>((Class<SpecificRecord>) r.getClass()).write(r, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        try {
            return new SpecificDatumReader<>(type).read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
