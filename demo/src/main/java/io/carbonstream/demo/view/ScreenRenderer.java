package io.carbonstream.demo.view;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Alert;
import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.Dimension;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementStatus;
import io.carbonstream.schema.WindowKind;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Formats one frame of the live view as plain text, at most 100 columns wide. */
public final class ScreenRenderer {

    /** Facts about the run that are not in the topics. */
    public record Header(
            long simNow,
            double speed,
            String webUrl,
            String bootstrap,
            long requestsSent,
            long updatesSent,
            double requestsPerSecond,
            String jobStatus,
            long certificatesSent,
            long gpuReadingsSent) {
        /**
         * The header of a view attached to a Kafka the demo did not start (no generator, no local
         * cluster).
         */
        public static Header attachedTo(String bootstrap) {
            return new Header(Long.MIN_VALUE, 0, null, bootstrap, 0, 0, 0, null, 0, 0);
        }

        boolean attached() {
            return webUrl == null;
        }
    }

    static final DateTimeFormatter HM =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    static final DateTimeFormatter DAY_HM =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    static final int TOP_DATACENTERS = 8;
    static final int TOP_MODELS = 6;

    /**
     * Complete hours the LEDGER section shows, and datacenters besides the fleet total per hour.
     */
    static final int LEDGER_HOURS = 3;

    static final int LEDGER_DATACENTERS = 3;

    /** Hours the GPU section shows, and models in its ratio line. */
    static final int GPU_HOURS = 2;

    static final int GPU_MODELS = 4;

    private ScreenRenderer() {}

    public static String render(ViewState s, Header h) {
        StringBuilder b = new StringBuilder(4096);
        long minuteEnd = s.newestEnd(WindowKind.MINUTE);
        String undecodable = s.undecodable() > 0 ? " | undecodable " + s.undecodable() : "";
        if (h.attached()) {
            // Attached to someone's Kafka: there is no generator or local cluster to report on.
            line(
                    b,
                    "carbonstream view | Kafka %s | results up to %s UTC",
                    h.bootstrap(),
                    minuteEnd == Long.MIN_VALUE
                            ? "- (none yet)"
                            : DAY_HM.format(Instant.ofEpochMilli(minuteEnd)));
            line(
                    b,
                    "read %,d aggregate records | late %,d | dead letters %,d%s",
                    s.aggregateRecords(),
                    s.lateEvents(),
                    s.deadLetters(),
                    undecodable);
        } else {
            line(
                    b,
                    "carbonstream demo | simulated %s UTC (x%s) | job %s | Ctrl-C to stop",
                    h.simNow() == Long.MIN_VALUE
                            ? "-"
                            : DAY_HM.format(Instant.ofEpochMilli(h.simNow())),
                    num(h.speed()),
                    h.jobStatus());
            line(b, "Flink UI %s | Kafka %s", h.webUrl(), h.bootstrap());
            line(
                    b,
                    "sent %,d requests (%s/s), %,d intensity updates | results up to %s | late %,d"
                            + " | dead letters %,d%s",
                    h.requestsSent(),
                    num(h.requestsPerSecond()),
                    h.updatesSent(),
                    minuteEnd == Long.MIN_VALUE
                            ? "- (pending)"
                            : HM.format(Instant.ofEpochMilli(minuteEnd)),
                    s.lateEvents(),
                    s.deadLetters(),
                    undecodable);
        }
        b.append('\n');
        intensity(b, s);
        b.append('\n');
        datacenters(b, s);
        b.append('\n');
        models(b, s);
        b.append('\n');
        summary(b, s);
        b.append('\n');
        ledger(b, s, h);
        b.append('\n');
        if (gpu(b, s, h)) b.append('\n');
        restatements(b, s);
        alerts(b, s);
        return b.toString();
    }

    private static void intensity(StringBuilder b, ViewState s) {
        line(
                b,
                "GRID INTENSITY gCO2e/kWh (latest per zone; est = estimate, not yet corrected;"
                        + " change over 1 h)");
        List<ViewState.ZoneReading> zones = s.zones();
        if (zones.isEmpty()) {
            line(b, "  (no intensity update yet)");
            return;
        }
        long newest = s.newestValidFrom();
        for (ViewState.ZoneReading z : zones) {
            long behind = newest - z.validFrom();
            // Zones publish every 5 or 15 minutes: 45 minutes behind the others means the feed is
            // down; an hourly
            // feed (--intensity-replay) is normally up to an hour behind.
            long silentAfter = Math.max(45 * 60_000L, s.updateInterval(z.zone()) * 7 / 4);
            String silent = behind >= silentAfter ? "  SILENT for " + duration(behind) : "";
            String change =
                    Double.isNaN(z.changeOverHour())
                            ? ""
                            : String.format(Locale.ROOT, "%+5.0f", z.changeOverHour());
            // Hour-to-hour rises of 100-140 g are what a real grid spike looks like (domain.md
            // section 4).
            String spike =
                    !Double.isNaN(z.changeOverHour()) && z.changeOverHour() >= 90 ? " SPIKE" : "";
            // A real feed's values (--intensity-replay) say where they come from; the simulated
            // ones do not.
            String source =
                    sourceLabel(z.source()).equals("simulated")
                            ? ""
                            : "  " + sourceLabel(z.source());
            line(
                    b,
                    "  %-12s %6.1f %-3s valid from %s %5s  %-16s%s%s%s",
                    z.zone(),
                    z.gPerKwh(),
                    z.estimated() ? "est" : "",
                    HM.format(Instant.ofEpochMilli(z.validFrom())),
                    change,
                    bar(z.gPerKwh()),
                    source,
                    spike,
                    silent);
        }
    }

    private static void datacenters(StringBuilder b, ViewState s) {
        List<Aggregate> minute = s.newest(WindowKind.MINUTE, Dimension.DATACENTER);
        List<Aggregate> hour = s.newest(WindowKind.ROLLING_HOUR, Dimension.DATACENTER);
        line(
                b,
                "TOP DATACENTERS by gCO2e    last minute %-13s | rolling hour %s",
                window(minute),
                window(hour));
        line(
                b,
                "  %-17s %-12s %7s %9s | %8s %10s %9s %9s",
                "datacenter",
                "zone",
                "req",
                "gCO2e",
                "req",
                "gCO2e",
                "kWh",
                "water L");
        Map<String, Aggregate> byDcMinute = new HashMap<>();
        for (Aggregate a : minute) byDcMinute.put(a.getDatacenterId(), a);
        Set<String> order = new LinkedHashSet<>();
        for (Aggregate a : hour) order.add(a.getDatacenterId());
        for (Aggregate a : minute) order.add(a.getDatacenterId());
        Map<String, Aggregate> byDcHour = new HashMap<>();
        for (Aggregate a : hour) byDcHour.put(a.getDatacenterId(), a);
        if (order.isEmpty())
            line(
                    b,
                    "  (no aggregates committed yet: they appear at each checkpoint once the"
                            + " watermark passes a minute)");
        int n = 0;
        for (String dc : order) {
            if (n++ == TOP_DATACENTERS) {
                line(b, "  ... %d more", order.size() - TOP_DATACENTERS);
                break;
            }
            Aggregate m = byDcMinute.get(dc);
            Aggregate hr = byDcHour.get(dc);
            line(
                    b,
                    "  %-17s %-12s %7s %9s | %8s %10s %9s %9s",
                    clip(dc, 17),
                    clip(s.zoneOf(dc), 12),
                    m == null ? "-" : String.format(Locale.ROOT, "%,d", m.getRequests()),
                    m == null ? "-" : grams(m.getLocationGco2e()),
                    hr == null ? "-" : String.format(Locale.ROOT, "%,d", hr.getRequests()),
                    hr == null ? "-" : grams(hr.getLocationGco2e()),
                    hr == null ? "-" : String.format(Locale.ROOT, "%.3f", hr.getFacilityKwh()),
                    hr == null ? "-" : String.format(Locale.ROOT, "%.2f", hr.getWaterL()));
        }
    }

    private static void models(StringBuilder b, ViewState s) {
        List<Aggregate> minute = s.newest(WindowKind.MINUTE, Dimension.MODEL);
        List<Aggregate> hour = s.newest(WindowKind.ROLLING_HOUR, Dimension.MODEL);
        line(b, "TOP MODELS by gCO2e         last minute %-13s | rolling hour", window(minute));
        line(
                b,
                "  %-17s %-12s %7s %9s | %8s %10s %9s %9s",
                "model",
                "metered",
                "req",
                "gCO2e",
                "req",
                "gCO2e",
                "kWh",
                "g/req");
        Map<String, Aggregate> byModelMinute = new HashMap<>();
        for (Aggregate a : minute) byModelMinute.put(a.getModelId(), a);
        int n = 0;
        for (Aggregate hr : hour) {
            if (n++ == TOP_MODELS) {
                line(b, "  ... %d more", hour.size() - TOP_MODELS);
                break;
            }
            Aggregate m = byModelMinute.get(hr.getModelId());
            line(
                    b,
                    "  %-17s %-12s %7s %9s | %8s %10s %9.3f %9s",
                    clip(hr.getModelId(), 17),
                    // Metered: the events' own measurements and the GPU counters' energy attributed
                    // to requests.
                    String.format(
                            Locale.ROOT,
                            "%.0f%% energy",
                            100 * (hr.getMeasuredEnergyShare() + hr.getMeteredAttributedShare())),
                    m == null ? "-" : String.format(Locale.ROOT, "%,d", m.getRequests()),
                    m == null ? "-" : grams(m.getLocationGco2e()),
                    String.format(Locale.ROOT, "%,d", hr.getRequests()),
                    grams(hr.getLocationGco2e()),
                    hr.getFacilityKwh(),
                    hr.getRequests() > 0 ? grams(hr.getLocationGco2e() / hr.getRequests()) : "-");
        }
        if (hour.isEmpty()) line(b, "  (none yet)");
    }

    private static void summary(StringBuilder b, ViewState s) {
        ViewState.Totals t =
                ViewState.Totals.of(s.newest(WindowKind.ROLLING_HOUR, Dimension.DATACENTER));
        ViewState.PerUnit u = s.perUnit();
        line(
                b,
                "ROLLING HOUR  %,d requests, %.2f kWh, %s CO2e, %.1f L water; mean %s gCO2e/kWh",
                t.requests(),
                t.kwh(),
                grams(t.grams()),
                t.waterL(),
                t.kwh() > 0 ? String.format(Locale.ROOT, "%.0f", t.grams() / t.kwh()) : "-");
        line(
                b,
                "  gCO2e per 1k tokens %s | per image %s | per generated video/audio second %s",
                unit(u.gPer1kTokens()),
                unit(u.gPerImage()),
                unit(u.gPerMediaSecond()));
        line(
                b,
                "  estimated (not metered) GPU energy %.0f%% | priced with FALLBACK intensity"
                        + " %.1f%% | STALE %.1f%%",
                100 * t.estimatedShare(),
                t.kwh() > 0 ? 100 * t.fallbackKwh() / t.kwh() : 0.0,
                t.kwh() > 0 ? 100 * t.staleKwh() / t.kwh() : 0.0);
    }

    /**
     * The hourly Scope 2 ledger of the last complete hours: the fleet, and the datacenters that had
     * certificates (the PPAs' datacenters), matched vs unmatched load, surplus, location- vs
     * market-based emissions.
     */
    private static void ledger(StringBuilder b, ViewState s, Header h) {
        line(
                b,
                "LEDGER hourly Scope 2: kWh; gCO2e location-based vs market-based%s",
                h.attached()
                        ? ""
                        : String.format(
                                Locale.ROOT, " (%,d PPA deliveries sent)", h.certificatesSent()));
        List<Long> hours = s.ledgerHours(LEDGER_HOURS);
        if (hours.isEmpty()) {
            line(
                    b,
                    "  (no complete hour yet: a row appears once the watermark has passed the"
                            + " hour)");
            return;
        }
        // The datacenters that had certificates in any of the hours shown, so each hour shows the
        // same ones.
        Set<String> covered = new java.util.TreeSet<>();
        for (long hour : hours) {
            for (io.carbonstream.schema.LedgerEntry e : s.ledgerRows(hour))
                if (e.getCertificates() > 0) covered.add(e.getDatacenterId());
        }
        List<String> shown = covered.stream().limit(LEDGER_DATACENTERS).toList();
        line(
                b,
                "  %-5s  %-19s %8s %8s %9s  %-10s %8s %9s %9s",
                "hour",
                "datacenter",
                "facility",
                "matched",
                "unmatched",
                "matched",
                "surplus",
                "location",
                "market");
        String residual = null;
        for (long hour : hours) {
            List<io.carbonstream.schema.LedgerEntry> rows = s.ledgerRows(hour);
            double kwh = 0, matched = 0, unmatched = 0, surplus = 0, location = 0, market = 0;
            for (io.carbonstream.schema.LedgerEntry e : rows) {
                kwh += e.getFacilityKwh();
                matched += e.getMatchedKwh();
                unmatched += e.getUnmatchedKwh();
                surplus += e.getSurplusKwh();
                location += e.getLocationGco2e();
                market += e.getMarketGco2e();
                if (residual == null && e.getResidualMixSource().startsWith("TABLE:"))
                    residual = e.getResidualMixSource().substring(6);
            }
            ledgerLine(
                    b,
                    HM.format(Instant.ofEpochMilli(hour)),
                    "fleet (" + rows.size() + " dc)",
                    kwh,
                    matched,
                    unmatched,
                    surplus,
                    location,
                    market);
            for (String dc : shown) {
                io.carbonstream.schema.LedgerEntry e =
                        rows.stream()
                                .filter(x -> x.getDatacenterId().equals(dc))
                                .findFirst()
                                .orElse(null);
                if (e == null) continue;
                ledgerLine(
                        b,
                        "",
                        dc + (e.getCertificates() > 0 ? " PPA" : ""),
                        e.getFacilityKwh(),
                        e.getMatchedKwh(),
                        e.getUnmatchedKwh(),
                        e.getSurplusKwh(),
                        e.getLocationGco2e(),
                        e.getMarketGco2e());
            }
        }
        // Matched means the same hour and grid; the demo's PPAs convey 0 g/kWh.
        line(
                b,
                "  market: PPAs 0 g, rest at residual mix%s",
                residual == null ? " or grid average" : ": " + clip(residual, 56));
    }

    private static void ledgerLine(
            StringBuilder b,
            String hour,
            String label,
            double kwh,
            double matched,
            double unmatched,
            double surplus,
            double location,
            double market) {
        line(
                b,
                "  %-5s  %-19s %8.3f %8.3f %9.3f  %-10s %8.3f %9s %9s",
                hour,
                clip(label, 19),
                kwh,
                matched,
                unmatched,
                share(kwh > 0 ? matched / kwh : 0),
                surplus,
                grams(location),
                grams(market));
    }

    /** Ten characters: one # per tenth of the load matched. */
    static String share(double fraction) {
        int n = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 10);
        if (n == 0 && fraction > 0) n = 1;
        return "#".repeat(n) + ".".repeat(10 - n);
    }

    /**
     * Metered GPU energy per datacenter and hour, and the metered/estimated ratio per model;
     * nothing when no counter reports.
     */
    private static boolean gpu(StringBuilder b, ViewState s, Header h) {
        List<Long> hours = s.gpuHours(GPU_HOURS);
        if (hours.isEmpty() && h.gpuReadingsSent() == 0) return false;
        long resets = s.gpuResets();
        String resetNote =
                resets > 0
                        ? String.format(
                                Locale.ROOT, "%d counter reset%s", resets, resets == 1 ? "" : "s")
                        : "";
        if (h.attached())
            line(
                    b,
                    "GPU ENERGY metered by counters, kWh%s",
                    resetNote.isEmpty() ? "" : " (" + resetNote + ")");
        else
            line(
                    b,
                    "GPU ENERGY metered by counters, kWh (%,d readings sent%s)",
                    h.gpuReadingsSent(),
                    resetNote.isEmpty() ? "" : "; " + resetNote);
        if (hours.isEmpty()) {
            line(
                    b,
                    "  (none from the job yet: a GPU hour is final once the readings after it are"
                            + " past the longest request)");
            return true;
        }
        line(
                b,
                "  %-5s  %-17s %5s %10s %11s %10s %6s %7s %5s",
                "hour",
                "datacenter",
                "GPUs",
                "metered",
                "attributed",
                "idle",
                "idle%",
                "resets",
                "gaps");
        for (long hour : hours) {
            for (io.carbonstream.schema.GpuAttribution a :
                    s.gpuRecords(io.carbonstream.schema.GpuAttributionType.DATACENTER_HOUR, hour)) {
                line(
                        b,
                        "  %-5s  %-17s %5d %10.3f %11.3f %10.3f %5.0f%% %7d %5d",
                        HM.format(Instant.ofEpochMilli(hour)),
                        clip(a.getDatacenterId(), 17),
                        a.getGpus(),
                        a.getMeteredJ() / 3.6e6,
                        a.getAttributedJ() / 3.6e6,
                        a.getIdleJ() / 3.6e6,
                        a.getMeteredJ() > 0 ? 100 * a.getIdleJ() / a.getMeteredJ() : 0.0,
                        a.getResets(),
                        a.getGaps());
            }
        }
        List<io.carbonstream.schema.GpuAttribution> models =
                s.gpuRecords(io.carbonstream.schema.GpuAttributionType.MODEL_HOUR, hours.get(0));
        StringBuilder m = new StringBuilder();
        int n = 0;
        for (io.carbonstream.schema.GpuAttribution a : models) {
            if (a.getMeteredToEstimated() == null) continue;
            String item =
                    String.format(
                            Locale.ROOT,
                            "%s%s x%.2f",
                            m.length() == 0 ? "" : " | ",
                            clip(a.getModelId(), 16),
                            a.getMeteredToEstimated());
            if (n++ == GPU_MODELS || m.length() + item.length() > 70) break;
            m.append(item);
        }
        line(
                b,
                "  metered/estimated %s: %s",
                HM.format(Instant.ofEpochMilli(hours.get(0))),
                m.length() == 0 ? "-" : m);
        return true;
    }

    /**
     * Corrections of intensity or registry that re-priced windows already emitted: the newest few.
     */
    private static void restatements(StringBuilder b, ViewState s) {
        Map<RestatementStatus, Long> counts = s.restatements();
        if (counts.isEmpty()) return;
        long applied =
                counts.getOrDefault(RestatementStatus.APPLIED, 0L)
                        + counts.getOrDefault(RestatementStatus.PARTIALLY_APPLIED, 0L);
        line(
                b,
                "RESTATEMENTS  %,d corrections re-priced emitted windows (new revisions)%s; newest"
                        + " by source:",
                applied,
                counts.containsKey(RestatementStatus.NOT_APPLIED)
                        ? String.format(
                                Locale.ROOT,
                                ", %,d too old",
                                counts.get(RestatementStatus.NOT_APPLIED))
                        : "");
        for (Restatement r : s.recentRestatements()) {
            String subject =
                    r.getKind() == CorrectionKind.INTENSITY
                            ? r.getZone() + " g/kWh"
                            : r.getDatacenterId() + " PUE";
            line(
                    b,
                    "  %-22s from %s  %s -> %s  %-16s %s",
                    clip(subject, 22),
                    DAY_HM.format(r.getValidFrom()),
                    r.getOldValue() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.1f", r.getOldValue()),
                    String.format(Locale.ROOT, "%.1f", r.getNewValue()),
                    sourceLabel(r.getNewSource()),
                    r.getStatus());
        }
        b.append('\n');
    }

    private static void alerts(StringBuilder b, ViewState s) {
        List<Alert> active = s.activeAlerts();
        if (active.isEmpty()) {
            line(b, "ALERTS  none");
            return;
        }
        line(b, "ALERTS  %d active", active.size());
        for (Alert a : active.subList(0, Math.min(6, active.size()))) {
            // The subject is a zone or a datacenter; list the exposed datacenters other than the
            // subject itself.
            String exposed =
                    a.getDatacenters().stream()
                            .map(d -> d.getDatacenterId())
                            .filter(d -> !d.equals(a.getSubject()))
                            .collect(java.util.stream.Collectors.joining(","));
            String unit =
                    a.getKind() == io.carbonstream.schema.AlertKind.EMISSION_BUDGET
                            ? "g/h"
                            : "g/kWh";
            String head =
                    String.format(
                            Locale.ROOT,
                            "  %-15s %-15s since %s  %.0f %s (threshold %.0f)  extra %s/h",
                            a.getKind(),
                            clip(a.getSubject(), 15),
                            HM.format(a.getStartedAt()),
                            a.getValue(),
                            unit,
                            a.getThreshold(),
                            grams(a.getExtraGPerHour()));
            // Which datacenters a grid spike costs, as far as the line has room.
            line(
                    b,
                    "%s",
                    exposed.isEmpty() || head.length() > 90
                            ? head
                            : head + "  " + clip(exposed, 98 - head.length()));
        }
    }

    private static String window(List<Aggregate> as) {
        if (as.isEmpty()) return "";
        Aggregate a = as.get(0);
        return HM.format(a.getWindowStart()) + "-" + HM.format(a.getWindowEnd());
    }

    /** A bar of one block per 50 gCO2e/kWh: a glance shows Poland against Sweden. */
    static String bar(double g) {
        int n = (int) Math.min(16, Math.round(g / 50));
        return "#".repeat(Math.max(g > 0 ? 1 : 0, n));
    }

    static String grams(double g) {
        if (Double.isNaN(g)) return "-";
        if (Math.abs(g) >= 1_000_000) return String.format(Locale.ROOT, "%.2f t", g / 1e6);
        if (Math.abs(g) >= 1_000) return String.format(Locale.ROOT, "%.2f kg", g / 1e3);
        if (Math.abs(g) >= 1) return String.format(Locale.ROOT, "%.1f g", g);
        return String.format(Locale.ROOT, "%.3f g", g);
    }

    static String unit(double g) {
        return Double.isNaN(g) ? "-" : grams(g);
    }

    static String num(double d) {
        return d == Math.rint(d)
                ? String.format(Locale.ROOT, "%d", (long) d)
                : String.format(Locale.ROOT, "%.1f", d);
    }

    static String duration(long ms) {
        long m = ms / 60_000;
        return m >= 60
                ? (m / 60) + "h" + String.format(Locale.ROOT, "%02d", m % 60) + "m"
                : m + "m";
    }

    /**
     * A record's source in 16 columns: "simulated" for the demo's generator, else the feed's own
     * name.
     */
    static String sourceLabel(String source) {
        if (source == null) return "";
        return source.startsWith("carbonstream-demo") ? "simulated" : clip(source, 16);
    }

    private static String clip(String s, int n) {
        if (s == null) return "";
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    private static void line(StringBuilder b, String fmt, Object... args) {
        b.append(String.format(Locale.ROOT, fmt, args)).append('\n');
    }
}
