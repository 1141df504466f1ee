package io.carbonstream.ledger;

import io.carbonstream.ingest.AvroCodec;
import io.carbonstream.ingest.Decoders;
import io.carbonstream.ingest.Limits;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ingest.Rejection;
import io.carbonstream.ingest.Validator;
import io.carbonstream.schema.Certificate;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the certificates topic: a valid certificate, or a dead letter saying what is wrong with the
 * record.
 */
public final class CertificateDecoder implements KafkaRecordDeserializationSchema<LedgerInput> {

    /** Far beyond any single hourly delivery (the largest plants deliver a few GWh in an hour). */
    static final double MAX_MWH = 100_000;

    private final Limits limits;
    private transient AvroCodec<Certificate> codec;
    private transient Validator validator;

    public CertificateDecoder(Limits limits) {
        this.limits = limits;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> rec, Collector<LedgerInput> out) {
        out.collect(decode(rec));
    }

    public LedgerInput decode(ConsumerRecord<byte[], byte[]> rec) {
        if (codec == null) {
            codec = new AvroCodec<>(Certificate.class, limits.schemaRegistry());
            validator = new Validator(limits);
        }
        if (rec.value() == null) {
            return reject(
                    rec,
                    Reason.NULL_VALUE,
                    "tombstone on the certificates topic: withdraw a certificate by publishing it"
                            + " again with mwh 0");
        }
        Certificate c;
        try {
            c = codec.decode(rec.value());
        } catch (IOException ex) {
            return LedgerInput.rejected(Decoders.undecodable(rec, "a Certificate", ex));
        }
        for (String[] f :
                new String[][] {
                    {"certificate_id", c.getCertificateId()},
                    {"grid_boundary", c.getGridBoundary()},
                    {"retired_for_datacenter", c.getRetiredForDatacenter()},
                    {"retired_for_organisation", c.getRetiredForOrganisation()},
                    {"technology", c.getTechnology()},
                    {"instrument", c.getInstrument()}
                }) {
            if (f[1] == null) continue;
            Rejection why = validator.text(f[0], f[1]);
            if (why != null) return reject(rec, why.reason(), why.message());
        }
        if (c.getCertificateId().isBlank())
            return reject(rec, Reason.MISSING_FIELD, "certificate_id is empty");
        if (c.getGridBoundary().isBlank())
            return reject(rec, Reason.MISSING_FIELD, "grid_boundary is empty");
        boolean dc = c.getRetiredForDatacenter() != null && !c.getRetiredForDatacenter().isBlank();
        boolean org =
                c.getRetiredForOrganisation() != null && !c.getRetiredForOrganisation().isBlank();
        if (dc == org) {
            return reject(
                    rec,
                    Reason.MISSING_FIELD,
                    "exactly one of retired_for_datacenter and retired_for_organisation must be"
                            + " set");
        }
        double mwh = c.getMwh();
        if (!(mwh >= 0) || Double.isInfinite(mwh))
            return reject(rec, Reason.INVALID_VALUE, "mwh " + mwh + " is not a quantity >= 0");
        if (mwh > MAX_MWH)
            return reject(
                    rec, Reason.ABSURD_VALUE, "mwh " + mwh + " in one hour is beyond any plant");
        double factor = c.getEmissionFactorGPerKwh();
        if (!(factor >= 0 && factor <= 3000)) {
            return reject(
                    rec,
                    Reason.INVALID_VALUE,
                    "emission_factor_g_per_kwh " + factor + " is outside [0, 3000]");
        }
        long start = c.getGenerationStart().toEpochMilli();
        if (Math.floorMod(start, LedgerCore.HOUR) != 0) {
            return reject(
                    rec,
                    Reason.INVALID_VALUE,
                    "generation_start "
                            + c.getGenerationStart()
                            + " is not on the hour: hourly matching needs one record per generation"
                            + " hour");
        }
        CertificateRecord r = new CertificateRecord();
        r.certificateId = c.getCertificateId();
        r.kwh = mwh * 1000.0;
        r.hourStart = start;
        r.boundary = c.getGridBoundary();
        r.technology = c.getTechnology();
        r.instrument = c.getInstrument();
        r.factorGPerKwh = factor;
        r.datacenterId = dc ? c.getRetiredForDatacenter() : null;
        r.organisation = org ? c.getRetiredForOrganisation() : null;
        r.sourceTopic = rec.topic();
        r.sourcePartition = rec.partition();
        r.sourceOffset = rec.offset();
        r.sourceTimestamp = rec.timestamp();
        r.key = rec.key();
        r.value = rec.value();
        return LedgerInput.of(r);
    }

    private static LedgerInput reject(
            ConsumerRecord<byte[], byte[]> rec, Reason reason, String message) {
        return LedgerInput.rejected(Decoders.deadLetter(rec, reason, message));
    }

    @Override
    public TypeInformation<LedgerInput> getProducedType() {
        return TypeInformation.of(LedgerInput.class);
    }
}
