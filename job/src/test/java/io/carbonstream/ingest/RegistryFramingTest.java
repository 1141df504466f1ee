package io.carbonstream.ingest;

import static io.carbonstream.ingest.FakeSchemaRegistry.avsc;
import static io.carbonstream.ingest.FakeSchemaRegistry.framed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.output.Encoders;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.IntensityUpdate;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three input encodings (registry wire format, Avro single-object, plain) against a local HTTP
 * server answering as the Confluent REST API documents, and output framing. Expected bytes are
 * written with Avro's generic writer and Avro's own single-object encoder, not the job's code.
 */
class RegistryFramingTest {

    static final String PASSWORD = "s3cr3t-registry-pw";
    static final Schema V1 = SchemaHistory.olderWriters(Datacenter.getClassSchema()).get(0);

    final FakeSchemaRegistry server;

    RegistryFramingTest() throws Exception {
        server = new FakeSchemaRegistry();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] plain(Schema schema, GenericRecord r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(r, enc);
        enc.flush();
        return out.toByteArray();
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** A Datacenter record of any writer schema with the fields every version has set. */
    static GenericRecord datacenter(Schema schema, String id, String zone, double pue, double wue) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("datacenter_id", id);
        r.put("zone", zone);
        r.put("pue", pue);
        r.put("wue_l_per_kwh", wue);
        return r;
    }

    static GenericRecord oldDatacenter(String id) {
        GenericRecord r = datacenter(V1, id, "DE", 1.3, 0.9);
        r.put("it_overhead", 1.6);
        r.put("market_factor_g_per_kwh", 80.0);
        return r;
    }

    static GenericRecord newDatacenter(Schema current, String id, long effectiveFrom) {
        GenericRecord r = datacenter(current, id, "FR", 1.2, 0.4);
        r.put("emission_budget_g_per_hour", 500.0);
        r.put("effective_from", effectiveFrom);
        return r;
    }

    /** dc-new as this release writes it: the values {@link #assertNew} expects. */
    static Datacenter newDatacenter(long effectiveFrom) {
        return Datacenter.newBuilder()
                .setDatacenterId("dc-new")
                .setZone("FR")
                .setPue(1.2)
                .setWueLPerKwh(0.4)
                .setEmissionBudgetGPerHour(500.0)
                .setEffectiveFrom(Instant.ofEpochMilli(effectiveFrom))
                .build();
    }

    SchemaRegistryClient client() {
        return SchemaRegistryClient.of(server.url(), null);
    }

    static ControlEvent registry(SchemaRegistryClient client, byte[] value) {
        return new Decoders.Registry(Limits.defaults().withSchemaRegistry(client))
                .decode(
                        new ConsumerRecord<>(
                                "registry", 0, 7, "dc".getBytes(StandardCharsets.UTF_8), value));
    }

    static void assertOld(ControlEvent e, String id) {
        assertThat(e.rejected).as("%s", e.rejected).isNull();
        assertThat(e.datacenter.datacenterId).isEqualTo(id);
        assertThat(e.datacenter.zone).isEqualTo("DE");
        assertThat(e.datacenter.pue).isEqualTo(1.3);
        assertThat(e.datacenter.wueLPerKwh).isEqualTo(0.9);
        assertThat(e.datacenter.itOverhead).isEqualTo(1.6);
        assertThat(e.datacenter.emissionBudgetGPerHour).isNull();
        assertThat(e.datacenter.marketFactorGPerKwh).isEqualTo(80.0);
        assertThat(e.datacenter.effectiveFrom)
                .isEqualTo(Long.MIN_VALUE); // effective_from's default: since always
    }

    static void assertNew(ControlEvent e, String id, long effectiveFrom) {
        assertThat(e.rejected).as("%s", e.rejected).isNull();
        assertThat(e.datacenter.datacenterId).isEqualTo(id);
        assertThat(e.datacenter.zone).isEqualTo("FR");
        assertThat(e.datacenter.pue).isEqualTo(1.2);
        assertThat(e.datacenter.wueLPerKwh).isEqualTo(0.4);
        assertThat(e.datacenter.itOverhead).isNull();
        assertThat(e.datacenter.emissionBudgetGPerHour).isEqualTo(500.0);
        assertThat(e.datacenter.effectiveFrom).isEqualTo(effectiveFrom);
    }

    @Test
    void registryFramedRecordsOfTheOldAndTheNewSchemaDecode() throws Exception {
        Schema current = new Schema.Parser().parse(avsc("Datacenter"));
        server.serve(1, V1.toString()).serve(2, avsc("Datacenter"));
        SchemaRegistryClient client = client();
        long from = Instant.parse("2026-11-15T00:00:00Z").toEpochMilli();

        assertOld(registry(client, framed(1, plain(V1, oldDatacenter("dc-old")))), "dc-old");
        assertNew(
                registry(client, framed(2, plain(current, newDatacenter(current, "dc-new", from)))),
                "dc-new",
                from);
        // One lookup per id, then the cache.
        assertOld(registry(client, framed(1, plain(V1, oldDatacenter("dc-old-2")))), "dc-old-2");
        assertThat(server.count("GET", "/schemas/ids/1")).isEqualTo(1);
        assertThat(server.count("GET", "/schemas/ids/2")).isEqualTo(1);
        assertThat(server.requests()).allSatisfy(r -> assertThat(r.authorization()).isNull());

        // Requests too: a framed event decodes to the same request as its plain bytes.
        server.serve(7, avsc("InferenceEvent"));
        InferenceEvent event = DecodersTest.valid().build();
        Decoders.Requests requests =
                new Decoders.Requests(Limits.defaults().withSchemaRegistry(client));
        RequestEnvelope fromFrame =
                requests.decode(
                        new ConsumerRecord<>(
                                "events", 0, 1L, null, framed(7, DecodersTest.avro(event))),
                        DecodersTest.NOW);
        RequestEnvelope fromPlain =
                requests.decode(
                        new ConsumerRecord<>("events", 0, 1L, null, DecodersTest.avro(event)),
                        DecodersTest.NOW);
        assertThat(fromFrame.rejected).isNull();
        assertThat(fromFrame.request).usingRecursiveComparison().isEqualTo(fromPlain.request);
    }

    @Test
    void singleObjectRecordsOfTheOldAndTheNewSchemaDecodeWithoutARegistry() throws Exception {
        byte[] old =
                bytes(
                        new BinaryMessageEncoder<GenericRecord>(GenericData.get(), V1)
                                .encode(oldDatacenter("dc-old")));
        long from = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        byte[] fresh = bytes(newDatacenter(from).toByteBuffer());
        assertThat(old).startsWith(0xC3, 0x01);
        assertThat(fresh).startsWith(0xC3, 0x01);

        assertOld(registry(null, old), "dc-old");
        assertNew(registry(null, fresh), "dc-new", from);
        // A registry configured changes nothing for them, and is not asked.
        assertOld(registry(client(), old), "dc-old");
        assertThat(server.requests()).isEmpty();

        // A fingerprint that is no version of the schema: its own reason, the bytes kept.
        byte[] unknown = old.clone();
        unknown[5] ^= 0x5A;
        ControlEvent e = registry(null, unknown);
        assertThat(e.rejected.reason).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(e.rejected.message).contains("fingerprint").contains("Datacenter");
        assertThat(e.rejected.value).isEqualTo(unknown);
        // The IntensityUpdate schema's fingerprint is not one of Datacenter's either.
        byte[] other =
                bytes(
                        IntensityUpdate.newBuilder()
                                .setZone("DE")
                                .setValidFrom(Instant.ofEpochMilli(from))
                                .setCarbonIntensity(300)
                                .build()
                                .toByteBuffer());
        assertThat(registry(null, other).rejected.reason).isEqualTo(Reason.UNKNOWN_SCHEMA);
        // A header cut short, or a body that does not fit the named schema, does not decode.
        assertThat(registry(null, Arrays.copyOf(old, 7)).rejected.reason)
                .isEqualTo(Reason.UNDECODABLE);
        assertThat(registry(null, Arrays.copyOf(old, old.length - 2)).rejected.reason)
                .isEqualTo(Reason.UNDECODABLE);
        assertThat(registry(null, Arrays.copyOf(old, old.length + 1)).rejected.reason)
                .isEqualTo(Reason.UNDECODABLE);
    }

    @Test
    void plainRecordsStillDecodeWithOrWithoutARegistry() throws Exception {
        Datacenter now = newDatacenter(86_400_000L);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(Datacenter.class).write(now, enc);
        enc.flush();
        byte[] newPlain = out.toByteArray();
        byte[] oldPlain = plain(V1, oldDatacenter("dc-old"));
        for (SchemaRegistryClient c : Arrays.asList(null, client())) {
            assertOld(registry(c, oldPlain), "dc-old");
            assertNew(registry(c, newPlain), "dc-new", 86_400_000L);
        }
        assertThat(server.requests()).isEmpty();
        // Without a registry, 0x00 + id is not a frame: undecodable as before, with a hint.
        ControlEvent e = registry(null, framed(1, oldPlain));
        assertThat(e.rejected.reason).isEqualTo(Reason.UNDECODABLE);
        assertThat(e.rejected.message).contains("schema-registry.url");
    }

    @Test
    void aServerErrorIsRetriedAndTheRecordDecodes() throws Exception {
        server.serve(1, V1.toString()).thenAnswer(500);
        assertOld(
                registry(
                        fastClient(server.url(), 3), framed(1, plain(V1, oldDatacenter("dc-old")))),
                "dc-old");
        assertThat(server.count("GET", "/schemas/ids/1")).isEqualTo(2);
    }

    static SchemaRegistryClient fastClient(String url, int attempts) {
        return new SchemaRegistryClient(
                url, null, Duration.ofSeconds(5), Duration.ofSeconds(10), attempts, 1);
    }

    @Test
    void anUnknownIdIsADeadLetterNamingTheIdTheUrlAndTheStatusAndIsNotAskedForAgainAtOnce()
            throws Exception {
        server.serve(1, V1.toString());
        SchemaRegistryClient client = client();
        long[] clock = {0};
        client.clock = () -> clock[0];
        Decoders.Registry decoder =
                new Decoders.Registry(Limits.defaults().withSchemaRegistry(client));
        byte[] value = framed(999, plain(V1, oldDatacenter("dc-x")));
        ControlEvent e =
                decoder.decode(
                        new ConsumerRecord<>(
                                "registry", 0, 7, "dc-x".getBytes(StandardCharsets.UTF_8), value));
        assertThat(e.rejected.reason).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(e.rejected.message)
                .contains("999")
                .contains(server.url() + "/schemas/ids/999")
                .contains("HTTP 404");
        assertThat(e.rejected.value).isEqualTo(value);
        assertThat(server.count("GET", "/schemas/ids/999")).isEqualTo(1);

        // A flood of such records does not become a flood of requests...
        assertThat(
                        decoder.decode(new ConsumerRecord<>("registry", 0, 8, null, value))
                                .rejected
                                .reason)
                .isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(server.count("GET", "/schemas/ids/999")).isEqualTo(1);
        // ...but once the cool-down is over the registry is asked again (the id may have been
        // registered since).
        clock[0] += SchemaRegistryClient.COOL_DOWN.toNanos() + 1;
        server.serve(999, V1.toString());
        assertOld(decoder.decode(new ConsumerRecord<>("registry", 0, 9, null, value)), "dc-x");
        assertThat(server.count("GET", "/schemas/ids/999")).isEqualTo(2);
    }

    @Test
    void credentialsAreSentButNeverShown(@TempDir Path dir) throws Exception {
        server.serve(1, V1.toString()).requireBasicAuth("carbon", PASSWORD);
        Path right = dir.resolve("right.properties");
        Files.writeString(right, "basic.auth.user.info=carbon:" + PASSWORD + "\n");
        Path wrong = dir.resolve("wrong.properties");
        Files.writeString(
                wrong,
                "basic.auth.credentials.source=USER_INFO\n"
                        + "basic.auth.user.info=carbon:wr0ng-pw-123\n");
        byte[] value = framed(1, plain(V1, oldDatacenter("dc-old")));

        SchemaRegistryClient good = SchemaRegistryClient.of(server.url(), right);
        assertOld(registry(good, value), "dc-old");
        String expected =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        ("carbon:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(server.requests())
                .extracting(FakeSchemaRegistry.Request::authorization)
                .containsOnly(expected);

        SchemaRegistryClient bad = SchemaRegistryClient.of(server.url(), wrong);
        ControlEvent e = registry(bad, value);
        assertThat(e.rejected.reason).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(e.rejected.message)
                .contains("HTTP 401")
                .contains(server.url() + "/schemas/ids/1")
                .contains("basic.auth.user.info");
        // A 401 is not retried: the credentials will not get better.
        assertThat(
                        server.requests().stream()
                                .filter(r -> !expected.equals(r.authorization()))
                                .count())
                .isEqualTo(1);

        List<String> printed =
                List.of(
                        good.toString(),
                        bad.toString(),
                        e.rejected.message,
                        e.rejected.toString(),
                        Limits.defaults().withSchemaRegistry(good).toString());
        for (String s : printed) {
            assertThat(s)
                    .doesNotContain(PASSWORD)
                    .doesNotContain("wr0ng-pw-123")
                    .doesNotContain(expected.substring(6));
        }
        assertThat(good.toString()).contains(server.url()).contains("basic auth");

        // A malformed setting is refused without quoting it.
        Path malformed = dir.resolve("malformed.properties");
        Files.writeString(malformed, "basic.auth.user.info=" + PASSWORD + "\n");
        assertThatThrownBy(() -> SchemaRegistryClient.of(server.url(), malformed))
                .hasMessageContaining("user:password")
                .satisfies(x -> assertThat(x.getMessage()).doesNotContain(PASSWORD));
        assertThatThrownBy(
                        () ->
                                SchemaRegistryClient.of(
                                        "http://carbon:" + PASSWORD + "@127.0.0.1:1", null))
                .hasMessageContaining("--schema-registry.properties-file")
                .satisfies(x -> assertThat(x.getMessage()).doesNotContain(PASSWORD));
        assertThatThrownBy(() -> SchemaRegistryClient.of("carbon:" + PASSWORD + "@registry", null))
                .satisfies(x -> assertThat(x.getMessage()).doesNotContain(PASSWORD));
    }

    @Test
    void anUnreachableRegistryMakesDeadLettersNotFailures() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        SchemaRegistryClient client = fastClient(url, 2);
        Decoders.Registry decoder =
                new Decoders.Registry(Limits.defaults().withSchemaRegistry(client));
        ControlEvent e =
                decoder.decode(
                        new ConsumerRecord<>(
                                "registry", 0, 7, null, framed(1, plain(V1, oldDatacenter("dc")))));
        assertThat(e.rejected.reason).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(e.rejected.message)
                .contains("schema id 1")
                .contains(url + "/schemas/ids/1")
                .contains("2 attempts");
        // Other ids fail fast while the registry is down; plain and single-object records are
        // unaffected.
        ControlEvent next =
                decoder.decode(
                        new ConsumerRecord<>(
                                "registry", 0, 8, null, framed(2, plain(V1, oldDatacenter("dc")))));
        assertThat(next.rejected.reason).isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(next.rejected.message).contains("schema id 2").contains("not asked again");
        assertOld(
                decoder.decode(
                        new ConsumerRecord<>(
                                "registry", 0, 9, null, plain(V1, oldDatacenter("dc")))),
                "dc");
    }

    @Test
    void aSchemaOfAnotherRecordIsUndecodableAndAFrameCutShortToo() throws Exception {
        server.serve(5, avsc("IntensityUpdate")).serve(6, "{\"type\": \"not a type\"}");
        SchemaRegistryClient client = client();
        ControlEvent e = registry(client, framed(5, plain(V1, oldDatacenter("dc"))));
        assertThat(e.rejected.reason).isEqualTo(Reason.UNDECODABLE);
        assertThat(e.rejected.message)
                .contains("schema id 5")
                .contains("IntensityUpdate")
                .contains("Datacenter");
        assertThat(registry(client, framed(6, plain(V1, oldDatacenter("dc")))).rejected.reason)
                .isEqualTo(Reason.UNKNOWN_SCHEMA);
        assertThat(registry(client, new byte[] {0, 0, 1}).rejected.reason)
                .isEqualTo(Reason.UNDECODABLE);
    }

    @Test
    void randomBytesBehindAHeaderNeverThrowAndNeverPass() throws Exception {
        server.serve(1, avsc("InferenceEvent"));
        SchemaRegistryClient client = client();
        client.clock = () -> 0; // frozen: what is remembered stays remembered
        Decoders.Requests requests =
                new Decoders.Requests(Limits.defaults().withSchemaRegistry(client));
        Random rnd = new Random(5);
        Set<Reason> seen = EnumSet.noneOf(Reason.class);
        for (int i = 0; i < 3_000; i++) {
            byte[] junk = new byte[rnd.nextInt(120)];
            rnd.nextBytes(junk);
            if (junk.length >= 5 && i % 2 == 0) {
                ByteBuffer.wrap(junk)
                        .put((byte) 0)
                        .putInt(rnd.nextInt(3)); // ids 0 and 2 unknown, 1 served
            } else if (junk.length >= 2 && i % 3 == 0) {
                junk[0] = (byte) 0xC3;
                junk[1] = 0x01;
            }
            RequestEnvelope e =
                    requests.decode(
                            new ConsumerRecord<>("events", 0, i, null, junk), DecodersTest.NOW);
            assertThat(e.rejected)
                    .as("random record %d decoded as valid: %s", i, e.request)
                    .isNotNull();
            seen.add(e.rejected.reason);
        }
        assertThat(seen).contains(Reason.UNDECODABLE, Reason.UNKNOWN_SCHEMA);
        // Each id asked once (random bytes that happen to start with 0 add a few): known ones are
        // cached, unknown ones remembered.
        assertThat(server.requests())
                .extracting(FakeSchemaRegistry.Request::path)
                .doesNotHaveDuplicates()
                .contains("/schemas/ids/0", "/schemas/ids/1", "/schemas/ids/2")
                .allSatisfy(path -> assertThat(path).doesNotContain("-"));
    }

    static AggregateRecord aggregate() {
        AggregateRecord a = datacenterAggregate(WindowKind.MINUTE, 60_000, 120_000, 4, 0.5, 300, 1);
        a.totals.gpuJoules = 321.5;
        return a;
    }

    /**
     * dc-1's aggregate of one window (methodology "m") whose requests were all priced at one
     * intensity: location grams are the facility kWh times it.
     */
    static AggregateRecord datacenterAggregate(
            WindowKind window,
            long start,
            long end,
            long requests,
            double facilityKwh,
            double intensity,
            int revision) {
        AggregateRecord a = new AggregateRecord();
        a.window = window;
        a.windowStart = start;
        a.windowEnd = end;
        a.dimension = Dimension.DATACENTER;
        a.datacenterId = "dc-1";
        a.totals = new Totals();
        a.totals.requests = requests;
        a.totals.facilityKwh = facilityKwh;
        a.totals.locationG = facilityKwh * intensity;
        a.totals.addMix(intensity, requests);
        a.revision = revision;
        a.methodology = "m";
        return a;
    }

    @Test
    void outputsAreRegisteredOncePerSinkAndFramedWithTheIdTheRegistryReturned() throws Exception {
        SchemaRegistryClient client = client();
        Encoders.Aggregates plainSerializer = new Encoders.Aggregates("out.aggregates");
        assertThat(Encoders.inWireFormat(plainSerializer, null)).isSameAs(plainSerializer);

        KafkaRecordSerializationSchema<AggregateRecord> aggregates =
                Encoders.inWireFormat(plainSerializer, client);
        Encoders.inWireFormat(new Encoders.DeadLetters("out.dlq"), client);
        Encoders.inWireFormat(new Encoders.DeadLetters("out.late"), client);
        assertThat(server.requests())
                .extracting(FakeSchemaRegistry::subject)
                .containsExactly("out.aggregates-value", "out.dlq-value", "out.late-value");
        FakeSchemaRegistry.Request first = server.requests().get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.contentType()).isEqualTo("application/vnd.schemaregistry.v1+json");
        String registered = new ObjectMapper().readTree(first.body()).get("schema").asText();
        assertThat(new Schema.Parser().parse(registered)).isEqualTo(Aggregate.getClassSchema());

        // The id is the registry's: the first one it handed out.
        int id = 100;
        AggregateRecord a = aggregate();
        ProducerRecord<byte[], byte[]> framedRecord = aggregates.serialize(a, null, null);
        ProducerRecord<byte[], byte[]> plainRecord = plainSerializer.serialize(a, null, null);
        assertThat(framedRecord.value()).isEqualTo(framed(id, plainRecord.value()));
        assertThat(framedRecord.key()).isEqualTo(plainRecord.key());
        assertThat(framedRecord.timestamp()).isEqualTo(plainRecord.timestamp());
        // A registry-aware reader gets the same aggregate back.
        Aggregate back =
                new AvroCodec<>(Aggregate.class, SchemaRegistryClient.of(server.url(), null))
                        .decode(framedRecord.value());
        assertThat(back).isEqualTo(Encoders.toAvro(a));
    }

    @Test
    void aRegistryRefusingTheRegistrationStopsTheDeploymentWithAMessage() {
        server.thenAnswer(503, 503);
        assertThatThrownBy(
                        () ->
                                Encoders.inWireFormat(
                                        new Encoders.Aggregates("out.aggregates"),
                                        fastClient(server.url(), 2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("out.aggregates")
                .hasMessageContaining(server.url())
                .hasMessageContaining("HTTP 503");
    }
}
