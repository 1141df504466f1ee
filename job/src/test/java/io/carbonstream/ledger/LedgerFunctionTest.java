package io.carbonstream.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.carbonstream.Pipeline;
import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.aggregate.Totals;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.Reason;
import io.carbonstream.ledger.MatchingReference.Cert;
import io.carbonstream.ledger.MatchingReference.Dc;
import io.carbonstream.ledger.MatchingReference.Load;
import io.carbonstream.registry.DatacenterHistory;
import io.carbonstream.registry.DatacenterProfile;
import io.carbonstream.registry.RegistryStart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The ledger operator against the plainly written matching rules of {@link MatchingReference}. */
class LedgerFunctionTest {

    static final long H = LedgerCore.HOUR;
    static final long H0 = 1_000 * H;
    static final List<Dc> DCS =
            List.of(
                    new Dc("dc-a", "Z1", "org-o"),
                    new Dc("dc-b", "Z1", "org-o"),
                    new Dc("dc-c", "Z1", null),
                    new Dc("dc-d", "Z2", "org-o"));
    static final Map<String, Double> RESIDUAL =
            Map.of("Z1", 400.0); // Z2 has none: its grid average prices it

    final List<Load> loads = new ArrayList<>();
    final List<Cert> certs = new ArrayList<>();

    static KeyedBroadcastOperatorTestHarness<String, LedgerInput, ControlEvent, LedgerRow> harness()
            throws Exception {
        Map<String, DatacenterHistory> registry = new LinkedHashMap<>();
        for (Dc d : DCS) {
            DatacenterProfile p = new DatacenterProfile(d.id(), d.zone(), 1.2, 1.0);
            p.organisation = d.org();
            registry.put(d.id(), DatacenterHistory.of(p));
        }
        LedgerFunction fn =
                new LedgerFunction(
                        RegistryStart.ofFile(registry),
                        new ResidualMix(Map.of("Z1", new ResidualMix.Factor(400.0, "test table"))),
                        48 * H);
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(fn, List.of(PaneFunction.REGISTRY)),
                        new Pipeline.ByLedgerZone(),
                        Types.STRING,
                        128,
                        1,
                        0);
        h.setup();
        h.open();
        return h;
    }

    static AggregateRecord hour(
            String dc,
            String zone,
            String org,
            String model,
            long hour,
            int revision,
            String reason,
            double kwh,
            double g) {
        AggregateRecord a = new AggregateRecord();
        a.window = WindowKind.HOUR;
        a.windowStart = hour;
        a.windowEnd = hour + H;
        a.dimension = model == null ? Dimension.DATACENTER : Dimension.DATACENTER_MODEL;
        a.datacenterId = dc;
        a.modelId = model;
        a.zone = zone;
        a.organisation = org;
        a.revision = revision;
        a.revisionReason = reason;
        a.methodology = "test";
        a.emissionFactorType = "lifecycle";
        a.totals = new Totals();
        a.totals.requests = 10;
        a.totals.outputTokens = 5_000;
        a.totals.facilityKwh = kwh;
        a.totals.locationG = g;
        a.totals.embodiedG = kwh; // 1 g per kWh: easy to check
        return a;
    }

    void load(
            KeyedBroadcastOperatorTestHarness<String, LedgerInput, ControlEvent, LedgerRow> h,
            String dc,
            long hour,
            int revision,
            String reason,
            double kwh,
            double g)
            throws Exception {
        Dc d = DCS.stream().filter(x -> x.id().equals(dc)).findFirst().orElseThrow();
        h.processElement(
                new StreamRecord<>(
                        LedgerInput.of(
                                hour(
                                        dc, d.zone(), d.org(), null, hour, revision, reason, kwh,
                                        g))));
        h.processElement(
                new StreamRecord<>(
                        LedgerInput.of(
                                hour(
                                        dc, d.zone(), d.org(), "m1", hour, revision, reason, kwh,
                                        g))));
        loads.removeIf(l -> l.dc().equals(dc) && l.hour() == hour);
        loads.add(new Load(dc, hour, kwh, g));
    }

    void cert(
            KeyedBroadcastOperatorTestHarness<String, LedgerInput, ControlEvent, LedgerRow> h,
            String id,
            String dc,
            String org,
            long hour,
            String boundary,
            double kwh,
            double factor,
            boolean counts)
            throws Exception {
        CertificateRecord c = new CertificateRecord();
        c.certificateId = id;
        c.datacenterId = dc;
        c.organisation = org;
        c.hourStart = hour;
        c.boundary = boundary;
        c.kwh = kwh;
        c.factorGPerKwh = factor;
        c.sourceTopic = "certificates";
        c.value = new byte[] {1, 2, 3};
        h.processElement(new StreamRecord<>(LedgerInput.of(c)));
        certs.removeIf(x -> x.id().equals(id));
        if (counts && kwh > 0) certs.add(new Cert(id, dc, org, hour, boundary, kwh, factor));
    }

    static Map<String, LedgerRow> latest(
            KeyedBroadcastOperatorTestHarness<String, LedgerInput, ControlEvent, LedgerRow> h) {
        Map<String, LedgerRow> out = new TreeMap<>();
        for (LedgerRow r : h.extractOutputValues()) {
            LedgerRow before = out.get(r.datacenterId + "|" + r.hourStart);
            if (before != null)
                assertThat(r.revision)
                        .as("revisions of a key increase by one")
                        .isEqualTo(before.revision + 1);
            out.put(r.datacenterId + "|" + r.hourStart, r);
        }
        return out;
    }

    @Test
    void rowsFollowTheMatchingRulesWhateverTheArrivalOrder() throws Exception {
        var h = harness();
        load(h, "dc-a", H0, 1, "FIRST_EMISSION", 10, 3_000);
        // A certificate before its hour's load arrives, retired for dc-b.
        cert(h, "c-b0", "dc-b", null, H0, "Z1", 1, 0, true);
        load(h, "dc-b", H0, 1, "FIRST_EMISSION", 5, 1_500);
        load(h, "dc-c", H0, 1, "FIRST_EMISSION", 8, 2_400);
        load(h, "dc-a", H0 + H, 1, "FIRST_EMISSION", 4, 1_000);
        load(h, "dc-d", H0, 1, "FIRST_EMISSION", 6, 1_200);
        cert(h, "c-a0", "dc-a", null, H0, "Z1", 6, 0, true);
        cert(h, "c-o0", null, "org-o", H0, "Z1", 12, 0, true);
        // Wrong hour: dc-c ran nothing at H0 + 2h, so this one is surplus there, never at H0.
        cert(h, "c-c2", "dc-c", null, H0 + 2 * H, "Z1", 2, 0, true);
        // Wrong boundary: dc-c is in Z1, not Z2.
        cert(h, "c-c0-z2", "dc-c", null, H0, "Z2", 3, 0, false);
        cert(h, "c-a1", "dc-a", null, H0 + H, "Z1", 1, 100, true);
        cert(h, "c-o0-z2", null, "org-o", H0, "Z2", 3, 0, true);
        // An organisation with no datacenter in the boundary.
        cert(h, "c-x", null, "org-x", H0, "Z1", 3, 0, false);
        // Published, then withdrawn (0 MWh).
        cert(h, "c-b1", "dc-b", null, H0 + H, "Z1", 2, 0, true);
        cert(h, "c-b1", "dc-b", null, H0 + H, "Z1", 0, 0, true);
        // A restatement of dc-a's hour after all that.
        load(h, "dc-a", H0, 2, "INTENSITY_RESTATEMENT", 10, 3_500);

        Map<String, LedgerRow> rows = latest(h);
        Map<String, MatchingReference.Row> ref =
                MatchingReference.rows(DCS, loads, certs, RESIDUAL);
        // The reference has a row wherever load or a counting certificate is; the ledger also keeps
        // the
        // row of the withdrawn certificate's hour, emptied.
        assertThat(rows.keySet()).containsAll(ref.keySet());
        assertThat(rows.keySet()).hasSize(ref.size() + 1).contains("dc-b|" + (H0 + H));
        for (var e : ref.entrySet()) {
            LedgerRow r = rows.get(e.getKey());
            MatchingReference.Row x = e.getValue();
            String k = e.getKey();
            assertThat(r.totals.facilityKwh).as(k).isEqualTo(x.load());
            assertThat(r.certificateKwh).as(k).isCloseTo(x.certificateKwh(), within(1e-9));
            assertThat(r.matchedKwh).as(k).isCloseTo(x.matched(), within(1e-9));
            assertThat(r.unmatchedKwh).as(k).isCloseTo(x.unmatched(), within(1e-9));
            assertThat(r.surplusKwh).as(k).isCloseTo(x.surplus(), within(1e-9));
            assertThat(r.certificateG).as(k).isCloseTo(x.certificateG(), within(1e-9));
            assertThat(r.residualGPerKwh).as(k).isCloseTo(x.residual(), within(1e-9));
            assertThat(r.marketG).as(k).isCloseTo(x.market(), within(1e-9));
            assertThat(r.matchedKwh + r.unmatchedKwh).as(k).isEqualTo(r.totals.facilityKwh);
        }
        // Spot checks by hand. dc-a at H0: its own 6 kWh, then 4 of the organisation's 12 (dc-b
        // takes
        // the 4 it has left after its own 1): 10 matched; the 4 left over go 10:5 to dc-a and dc-b.
        LedgerRow a0 = rows.get("dc-a|" + H0);
        assertThat(a0.matchedKwh).isCloseTo(10.0, within(1e-12));
        assertThat(a0.surplusKwh).isCloseTo(4.0 * 10 / 15, within(1e-12));
        assertThat(a0.restatements).isEqualTo(1);
        assertThat(a0.aggregateRevision).isEqualTo(2);
        assertThat(a0.totals.locationG).isEqualTo(3_500);
        assertThat(a0.models).extracting(m -> m.modelId).containsExactly("m1");
        // dc-c at H0: nothing counts (the Z2 certificate is another grid): all 8 kWh at the
        // residual mix.
        LedgerRow c0 = rows.get("dc-c|" + H0);
        assertThat(c0.matchedKwh).isZero();
        assertThat(c0.marketG).isCloseTo(8 * 400.0, within(1e-9));
        assertThat(c0.residualSource).isEqualTo("TABLE:test table");
        // dc-c at H0 + 2h: a row of certificates only, all surplus.
        LedgerRow c2 = rows.get("dc-c|" + (H0 + 2 * H));
        assertThat(c2.aggregateRevision).isZero();
        assertThat(c2.surplusKwh).isEqualTo(2.0);
        // dc-d in Z2: no table entry, priced at its grid average (1,200 g / 6 kWh).
        LedgerRow d0 = rows.get("dc-d|" + H0);
        assertThat(d0.residualSource).isEqualTo(ResidualMix.GRID_AVERAGE);
        assertThat(d0.marketG).isCloseTo(3 * 200.0, within(1e-9));
        // dc-b at H0 + 1h: the withdrawn certificate no longer counts.
        LedgerRow b1 = rows.get("dc-b|" + (H0 + H));
        assertThat(b1.certificateKwh).isZero();
        assertThat(b1.surplusKwh).isZero();
        assertThat(b1.revision).isEqualTo(2);

        // The two certificates that cannot count are dead letters, with the reason, bytes kept.
        List<DeadLetterRecord> dead = new ArrayList<>();
        h.getSideOutput(PaneFunction.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        assertThat(dead)
                .extracting(d -> d.reason)
                .containsOnly(Reason.CERTIFICATE_OUTSIDE_BOUNDARY);
        assertThat(dead)
                .extracting(d -> d.message)
                .anyMatch(m -> m.contains("c-c0-z2") && m.contains("zone Z1"))
                .anyMatch(m -> m.contains("c-x") && m.contains("org-x"));
        assertThat(dead).allSatisfy(d -> assertThat(d.value).containsExactly(1, 2, 3));
        // Conservation of certificates: every placed kWh is on some row of its hour.
        double placed = certs.stream().mapToDouble(Cert::kwh).sum();
        assertThat(rows.values().stream().mapToDouble(r -> r.certificateKwh).sum())
                .isCloseTo(placed, within(1e-9));
    }

    @Test
    void anUnchangedInputEmitsNothingAndAnOldRevisionIsIgnored() throws Exception {
        var h = harness();
        load(h, "dc-a", H0, 2, "LATE_REQUEST", 10, 3_000);
        int n = h.extractOutputValues().size();
        load(h, "dc-a", H0, 1, "FIRST_EMISSION", 99, 9_999); // older than what the ledger has
        cert(h, "c-0", "dc-a", null, H0, "Z1", 0, 0, true); // withdrawing what was never there
        assertThat(h.extractOutputValues()).hasSize(n);
        assertThat(latest(h).get("dc-a|" + H0).totals.facilityKwh).isEqualTo(10.0);
    }

    @Test
    void aCertificateForAnHourBeyondTheRetentionIsDeadLettered() throws Exception {
        var h = harness();
        load(h, "dc-a", H0 + 100 * H, 1, "FIRST_EMISSION", 1, 100);
        cert(h, "c-old", "dc-a", null, H0, "Z1", 1, 0, false);
        List<DeadLetterRecord> dead = new ArrayList<>();
        h.getSideOutput(PaneFunction.DEAD_LETTERS).forEach(r -> dead.add(r.getValue()));
        assertThat(dead)
                .singleElement()
                .satisfies(
                        d -> {
                            assertThat(d.reason).isEqualTo(Reason.BEYOND_RETENTION);
                            assertThat(d.message).contains("--ledger.retention");
                        });
    }
}
