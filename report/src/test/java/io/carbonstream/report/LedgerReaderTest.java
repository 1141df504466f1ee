package io.carbonstream.report;

import static io.carbonstream.report.Rows.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbonstream.it.Avro;
import io.carbonstream.schema.LedgerEntry;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Compaction's rule on records in offset order, without a broker. */
class LedgerReaderTest {

    private long offset;

    private TopicReader.RawRecord record(int partition, String key, LedgerEntry value) {
        return new TopicReader.RawRecord(
                partition,
                offset++,
                key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : Avro.encode(value));
    }

    @Test
    void latestRevisionWinsAndTombstonesRemove() {
        LedgerEntry first = row("dc-a", "2026-12-01T00:00:00Z").kwh(99).build();
        LedgerEntry second = row("dc-a", "2026-12-01T00:00:00Z").revision(2).kwh(10).build();
        LedgerEntry removed = row("dc-a", "2026-12-01T01:00:00Z").kwh(5).build();
        LedgerEntry kept = row("dc-b", "2026-12-01T01:00:00Z").kwh(7).build();
        LedgerReader.Latest latest = new LedgerReader.Latest("t");
        latest.accept(record(0, "dc-a|2026-12-01T00:00:00Z", first));
        latest.accept(record(0, "dc-a|2026-12-01T01:00:00Z", removed));
        latest.accept(record(1, "dc-b|2026-12-01T01:00:00Z", kept));
        latest.accept(record(0, "dc-a|2026-12-01T00:00:00Z", second));
        latest.accept(record(0, "dc-a|2026-12-01T01:00:00Z", null));
        assertThat(latest.rows()).containsExactlyInAnyOrder(second, kept);
        assertThat(latest.records()).isEqualTo(5);
        assertThat(latest.tombstones()).isEqualTo(1);
    }

    @Test
    void aKeyInTwoPartitionsKeepsItsHigherRevisionWhateverTheReadingOrder() {
        LedgerEntry older = row("dc-a", "2026-12-01T00:00:00Z").revision(3).kwh(1).build();
        LedgerEntry newer = row("dc-a", "2026-12-01T00:00:00Z").revision(4).kwh(2).build();
        for (boolean newerFirst : new boolean[] {true, false}) {
            LedgerReader.Latest latest = new LedgerReader.Latest("t");
            latest.accept(record(newerFirst ? 0 : 1, "k", newerFirst ? newer : older));
            latest.accept(record(newerFirst ? 1 : 0, "k", newerFirst ? older : newer));
            assertThat(latest.rows()).containsExactly(newer);
        }
    }

    @Test
    void aValueThatIsNotALedgerEntryIsAnErrorNamingTheRecord() {
        LedgerReader.Latest latest = new LedgerReader.Latest("carbonstream.ledger");
        TopicReader.RawRecord bad =
                new TopicReader.RawRecord(
                        1, 17, "k".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> latest.accept(bad))
                .isInstanceOf(ReportException.class)
                .hasMessageContaining(
                        "record carbonstream.ledger/1@17 is not one LedgerEntry in plain Avro"
                                + " binary");
        // A valid record with bytes after it (e.g. framing) is not one plain record either.
        byte[] valid = Avro.encode(row("dc-a", "2026-12-01T00:00:00Z").kwh(1).build());
        byte[] longer = java.util.Arrays.copyOf(valid, valid.length + 4);
        assertThatThrownBy(
                        () ->
                                latest.accept(
                                        new TopicReader.RawRecord(
                                                0,
                                                3,
                                                "k".getBytes(StandardCharsets.UTF_8),
                                                longer)))
                .isInstanceOf(ReportException.class)
                .hasMessageContaining("bytes left after one record");
        // Registry framing (0x00, schema id 7, then the record) is named as such.
        byte[] framed = new byte[valid.length + 5];
        framed[4] = 7;
        System.arraycopy(valid, 0, framed, 5, valid.length);
        assertThatThrownBy(
                        () ->
                                latest.accept(
                                        new TopicReader.RawRecord(
                                                0,
                                                4,
                                                "k".getBytes(StandardCharsets.UTF_8),
                                                framed)))
                .isInstanceOf(ReportException.class)
                .hasMessageContaining("is schema-registry framed (0x00, schema id 7)");
    }
}
