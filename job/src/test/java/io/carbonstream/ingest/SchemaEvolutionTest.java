package io.carbonstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.output.Encoders;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Datacenter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Schemas evolve with defaults, and plain Avro binary carries no schema: producers still on the
 * first release's schemas must keep working, and consumers on it must still read the outputs. The
 * old schemas are the files of schemas' history folder, written here with Avro's generic API.
 */
class SchemaEvolutionTest {

    /** The first release's schema of a record (the oldest of its history). */
    static Schema v1(String record) {
        java.util.List<Schema> older = olderWriters(record);
        return older.get(older.size() - 1);
    }

    /** The schema this release replaced (the newest of its history). */
    static Schema previous(String record) {
        return olderWriters(record).get(0);
    }

    private static java.util.List<Schema> olderWriters(String record) {
        return SchemaHistory.olderWriters(
                switch (record) {
                    case "Datacenter" -> Datacenter.getClassSchema();
                    case "Alert" -> io.carbonstream.schema.Alert.getClassSchema();
                    default -> Aggregate.getClassSchema();
                });
    }

    static byte[] write(Schema schema, GenericRecord r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    static ControlEvent registry(byte[] value) {
        return new Decoders.Registry(Limits.defaults())
                .decode(
                        new ConsumerRecord<>(
                                "registry",
                                0,
                                7,
                                "dc-old".getBytes(StandardCharsets.UTF_8),
                                value));
    }

    @Test
    void aRegistryProducerOnTheFirstSchemaStillRegistersItsDatacenter() throws Exception {
        Schema old = v1("Datacenter");
        assertThat(old.getField("effective_from")).isNull();
        GenericRecord r = RegistryFramingTest.datacenter(old, "dc-old", "DE", 1.3, 0.9);
        r.put("it_overhead", 1.6);
        ControlEvent e = registry(write(old, r));
        assertThat(e.rejected).isNull();
        assertThat(e.datacenter.datacenterId).isEqualTo("dc-old");
        assertThat(e.datacenter.pue).isEqualTo(1.3);
        assertThat(e.datacenter.itOverhead).isEqualTo(1.6);
        assertThat(e.datacenter.effectiveFrom)
                .isEqualTo(Long.MIN_VALUE); // the default: since always

        Datacenter now =
                Datacenter.newBuilder()
                        .setDatacenterId("dc-old")
                        .setZone("DE")
                        .setPue(1.4)
                        .setWueLPerKwh(0.9)
                        .setEffectiveFrom(Instant.parse("2026-11-15T00:00:00Z"))
                        .build();
        ControlEvent v2 = registry(AvroCodec.encodeOne(now));
        assertThat(v2.datacenter.effectiveFrom)
                .isEqualTo(Instant.parse("2026-11-15T00:00:00Z").toEpochMilli());
        assertThat(registry(new byte[] {3, 1, 4, 1, 5}).rejected.reason)
                .isEqualTo(Reason.UNDECODABLE);
    }

    @Test
    void aRegistryProducerOnThePreviousSchemaHasNoOrganisation() throws Exception {
        Schema prev = previous("Datacenter");
        assertThat(prev.getField("effective_from")).isNotNull();
        assertThat(prev.getField("organisation")).isNull();
        GenericRecord r = RegistryFramingTest.datacenter(prev, "dc-old", "DE", 1.3, 0.9);
        r.put("effective_from", Instant.parse("2026-11-15T00:00:00Z").toEpochMilli());
        ControlEvent e = registry(write(prev, r));
        assertThat(e.rejected).isNull();
        assertThat(e.datacenter.effectiveFrom)
                .isEqualTo(Instant.parse("2026-11-15T00:00:00Z").toEpochMilli());
        assertThat(e.datacenter.organisation).isNull();
    }

    @Test
    void aConsumerOnThePreviousAggregateSchemaReadsTheNewFields() throws Exception {
        AggregateRecord a = new AggregateRecord();
        a.window = WindowKind.HOUR;
        a.dimension = Dimension.DATACENTER;
        a.datacenterId = "dc-1";
        a.zone = "DE";
        a.totals = new Totals();
        a.totals.requests = 1;
        a.totals.facilityKwh = 1.0;
        a.totals.locationG = 380.0;
        a.totals.embodiedG = 7.0;
        a.totals.alternativeG = 310.0;
        a.totals.alternativeKwh = 1.0;
        a.revision = 1;
        a.methodology = "m";
        a.emissionFactorType = "lifecycle";
        a.alternativeFactorType = "direct";
        byte[] bytes = AvroCodec.encodeOne(Encoders.toAvro(a));
        Schema previous = previous("Aggregate");
        assertThat(previous.getField("embodied_gco2e")).isNotNull();
        assertThat(previous.getField("location_gco2e_alternative")).isNull();
        GenericRecord old =
                new GenericDatumReader<GenericRecord>(Aggregate.getClassSchema(), previous)
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(old.get("facility_kwh")).isEqualTo(1.0);
        assertThat(old.get("location_gco2e")).isEqualTo(380.0);
        assertThat(old.get("embodied_gco2e")).isEqualTo(7.0);
        // And the other way round: bytes of the previous schema read with this one take the
        // defaults.
        GenericRecord prev = new GenericData.Record(previous);
        for (Schema.Field f : previous.getFields()) prev.put(f.name(), old.get(f.name()));
        Aggregate now =
                new org.apache.avro.specific.SpecificDatumReader<Aggregate>(
                                previous, Aggregate.getClassSchema())
                        .read(
                                null,
                                DecoderFactory.get().binaryDecoder(write(previous, prev), null));
        assertThat(now.getLocationGco2e()).isEqualTo(380.0);
        assertThat(now.getEmbodiedGco2e()).isEqualTo(7.0);
        assertThat(now.getAlternativeFactorType()).isNull();
        assertThat(now.getLocationGco2eAlternative()).isNull();
        assertThat(now.getAlternativePricedShare()).isEqualTo(0.0);
        // This release's bytes carry the alternative figure for this release's readers.
        Aggregate mine =
                new org.apache.avro.specific.SpecificDatumReader<Aggregate>(
                                Aggregate.getClassSchema())
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(mine.getLocationGco2eAlternative()).isEqualTo(310.0);
        assertThat(mine.getAlternativeFactorType()).isEqualTo("direct");
        assertThat(mine.getAlternativePricedShare()).isEqualTo(1.0);
    }

    /**
     * The ledger's first release (history Ledger.1: its record is LedgerEntry, the file is named
     * after the topic).
     */
    static Schema ledgerV1() throws Exception {
        try (var in =
                SchemaEvolutionTest.class.getResourceAsStream(
                        "/io/carbonstream/schema/history/Ledger.1.avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    @Test
    void theLedgerOfThePreviousReleaseAndThisOneReadEachOther() throws Exception {
        io.carbonstream.ledger.LedgerRow r = new io.carbonstream.ledger.LedgerRow();
        r.hourStart = 3_600_000;
        r.datacenterId = "dc-1";
        r.zone = "DE";
        r.revision = 2;
        r.aggregateRevision = 3;
        r.totals = new Totals();
        r.totals.requests = 4;
        r.totals.facilityKwh = 2.0;
        r.totals.locationG = 760.0;
        r.totals.alternativeG = 620.0;
        r.totals.alternativeKwh = 2.0;
        r.emissionFactorType = "lifecycle";
        r.alternativeFactorType = "direct";
        r.residualSource = "GRID_AVERAGE";
        r.models = new io.carbonstream.ledger.ModelHour[0];
        byte[] bytes = AvroCodec.encodeOne(io.carbonstream.ledger.LedgerEncoder.toAvro(r));
        Schema v1 = ledgerV1();
        assertThat(v1.getField("location_gco2e_alternative")).isNull();
        // A consumer on the first ledger schema reads this release's rows.
        GenericRecord old =
                new GenericDatumReader<GenericRecord>(
                                io.carbonstream.schema.LedgerEntry.getClassSchema(), v1)
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(old.get("location_gco2e")).isEqualTo(760.0);
        assertThat(old.get("revision")).isEqualTo(2);
        // A row of the first release read with this schema: the alternative is absent, not zero.
        io.carbonstream.schema.LedgerEntry now =
                new org.apache.avro.specific.SpecificDatumReader<
                                io.carbonstream.schema.LedgerEntry>(
                                v1, io.carbonstream.schema.LedgerEntry.getClassSchema())
                        .read(null, DecoderFactory.get().binaryDecoder(write(v1, old), null));
        assertThat(now.getLocationGco2e()).isEqualTo(760.0);
        assertThat(now.getLocationGco2eAlternative()).isNull();
        assertThat(now.getAlternativeFactorType()).isNull();
        assertThat(now.getAlternativePricedShare()).isEqualTo(0.0);
        io.carbonstream.schema.LedgerEntry mine =
                new org.apache.avro.specific.SpecificDatumReader<
                                io.carbonstream.schema.LedgerEntry>(
                                io.carbonstream.schema.LedgerEntry.getClassSchema())
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(mine.getLocationGco2eAlternative()).isEqualTo(620.0);
        assertThat(mine.getAlternativeFactorType()).isEqualTo("direct");
    }

    @Test
    void aConsumerOnTheFirstAggregateSchemaReadsTheNewOutputs() throws Exception {
        AggregateRecord a =
                RegistryFramingTest.datacenterAggregate(
                        WindowKind.HOUR, 0, 3_600_000, 3, 2.0, 250, 2); // 500 g
        a.revisionReason = "INTENSITY_RESTATEMENT";
        a.methodology = "m";
        byte[] bytes = AvroCodec.encodeOne(Encoders.toAvro(a));
        // Schema resolution with the writer's schema (this release) and the reader's (the first).
        GenericRecord old =
                new GenericDatumReader<GenericRecord>(Aggregate.getClassSchema(), v1("Aggregate"))
                        .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
        assertThat(old.get("requests")).isEqualTo(3L);
        assertThat(old.get("location_gco2e")).isEqualTo(500.0);
        assertThat(old.get("revision")).isEqualTo(2);
        assertThat(old.getSchema().getField("revision_reason")).isNull();
    }

    static io.carbonstream.alert.AlertRecord alert(
            io.carbonstream.alert.AlertKind kind, String subject) {
        io.carbonstream.alert.AlertRecord a = new io.carbonstream.alert.AlertRecord();
        a.kind = kind;
        a.subject = subject;
        a.raised = true;
        a.eventTime = 3_600_000;
        a.startedAt = 3_600_000;
        a.alertId = io.carbonstream.alert.AlertRecord.id(kind, subject, a.startedAt);
        a.value = 340;
        a.threshold = 260;
        a.message = "m";
        return a;
    }

    static GenericRecord readAs(Schema reader, byte[] bytes) throws Exception {
        return new GenericDatumReader<GenericRecord>(
                        io.carbonstream.schema.Alert.getClassSchema(), reader)
                .read(null, DecoderFactory.get().binaryDecoder(bytes, null));
    }

    @Test
    void aConsumerOnThePreviousAlertSchemaReadsTheKindsItKnowsAndFailsOnTheNewOnesAsDocumented()
            throws Exception {
        Schema prev = previous("Alert");
        assertThat(prev.getField("kind").schema().getEnumSymbols())
                .containsExactly("GRID_SPIKE", "EMISSION_BUDGET");
        assertThat(prev.getField("kind").schema().getEnumDefault()).isNull();
        // Old kinds, with the new fields set, read as before: the new fields are skipped.
        io.carbonstream.alert.AlertRecord grid =
                alert(io.carbonstream.alert.AlertKind.GRID_SPIKE, "DE");
        GenericRecord old = readAs(prev, AvroCodec.encodeOne(Encoders.toAvro(grid)));
        assertThat(old.get("kind").toString()).isEqualTo("GRID_SPIKE");
        assertThat(old.get("value")).isEqualTo(340.0);
        assertThat(old.getSchema().getField("lead_time_ms")).isNull();
        // A new kind: the previous schema has no symbol for it and no enum default, so Avro refuses
        // the record
        // (what docs/semantics.md tells such consumers; --alerts.kinds keeps these kinds out until
        // they upgrade).
        io.carbonstream.alert.AlertRecord early =
                alert(io.carbonstream.alert.AlertKind.FORECAST_SPIKE, "dc-1");
        early.leadTimeMs = 7_200_000L;
        early.avoidableG = 12.5;
        byte[] bytes = AvroCodec.encodeOne(Encoders.toAvro(early));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> readAs(prev, bytes))
                .isInstanceOf(org.apache.avro.AvroTypeException.class)
                .hasMessageContaining("FORECAST_SPIKE");
        // This schema reads it, and a kind added after this one reads as UNKNOWN instead of
        // failing.
        io.carbonstream.schema.Alert now =
                AvroCodec.decodeOne(bytes, io.carbonstream.schema.Alert.class);
        assertThat(now.getKind()).isEqualTo(io.carbonstream.schema.AlertKind.FORECAST_SPIKE);
        assertThat(now.getLeadTimeMs()).isEqualTo(7_200_000L);
        assertThat(now.getAvoidableGco2e()).isEqualTo(12.5);
        Schema future =
                new Schema.Parser()
                        .parse(
                                io.carbonstream.schema.Alert.getClassSchema()
                                        .toString()
                                        .replace(
                                                "\"FORECAST_SPIKE\",",
                                                "\"FORECAST_SPIKE\",\"WATER_SPIKE\","));
        GenericRecord fromFuture = new GenericData.Record(future);
        fromFuture.put("alert_id", "WATER_SPIKE:dc-1:1970-01-01T01:00:00Z");
        fromFuture.put(
                "kind",
                new GenericData.EnumSymbol(future.getField("kind").schema(), "WATER_SPIKE"));
        fromFuture.put(
                "state", new GenericData.EnumSymbol(future.getField("state").schema(), "RAISED"));
        fromFuture.put("subject", "dc-1");
        fromFuture.put("event_time", 3_600_000L);
        fromFuture.put("started_at", 3_600_000L);
        fromFuture.put("value", 1.0);
        fromFuture.put("threshold", 1.0);
        fromFuture.put("extra_g_per_hour", 0.0);
        fromFuture.put("datacenters", List.of());
        fromFuture.put("message", "m");
        fromFuture.put("lead_time_ms", 7_200_000L);
        io.carbonstream.schema.Alert read =
                new org.apache.avro.specific.SpecificDatumReader<io.carbonstream.schema.Alert>(
                                future, io.carbonstream.schema.Alert.getClassSchema())
                        .read(
                                null,
                                DecoderFactory.get()
                                        .binaryDecoder(write(future, fromFuture), null));
        assertThat(read.getKind()).isEqualTo(io.carbonstream.schema.AlertKind.UNKNOWN);
        assertThat(read.getLeadTimeMs()).isEqualTo(7_200_000L);
    }
}
