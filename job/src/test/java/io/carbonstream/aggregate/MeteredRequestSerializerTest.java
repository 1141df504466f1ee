package io.carbonstream.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.energy.Provenance;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class MeteredRequestSerializerTest {

    static MeteredRequest sample(Double measured, byte[] key) {
        InferenceRequest r = new InferenceRequest();
        r.requestId = "req-ü-1";
        r.eventTime = 1_790_000_000_123L;
        r.datacenterId = "dc-eu-west-fr-1";
        r.modelId = "flux.1-dev";
        r.modality = Modality.IMAGE;
        r.inputTokens = 77;
        r.outputTokens = 0;
        r.images = 3;
        r.diffusionSteps = 28;
        r.mediaSeconds = 0.5;
        r.gpuCount = 2;
        r.durationMs = 12_345;
        r.measuredGpuJoules = measured;
        r.activeParamsB = measured == null ? 12.0 : null;
        r.gpuIds = measured == null ? null : new String[] {"GPU-8f3e", "node-7:3"};
        r.sourcePartition = 3;
        r.sourceOffset = 987_654_321L;
        r.sourceTimestamp = 1_790_000_000_999L;
        r.sourceKey = key;
        return new MeteredRequest(
                r, 7_750.25, measured == null ? Provenance.CATALOG : Provenance.MEASURED);
    }

    static byte[] serialize(MeteredRequest m) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        MeteredRequestSerializer.INSTANCE.serialize(m, out);
        return out.getCopyOfBuffer();
    }

    static MeteredRequest roundTrip(MeteredRequest m) throws Exception {
        return MeteredRequestSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(serialize(m)));
    }

    @Test
    void roundTripsEveryField() throws Exception {
        for (MeteredRequest m :
                new MeteredRequest[] {sample(6_000.5, "req-1".getBytes()), sample(null, null)}) {
            MeteredRequest back = roundTrip(m);
            assertThat(back.request).isEqualTo(m.request);
            assertThat(back.request.sourcePartition).isEqualTo(3);
            assertThat(back.request.sourceOffset).isEqualTo(987_654_321L);
            assertThat(back.request.sourceTimestamp).isEqualTo(1_790_000_000_999L);
            assertThat(back.request.sourceKey).isEqualTo(m.request.sourceKey);
            assertThat(back.gpuJoules).isEqualTo(m.gpuJoules);
            assertThat(back.provenance).isEqualTo(m.provenance);
            assertThat(back.request.gpuIds).isEqualTo(m.request.gpuIds);
            MeteredRequest copy = MeteredRequestSerializer.INSTANCE.copy(m);
            assertThat(copy.request).isEqualTo(m.request).isNotSameAs(m.request);
        }
    }

    @Test
    void provenanceKeepsItsWireCodeWhateverTheEnumOrder() throws Exception {
        // Codes written before METERED_ATTRIBUTED existed (then the ordinals): MEASURED 0, CATALOG
        // 1, PARAMETRIC 2, DEFAULT 3.
        Provenance[] before = {
            Provenance.MEASURED, Provenance.CATALOG, Provenance.PARAMETRIC, Provenance.DEFAULT
        };
        for (int code = 0; code < before.length; code++) {
            MeteredRequest m = sample(null, null);
            m.provenance = before[code];
            byte[] bytes = serialize(m);
            // No GPU ids: the provenance byte is the last one, without flag bits.
            assertThat(bytes[bytes.length - 1]).as(before[code].name()).isEqualTo((byte) code);
        }
        MeteredRequest m = sample(6_000.5, null);
        m.provenance = Provenance.METERED_ATTRIBUTED;
        MeteredRequest back = roundTrip(m);
        assertThat(back.provenance).isEqualTo(Provenance.METERED_ATTRIBUTED);
        assertThat(back.request.gpuIds).isEqualTo(m.request.gpuIds);
    }

    @Test
    void flinkUsesItForTheType() {
        assertThat(
                        TypeInformation.of(MeteredRequest.class)
                                .createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(MeteredRequestSerializer.class);
    }
}
