package io.carbonstream.it;

import static io.carbonstream.ingest.FakeSchemaRegistry.avsc;
import static io.carbonstream.ingest.FakeSchemaRegistry.framed;
import static org.assertj.core.api.Assertions.assertThat;

import io.carbonstream.ingest.FakeSchemaRegistry;
import io.carbonstream.ingest.SchemaHistory;
import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Datacenter;
import io.carbonstream.schema.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Producers on a schema registry, on Avro single-object encoding and on plain binary write to the
 * same topics, some still on the first Datacenter schema: every request is priced as the
 * independent reference says, and only a record framed with an id the registry does not know is
 * dead-lettered (UNKNOWN_SCHEMA). Then a bounded run writes its outputs registry-framed. The
 * registry is a local HTTP server answering as Confluent's REST API documents.
 */
class RegistryFramingIT extends KafkaAndFlinkIT {

    static final int EVENTS_ID = 11;
    static final int DC_FIRST_SCHEMA_ID = 21;
    static final int DC_CURRENT_ID = 22;
    static final int UNKNOWN_ID = 4242;

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static void run(Map<String, String> options) throws Exception {
        JobFixture.runBounded("carbonstream-registry-framing", options);
    }

    @Test
    void mixedEncodingsArePricedExactlyAndFramedOutputsCarryTheRegistrysIds() throws Exception {
        try (FakeSchemaRegistry registry = new FakeSchemaRegistry()) {
            Schema v1 = SchemaHistory.olderWriters(Datacenter.getClassSchema()).get(0);
            registry.serve(EVENTS_ID, avsc("InferenceEvent"))
                    .serve(DC_FIRST_SCHEMA_ID, v1.toString())
                    .serve(DC_CURRENT_ID, avsc("Datacenter"));
            JobFixture f = new JobFixture(kafka, "framing.");
            JobFixture out = new JobFixture(kafka, "framing-out.");
            Scenario s = new Scenario(59, 4_000, 50 * Scenario.MIN, 4_000);
            assertThat(s.datacenters).hasSize(5);

            // The registry only on its topic, each datacenter from another kind of producer.
            List<KafkaIO.Raw> dcs = new ArrayList<>();
            for (int i = 0; i < s.datacenters.size(); i++) {
                Scenario.Dc d = s.datacenters.get(i);
                Datacenter current = Avro.datacenter(d, null);
                byte[] value =
                        switch (i) {
                            case 0 -> Avro.encode(current);
                            case 1 -> framed(DC_CURRENT_ID, Avro.encode(current));
                            case 2 ->
                                    framed(
                                            DC_FIRST_SCHEMA_ID,
                                            JobFixture.plainAvro(
                                                    v1, JobFixture.firstSchema(v1, d)));
                            case 3 ->
                                    bytes(
                                            new BinaryMessageEncoder<GenericRecord>(
                                                            GenericData.get(), v1)
                                                    .encode(JobFixture.firstSchema(v1, d)));
                            default -> bytes(current.toByteBuffer());
                        };
                dcs.add(new KafkaIO.Raw(JobFixture.utf8(d.id()), value));
            }
            f.produce("registry", dcs);

            List<KafkaIO.Raw> updates = new ArrayList<>();
            for (Scenario.Upd u : s.intensity)
                updates.add(
                        new KafkaIO.Raw(JobFixture.utf8(u.zone()), Avro.encode(Avro.update(u))));
            f.produce("intensity", updates);

            // Requests in turn plain, registry-framed and single-object; one more framed with an id
            // the registry does not know.
            List<KafkaIO.Raw> events = new ArrayList<>();
            int[] kinds = new int[3];
            for (int i = 0; i < s.requests.size(); i++) {
                Scenario.Req r = s.requests.get(i);
                byte[] plainBytes = Avro.encode(Avro.event(r));
                byte[] value =
                        switch (i % 3) {
                            case 0 -> plainBytes;
                            case 1 -> framed(EVENTS_ID, plainBytes);
                            default -> bytes(Avro.event(r).toByteBuffer());
                        };
                kinds[i % 3]++;
                events.add(new KafkaIO.Raw(JobFixture.utf8(r.id()), value));
            }
            Scenario.Req stray = s.requests.get(0);
            byte[] unknown =
                    framed(
                            UNKNOWN_ID,
                            Avro.encode(
                                    Avro.event(
                                            new Scenario.Req(
                                                    "stray",
                                                    stray.t(),
                                                    stray.dc(),
                                                    stray.model(),
                                                    stray.modality(),
                                                    stray.in(),
                                                    stray.out(),
                                                    stray.images(),
                                                    stray.steps(),
                                                    stray.media(),
                                                    stray.gpus(),
                                                    stray.durationMs(),
                                                    stray.measured(),
                                                    stray.params()))));
            events.add(events.size() / 2, new KafkaIO.Raw(JobFixture.utf8("stray"), unknown));
            f.produce("events", events);
            assertThat(Arrays.stream(kinds).min().getAsInt()).isGreaterThan(1_000);

            Map<String, String> options =
                    f.config(
                            null, Map.of("bounded", "true", "schema-registry.url", registry.url()));
            run(options);

            Map<String, Reference.Agg> expected = JobFixture.reference(s, s.requests);
            JobFixture.assertAggregatesEqual(f.latestAggregates(), expected);
            assertThat(f.deadLetters("late")).isEmpty();
            List<DeadLetter> dead = f.deadLetters("dlq");
            assertThat(dead).hasSize(1);
            DeadLetter d = dead.get(0);
            assertThat(d.getReason()).isEqualTo("UNKNOWN_SCHEMA");
            assertThat(d.getMessage())
                    .contains(String.valueOf(UNKNOWN_ID))
                    .contains(registry.url() + "/schemas/ids/" + UNKNOWN_ID)
                    .contains("HTTP 404");
            assertThat(d.getSourceTopic()).isEqualTo(f.prefix + "events");
            assertThat(d.getKey().array()).isEqualTo(JobFixture.utf8("stray"));
            assertThat(d.getValue().array()).isEqualTo(unknown);
            for (int id : new int[] {EVENTS_ID, DC_FIRST_SCHEMA_ID, DC_CURRENT_ID}) {
                assertThat(registry.count("GET", "/schemas/ids/" + id))
                        .as("lookups of id %d", id)
                        .isPositive();
            }
            assertThat(registry.requests())
                    .noneMatch(r -> r.method().equals("POST")); // plain outputs register nothing

            // The same input again, outputs registry-framed.
            Map<String, String> framedRun = new HashMap<>(options);
            framedRun.putAll(f.outputsTo(out));
            framedRun.put("output.wire-format", "REGISTRY");
            run(framedRun);

            List<String> subjects = new ArrayList<>();
            for (String t :
                    List.of("aggregates", "dlq", "late", "alerts", "restatements", "ledger"))
                subjects.add(out.prefix + t + "-value");
            assertThat(registry.requests())
                    .filteredOn(r -> r.method().equals("POST"))
                    .extracting(FakeSchemaRegistry::subject)
                    .containsExactlyInAnyOrderElementsOf(subjects);
            int aggregateId = registry.registeredId(out.prefix + "aggregates-value");
            int deadLetterId = registry.registeredId(out.prefix + "dlq-value");

            Map<String, Aggregate> latest = new HashMap<>();
            List<ConsumerRecord<byte[], byte[]>> records =
                    KafkaIO.readAll(kafka.clientProperties(), out.prefix + "aggregates");
            assertThat(records).isNotEmpty();
            for (ConsumerRecord<byte[], byte[]> rec : records) {
                assertThat(Arrays.copyOf(rec.value(), 5))
                        .isEqualTo(framed(aggregateId, new byte[0]));
                Aggregate a =
                        Avro.decode(
                                Arrays.copyOfRange(rec.value(), 5, rec.value().length),
                                Aggregate.class);
                latest.merge(
                        new String(rec.key(), StandardCharsets.UTF_8),
                        a,
                        (x, y) -> y.getRevision() > x.getRevision() ? y : x);
            }
            JobFixture.assertAggregatesEqual(latest, expected);
            Map<String, Aggregate> plainRun = f.latestAggregates();
            latest.forEach(
                    (k, a) ->
                            assertThat(a.getRequests())
                                    .as(k)
                                    .isEqualTo(plainRun.get(k).getRequests()));

            List<ConsumerRecord<byte[], byte[]>> framedDead =
                    KafkaIO.readAll(kafka.clientProperties(), out.prefix + "dlq");
            assertThat(framedDead).hasSize(1);
            byte[] v = framedDead.get(0).value();
            assertThat(Arrays.copyOf(v, 5)).isEqualTo(framed(deadLetterId, new byte[0]));
            DeadLetter again = Avro.decode(Arrays.copyOfRange(v, 5, v.length), DeadLetter.class);
            assertThat(again.getReason()).isEqualTo("UNKNOWN_SCHEMA");
            assertThat(again.getValue().array()).isEqualTo(unknown);
        }
    }
}
