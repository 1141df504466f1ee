package io.carbonstream.ledger;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.ingest.DeadLetterRecord;

/**
 * What reaches the ledger, keyed by grid zone: an hourly aggregate of a datacenter (or of one of
 * its models), a certificate, or a certificate record that could not be read. Exactly one is set. A
 * Flink POJO.
 */
public class LedgerInput {
    public AggregateRecord aggregate;
    public CertificateRecord certificate;
    public DeadLetterRecord rejected;

    public LedgerInput() {}

    public static LedgerInput of(AggregateRecord a) {
        LedgerInput in = new LedgerInput();
        in.aggregate = a;
        return in;
    }

    public static LedgerInput of(CertificateRecord c) {
        LedgerInput in = new LedgerInput();
        in.certificate = c;
        return in;
    }

    public static LedgerInput rejected(DeadLetterRecord d) {
        LedgerInput in = new LedgerInput();
        in.rejected = d;
        return in;
    }

    /** The grid zone: the aggregate's datacenter's, or the certificate's boundary. */
    public String zone() {
        return aggregate != null ? aggregate.zone : certificate.boundary;
    }
}
