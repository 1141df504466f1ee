package io.carbonstream.aggregate;

import io.carbonstream.energy.InferenceRequest;
import io.carbonstream.energy.Modality;
import io.carbonstream.energy.Provenance;
import java.io.IOException;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Hand-written serializer of the one record type that crosses the network per request. Flink's POJO
 * serializer reads and writes each of its ~20 fields by reflection; the benchmark profile showed
 * that as a top cost of both the source and the pricing threads. Field order is the wire format:
 * change it only with a new snapshot version (it is kept in state: requests waiting for their
 * datacenter's registry entry).
 */
public final class MeteredRequestSerializer extends TypeSerializerSingleton<MeteredRequest> {

    public static final MeteredRequestSerializer INSTANCE = new MeteredRequestSerializer();
    private static final Modality[] MODALITIES = Modality.values();

    /**
     * Provenance on the wire by a fixed code, not its ordinal: METERED_ATTRIBUTED came in between
     * MEASURED and CATALOG, and requests written to state before then must read back as they were.
     */
    private static final Provenance[] PROVENANCES = {
        Provenance.MEASURED,
        Provenance.CATALOG,
        Provenance.PARAMETRIC,
        Provenance.DEFAULT,
        Provenance.METERED_ATTRIBUTED
    };

    private static final int[] CODES = new int[Provenance.values().length];

    static {
        for (int i = 0; i < PROVENANCES.length; i++) CODES[PROVENANCES[i].ordinal()] = i;
    }

    private static final int REJECTED_BIT = 0x40;

    /**
     * GPU ids follow (a count, then each): absent from records written before they existed, so
     * those still read.
     */
    private static final int GPU_IDS_BIT = 0x20;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public MeteredRequest createInstance() {
        return new MeteredRequest(new InferenceRequest(), 0, Provenance.DEFAULT);
    }

    @Override
    public MeteredRequest copy(MeteredRequest from) {
        InferenceRequest s = from.request;
        InferenceRequest r = new InferenceRequest();
        r.requestId = s.requestId;
        r.eventTime = s.eventTime;
        r.datacenterId = s.datacenterId;
        r.modelId = s.modelId;
        r.modality = s.modality;
        r.inputTokens = s.inputTokens;
        r.outputTokens = s.outputTokens;
        r.images = s.images;
        r.diffusionSteps = s.diffusionSteps;
        r.mediaSeconds = s.mediaSeconds;
        r.gpuCount = s.gpuCount;
        r.durationMs = s.durationMs;
        r.measuredGpuJoules = s.measuredGpuJoules;
        r.activeParamsB = s.activeParamsB;
        r.sourcePartition = s.sourcePartition;
        r.sourceOffset = s.sourceOffset;
        r.sourceTimestamp = s.sourceTimestamp;
        r.sourceKey = s.sourceKey == null ? null : s.sourceKey.clone();
        r.sourceTopic = s.sourceTopic;
        r.gpuIds = s.gpuIds == null ? null : s.gpuIds.clone();
        MeteredRequest m = new MeteredRequest(r, from.gpuJoules, from.provenance);
        m.measurementRejected = from.measurementRejected;
        return m;
    }

    @Override
    public MeteredRequest copy(MeteredRequest from, MeteredRequest reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(MeteredRequest m, DataOutputView out) throws IOException {
        InferenceRequest r = m.request;
        out.writeUTF(r.requestId);
        out.writeLong(r.eventTime);
        out.writeUTF(r.datacenterId);
        out.writeUTF(r.modelId);
        out.writeByte(r.modality.ordinal());
        out.writeLong(r.inputTokens);
        out.writeLong(r.outputTokens);
        out.writeInt(r.images);
        out.writeInt(r.diffusionSteps);
        out.writeDouble(r.mediaSeconds);
        out.writeInt(r.gpuCount);
        out.writeLong(r.durationMs);
        writeNullable(out, r.measuredGpuJoules);
        writeNullable(out, r.activeParamsB);
        out.writeInt(r.sourcePartition);
        out.writeLong(r.sourceOffset);
        out.writeLong(r.sourceTimestamp);
        if (r.sourceKey == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(r.sourceKey.length);
            out.write(r.sourceKey);
        }
        out.writeBoolean(r.sourceTopic != null);
        if (r.sourceTopic != null) out.writeUTF(r.sourceTopic);
        out.writeDouble(m.gpuJoules);
        // The high bit: the request's measurement was rejected and this is the estimate.
        boolean gpus = r.gpuIds != null && r.gpuIds.length > 0;
        out.writeByte(
                CODES[m.provenance.ordinal()]
                        | (m.measurementRejected ? REJECTED_BIT : 0)
                        | (gpus ? GPU_IDS_BIT : 0));
        if (gpus) {
            out.writeInt(r.gpuIds.length);
            for (String id : r.gpuIds) out.writeUTF(id);
        }
    }

    @Override
    public MeteredRequest deserialize(DataInputView in) throws IOException {
        InferenceRequest r = new InferenceRequest();
        r.requestId = in.readUTF();
        r.eventTime = in.readLong();
        r.datacenterId = in.readUTF();
        r.modelId = in.readUTF();
        r.modality = MODALITIES[in.readByte()];
        r.inputTokens = in.readLong();
        r.outputTokens = in.readLong();
        r.images = in.readInt();
        r.diffusionSteps = in.readInt();
        r.mediaSeconds = in.readDouble();
        r.gpuCount = in.readInt();
        r.durationMs = in.readLong();
        r.measuredGpuJoules = readNullable(in);
        r.activeParamsB = readNullable(in);
        r.sourcePartition = in.readInt();
        r.sourceOffset = in.readLong();
        r.sourceTimestamp = in.readLong();
        int keyLength = in.readInt();
        if (keyLength >= 0) {
            r.sourceKey = new byte[keyLength];
            in.readFully(r.sourceKey);
        }
        if (in.readBoolean()) r.sourceTopic = in.readUTF();
        double gpuJoules = in.readDouble();
        int p = in.readByte();
        MeteredRequest m =
                new MeteredRequest(r, gpuJoules, PROVENANCES[p & ~(REJECTED_BIT | GPU_IDS_BIT)]);
        m.measurementRejected = (p & REJECTED_BIT) != 0;
        if ((p & GPU_IDS_BIT) != 0) {
            r.gpuIds = new String[in.readInt()];
            for (int i = 0; i < r.gpuIds.length; i++) r.gpuIds[i] = in.readUTF();
        }
        return m;
    }

    @Override
    public MeteredRequest deserialize(MeteredRequest reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    private static void writeNullable(DataOutputView out, Double d) throws IOException {
        out.writeBoolean(d != null);
        if (d != null) out.writeDouble(d);
    }

    private static Double readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readDouble() : null;
    }

    @Override
    public TypeSerializerSnapshot<MeteredRequest> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot: version 1 is the field order above. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MeteredRequest> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    /**
     * Lets Flink's type extraction find this serializer through the annotation on {@link
     * MeteredRequest}.
     */
    public static final class Factory extends TypeInfoFactory<MeteredRequest> {
        @Override
        public TypeInformation<MeteredRequest> createTypeInfo(
                java.lang.reflect.Type t, Map<String, TypeInformation<?>> params) {
            return new SerializerTypeInfo<>(MeteredRequest.class, INSTANCE);
        }
    }
}
