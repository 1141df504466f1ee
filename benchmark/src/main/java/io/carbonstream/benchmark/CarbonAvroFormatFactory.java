package io.carbonstream.benchmark;

import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

/**
 * SQL format {@code carbonstream-avro}: the project's wire format (plain Avro binary of the
 * generated classes, no header) for the Flink SQL peer. Flink's own {@code avro} format derives its
 * writer schema from the table columns and cannot read the enum {@code modality} nor the non-null
 * strings as written, so the peer decodes exactly like the job does: a {@link SpecificDatumReader}
 * of the generated class.
 *
 * <p>Columns are matched to Avro fields by name. A BIGINT column {@code <field>_ms} carries a
 * timestamp-millis field as epoch milliseconds, next to the TIMESTAMP(3) column of the same field.
 */
public final class CarbonAvroFormatFactory implements DeserializationFormatFactory {

    public static final String IDENTIFIER = "carbonstream-avro";
    public static final ConfigOption<String> RECORD =
            ConfigOptions.key("record")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("events, intensity or registry");

    /**
     * Wall time of the first record decoded by any instance (benchmark: start of the SQL peer's
     * processing).
     */
    public static final AtomicLong FIRST_DECODE_MS = new AtomicLong(Long.MAX_VALUE);

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(RECORD);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(
            DynamicTableFactory.Context context, ReadableConfig options) {
        String record = options.get(RECORD);
        recordClass(record); // fail at planning time on a wrong name
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(
                    DynamicTableSource.Context ctx, DataType physicalDataType) {
                return new Decoder(
                        record,
                        (RowType) physicalDataType.getLogicalType(),
                        ctx.createTypeInformation(physicalDataType));
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    static Class<? extends SpecificRecordBase> recordClass(String record) {
        return switch (record) {
            case "events" -> InferenceEvent.class;
            case "intensity" -> IntensityUpdate.class;
            case "registry" -> Datacenter.class;
            default ->
                    throw new IllegalArgumentException(
                            "record must be events, intensity or registry, not " + record);
        };
    }

    /** Decodes one record into a row, column by column. */
    static final class Decoder implements DeserializationSchema<RowData> {
        private final String record;
        private final RowType rowType;
        private final TypeInformation<RowData> producedType;
        private transient SpecificDatumReader<SpecificRecordBase> reader;
        private transient BinaryDecoder decoder;
        private transient int[] fieldPos;
        private transient boolean[] asMillis;
        private transient LogicalTypeRoot[] roots;

        Decoder(String record, RowType rowType, TypeInformation<RowData> producedType) {
            this.record = record;
            this.rowType = rowType;
            this.producedType = producedType;
        }

        @SuppressWarnings("unchecked")
        private void init() {
            Class<? extends SpecificRecordBase> type = recordClass(record);
            reader = new SpecificDatumReader<>((Class<SpecificRecordBase>) type);
            Schema schema = reader.getSchema();
            List<RowType.RowField> fields = rowType.getFields();
            fieldPos = new int[fields.size()];
            asMillis = new boolean[fields.size()];
            roots = new LogicalTypeRoot[fields.size()];
            for (int i = 0; i < fields.size(); i++) {
                String name = fields.get(i).getName();
                LogicalType t = fields.get(i).getType();
                roots[i] = t.getTypeRoot();
                String avroName = name;
                if (name.endsWith("_ms")
                        && t.getTypeRoot() == LogicalTypeRoot.BIGINT
                        && schema.getField(name) == null) {
                    avroName = name.substring(0, name.length() - 3);
                    asMillis[i] = true;
                }
                Schema.Field f = schema.getField(avroName);
                if (f == null)
                    throw new IllegalArgumentException(
                            "column " + name + " is not a field of " + schema.getFullName());
                fieldPos[i] = f.pos();
            }
        }

        @Override
        public RowData deserialize(byte[] bytes) throws IOException {
            if (reader == null) init();
            if (FIRST_DECODE_MS.get() == Long.MAX_VALUE)
                FIRST_DECODE_MS.compareAndSet(Long.MAX_VALUE, System.currentTimeMillis());
            if (bytes == null) return null;
            decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
            SpecificRecordBase r = reader.read(null, decoder);
            GenericRowData row = new GenericRowData(fieldPos.length);
            for (int i = 0; i < fieldPos.length; i++)
                row.setField(i, convert(r.get(fieldPos[i]), i));
            return row;
        }

        private Object convert(Object v, int i) {
            if (v == null) return null;
            if (v instanceof Instant t)
                return asMillis[i]
                        ? (Object) t.toEpochMilli()
                        : TimestampData.fromEpochMillis(t.toEpochMilli());
            if (v instanceof CharSequence s) return StringData.fromString(s.toString());
            if (v instanceof Enum<?> e) return StringData.fromString(e.name());
            if (roots[i] == LogicalTypeRoot.BIGINT && v instanceof Integer n) return n.longValue();
            return v;
        }

        @Override
        public boolean isEndOfStream(RowData nextElement) {
            return false;
        }

        @Override
        public TypeInformation<RowData> getProducedType() {
            return producedType;
        }
    }
}
