package io.carbonstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Modality;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DecodersTest {

    static final long NOW = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
    final Decoders.Requests requests = new Decoders.Requests(Limits.defaults());

    static InferenceEvent.Builder valid() {
        return InferenceEvent.newBuilder()
                .setRequestId("r1")
                .setEventTime(Instant.ofEpochMilli(NOW - 1000))
                .setDatacenterId("dc")
                .setModelId("llama-3.1-8b")
                .setModality(Modality.TEXT)
                .setInputTokens(10)
                .setOutputTokens(20)
                .setGpuCount(1)
                .setDurationMs(1000);
    }

    static byte[] avro(InferenceEvent e) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(InferenceEvent.class).write(e, enc);
        enc.flush();
        return out.toByteArray();
    }

    RequestEnvelope decode(byte[] value) {
        return requests.decode(new ConsumerRecord<>("events", 3, 77L, "k".getBytes(), value), NOW);
    }

    Reason reason(InferenceEvent e) throws Exception {
        RequestEnvelope env = decode(avro(e));
        return env.rejected == null ? null : env.rejected.reason;
    }

    @Test
    void aValidEventDecodesWithItsCoordinates() throws Exception {
        RequestEnvelope e = decode(avro(valid().build()));
        assertThat(e.rejected).isNull();
        assertThat(e.request.requestId).isEqualTo("r1");
        assertThat(e.request.sourcePartition).isEqualTo(3);
        assertThat(e.request.sourceOffset).isEqualTo(77L);
    }

    @Test
    void everyKindOfBadRecordGetsItsReasonAndKeepsItsBytes() throws Exception {
        byte[] good = avro(valid().build());
        RequestEnvelope truncated = decode(Arrays.copyOf(good, good.length - 3));
        assertThat(truncated.rejected.reason).isEqualTo(Reason.UNDECODABLE);
        assertThat(truncated.rejected.value).hasSize(good.length - 3);
        assertThat(truncated.rejected.sourceTopic).isEqualTo("events");
        assertThat(truncated.rejected.sourceOffset).isEqualTo(77L);
        assertThat(decode(Arrays.copyOf(good, good.length + 4)).rejected.reason)
                .isEqualTo(Reason.UNDECODABLE);
        assertThat(decode(null).rejected.reason).isEqualTo(Reason.NULL_VALUE);
        ByteArrayOutputStream other = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(other, null);
        new SpecificDatumWriter<>(IntensityUpdate.class)
                .write(
                        IntensityUpdate.newBuilder()
                                .setZone("DE")
                                .setValidFrom(Instant.ofEpochMilli(NOW))
                                .setCarbonIntensity(300)
                                .build(),
                        enc);
        enc.flush();
        assertThat(decode(other.toByteArray()).rejected).isNotNull();

        assertThat(reason(valid().setOutputTokens(-1).build())).isEqualTo(Reason.INVALID_VALUE);
        assertThat(reason(valid().setOutputTokens(1_000_000_000_000L).build()))
                .isEqualTo(Reason.ABSURD_VALUE);
        assertThat(reason(valid().setMediaSeconds(Double.NaN).build()))
                .isEqualTo(Reason.INVALID_VALUE);
        // A wrong meter is not a reason to drop a request that ran: the energy model replaces the
        // figure.
        assertThat(reason(valid().setMeasuredGpuJoules(-3.0).build())).isNull();
        assertThat(
                        reason(
                                valid().setMeasuredGpuJoules(10_000.0)
                                        .setGpuCount(1)
                                        .setDurationMs(1000)
                                        .build()))
                .isNull();
        assertThat(reason(valid().setDatacenterId("").build())).isEqualTo(Reason.MISSING_FIELD);
        assertThat(reason(valid().setModelId("x".repeat(300)).build()))
                .isEqualTo(Reason.OVERSIZED_STRING);
        assertThat(reason(valid().setEventTime(Instant.ofEpochMilli(NOW + 3_600_000)).build()))
                .isEqualTo(Reason.EVENT_TIME_IN_FUTURE);
        assertThat(reason(valid().setEventTime(Instant.parse("2019-06-01T00:00:00Z")).build()))
                .isEqualTo(Reason.EVENT_TIME_BEFORE_FLOOR);
        assertThat(reason(valid().setGpuCount(0).build())).isEqualTo(Reason.INVALID_VALUE);
        assertThat(reason(valid().setMeasuredGpuJoules(500.0).build())).isNull();
        assertThat(reason(valid().setGpuIds(java.util.List.of("GPU-1", "node-7:3")).build()))
                .isNull();
        assertThat(reason(valid().setGpuIds(java.util.List.of("GPU-1", "")).build()))
                .isEqualTo(Reason.MISSING_FIELD);
        assertThat(reason(valid().setGpuIds(java.util.List.of("g".repeat(300))).build()))
                .isEqualTo(Reason.OVERSIZED_STRING);
        assertThat(reason(valid().setGpuIds(java.util.Collections.nCopies(2_000, "GPU-1")).build()))
                .isEqualTo(Reason.ABSURD_VALUE);
    }

    @Test
    void aHugeClaimedLengthIsRejectedBeforeAnythingIsAllocated() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        enc.writeLong(2_000_000_000L); // request_id claims 2 GB
        enc.writeFixed(new byte[] {1, 2, 3});
        enc.flush();
        RequestEnvelope e = decode(out.toByteArray());
        assertThat(e.rejected.reason).isEqualTo(Reason.UNDECODABLE);
        assertThat(e.rejected.message).contains("exceeds");
    }

    @Test
    void randomBytesNeverThrowAndNeverPass() {
        Random rnd = new Random(3);
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        for (int i = 0; i < 5_000; i++) {
            byte[] junk = new byte[rnd.nextInt(200)];
            rnd.nextBytes(junk);
            RequestEnvelope e = decode(junk);
            assertThat(e.rejected)
                    .as("random record %d decoded as valid: %s", i, e.request)
                    .isNotNull();
            seen.add(e.rejected.reason);
        }
        assertThat(seen).contains(Reason.UNDECODABLE);
    }

    @Test
    void intensityOutsidePhysicalRangeIsRejected() throws Exception {
        Decoders.Intensity d = new Decoders.Intensity(Limits.defaults());
        for (double g : new double[] {-1, Double.NaN, 5000}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>(IntensityUpdate.class)
                    .write(
                            IntensityUpdate.newBuilder()
                                    .setZone("DE")
                                    .setValidFrom(Instant.ofEpochMilli(NOW))
                                    .setCarbonIntensity(g)
                                    .build(),
                            enc);
            enc.flush();
            ControlEvent e =
                    d.decode(
                            new ConsumerRecord<>("intensity", 0, 0L, null, out.toByteArray()), NOW);
            assertThat(e.rejected).as("intensity %s", g).isNotNull();
        }
    }
}
