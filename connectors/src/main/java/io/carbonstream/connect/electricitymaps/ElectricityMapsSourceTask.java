package io.carbonstream.connect.electricitymaps;

import static io.carbonstream.connect.common.HttpJson.enc;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbonstream.connect.common.Durations;
import io.carbonstream.connect.common.FetchUnit;
import io.carbonstream.connect.common.ForecastIssue;
import io.carbonstream.connect.common.ForecastIssueUnit;
import io.carbonstream.connect.common.HttpFailure;
import io.carbonstream.connect.common.Intensities;
import io.carbonstream.connect.common.IntensityRecords;
import io.carbonstream.connect.common.OnePartitionUnit;
import io.carbonstream.connect.common.PollingSourceTask;
import io.carbonstream.connect.common.Sleeper;
import io.carbonstream.connect.common.Times;
import io.carbonstream.schema.IntensityUpdate;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches Electricity Maps values for its zones, per emission-factor type, in stages that split the
 * versions of each value between them, so that every version is published once, by one stage, and a
 * restart repeats nothing.
 *
 * <p>A value's version is made at updatedAt. For a datetime D, the live stage owns the versions
 * made up to D + live horizon (h): it publishes what /latest returns as it changes, and, once D is
 * older than h, looks at D once more with /past-range (the value may have changed after latest
 * moved on, or latest may never have shown D: a gap). Refetch stage k owns the versions made in (D
 * + age(k-1), D + age(k)] (age(0) = h) and looks at D once, at D + age(k) or later, with
 * /past-range. A stage that looks late sees a version it does not own: it leaves it to the next
 * stage, which will see it (or a later one). Versions made after the last age are never published.
 *
 * <p>Source partitions: {connector, zone, signal, factor, endpoint[, age]}. The live offset holds
 * closed_until (every datetime before it was looked at after its horizon), the newest
 * valid_from/updated_at published and, for the datetimes not yet closed (a few hours), the
 * updated_at published per datetime ("u.&lt;epoch ms&gt;"). A refetch offset holds the last
 * valid_from/updated_at it published: it resumes after that datetime.
 */
public class ElectricityMapsSourceTask extends PollingSourceTask<ElectricityMapsConfig> {
    private static final Logger LOG = LoggerFactory.getLogger(ElectricityMapsSourceTask.class);
    static final String SOURCE = ElectricityMapsResponses.SOURCE;
    static final String SIGNAL = ElectricityMapsResponses.SIGNAL;

    /**
     * The live stage closes datetimes in batches of at least this much, one past-range request
     * each.
     */
    static final Duration CLOSE_EVERY = Duration.ofHours(1);

    /**
     * After this many malformed answers for the same time range, a stage gives that range up
     * (logged).
     */
    static final int MALFORMED_GIVE_UP = 3;

    static final int LEDGER_CAP = 2000;

    private Map<String, String> headers;

    public ElectricityMapsSourceTask() {
        super();
    }

    public ElectricityMapsSourceTask(Clock clock, Sleeper sleeper, Random random) {
        super(clock, sleeper, random);
    }

    @Override
    protected ElectricityMapsConfig configure(Map<String, String> props) {
        ElectricityMapsConfig c = new ElectricityMapsConfig(props);
        String token = c.token().value();
        redactor.add(token);
        headers = Map.of("auth-token", token);
        return c;
    }

    @Override
    protected List<FetchUnit> valueUnits(String zone) {
        List<FetchUnit> units = new ArrayList<>();
        for (String factor : config.factorTypes()) {
            units.add(new LiveUnit(zone, factor));
            Duration lower = config.liveHorizon();
            for (Duration age : config.refetchAges()) {
                units.add(new RefetchUnit(zone, factor, lower, age));
                lower = age;
            }
        }
        return units;
    }

    @Override
    protected FetchUnit forecastUnit(String zone) {
        return new ForecastUnit(zone, config.forecastFactorType());
    }

    @Override
    protected String authFailureMessage(HttpFailure f, FetchUnit unit) {
        if (f.status() == 401) {
            return "Electricity Maps answered 401 Unauthorized to "
                    + f.endpoint()
                    + ": the API token is missing, wrong or expired. "
                    + "Fix "
                    + ElectricityMapsConfig.API_TOKEN
                    + " (e.g. the file or environment variable its config provider reads), then"
                    + " restart the task.";
        }
        return "Electricity Maps answered 403 Forbidden to "
                + f.endpoint()
                + ": the token is not allowed this endpoint or zone. "
                + "Check "
                + ElectricityMapsConfig.API_TOKEN
                + " and "
                + ElectricityMapsConfig.ZONES
                + "; past-range and forecast need a "
                + "commercial plan (on the free plan set "
                + ElectricityMapsConfig.LIVE_HORIZON
                + "=0, "
                + ElectricityMapsConfig.REFETCH_AGES
                + "= and "
                + ElectricityMapsConfig.FORECAST_ENABLED
                + "=false), then restart the task.";
    }

    // ------------------------------------------------------------------------------------------------ requests

    private URI uri(String path, String zone, String factor, String extra) {
        return URI.create(
                config.baseUrl()
                        + "/v3/carbon-intensity/"
                        + path
                        + "?zone="
                        + enc(zone)
                        + extra
                        + "&emissionFactorType="
                        + enc(factor));
    }

    /** Points of a past-range answer within [start, end), in datetime order. */
    private List<EmPoint> pastRange(String zone, String factor, Instant start, Instant end)
            throws InterruptedException {
        URI u =
                uri(
                        "past-range",
                        zone,
                        factor,
                        "&start=" + enc(Times.iso(start)) + "&end=" + enc(Times.iso(end)));
        JsonNode body = http.get(u, headers);
        JsonNode data = body.get("data");
        if (data == null || !data.isArray())
            throw HttpFailure.malformed("GET " + u.getRawPath(), "no \"data\" array");
        return ElectricityMapsResponses.points(data, start, end, metrics::countInvalidPoint);
    }

    private static EmPoint newer(EmPoint a, EmPoint b) {
        return ElectricityMapsResponses.newer(a, b);
    }

    private static IntensityUpdate update(String zone, String factor, EmPoint p) {
        return ElectricityMapsResponses.update(zone, factor, p);
    }

    static Map<String, Object> partition(
            String zone, String factor, String endpoint, Duration age) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connector", ElectricityMapsSourceConnector.KIND);
        p.put("zone", zone);
        p.put("signal", SIGNAL);
        p.put("factor", factor);
        p.put("endpoint", endpoint);
        if (age != null) p.put("age", Durations.format(age));
        return p;
    }

    // ------------------------------------------------------------------------------------------------ live

    /** /latest on its cadence, and a closing look with /past-range at each datetime's horizon. */
    final class LiveUnit extends FetchUnit {
        final String zone;
        final String factor;
        final Map<String, Object> partition;
        Instant closedUntil;
        TreeMap<Instant, Instant> ledger = new TreeMap<>();
        Instant lastValidFrom;
        Instant lastUpdatedAt;
        int malformedStreak;

        /**
         * Close whatever is open at once: at start (after a restart or a downtime) and while pages
         * remain.
         */
        boolean catchUp = true;

        LiveUnit(String zone, String factor) {
            super("electricitymaps live " + zone + "/" + factor);
            this.zone = zone;
            this.factor = factor;
            this.partition = partition(zone, factor, "latest", null);
        }

        @Override
        public List<Map<String, Object>> partitions() {
            return List.of(partition);
        }

        @Override
        public void restore(Map<Map<String, Object>, Map<String, Object>> offsets, Instant now) {
            Map<String, Object> o = offsets.get(partition);
            if (o == null) return;
            closedUntil = instant(o, "closed_until");
            lastValidFrom = instant(o, "valid_from");
            lastUpdatedAt = instant(o, "updated_at");
            o.forEach(
                    (k, v) -> {
                        if (k.startsWith("u.") && v instanceof Number n)
                            ledger.put(
                                    Instant.ofEpochMilli(Long.parseLong(k.substring(2))),
                                    Instant.ofEpochMilli(n.longValue()));
                    });
        }

        @Override
        public Duration interval() {
            return config.latestInterval();
        }

        private boolean owns(EmPoint p, Duration horizon) {
            return horizon.isZero() || !p.version().isAfter(p.datetime().plus(horizon));
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            Duration horizon = config.liveHorizon();
            URI latestUri = uri("latest", zone, factor, "");
            JsonNode latestJson = http.get(latestUri, headers);
            if (!latestJson.isObject() || !latestJson.has("datetime")) {
                throw HttpFailure.malformed(
                        "GET " + latestUri.getRawPath(), "no \"datetime\" in the latest answer");
            }
            EmPoint latest = EmPoint.parse(latestJson);
            if (latest == null) metrics.countInvalidPoint();

            Instant closeTo = now.minus(horizon);
            Instant c =
                    closedUntil != null
                            ? closedUntil
                            : latest == null ? closeTo : Times.min(closeTo, latest.datetime());
            Instant closedAfter = c;
            boolean more = false;
            List<EmPoint> closing = List.of();
            Duration open = Duration.between(c, closeTo);
            if (!horizon.isZero()
                    && open.compareTo(Duration.ZERO) > 0
                    && (catchUp || open.compareTo(CLOSE_EVERY) >= 0)) {
                Instant end = Times.min(closeTo, c.plus(config.page()));
                try {
                    closing = pastRange(zone, factor, c, end);
                    malformedStreak = 0;
                    closedAfter = end;
                    more = end.isBefore(closeTo);
                } catch (HttpFailure f) {
                    if (f.kind() != HttpFailure.Kind.MALFORMED
                            && f.kind() != HttpFailure.Kind.CLIENT) throw f;
                    if (f.kind() == HttpFailure.Kind.MALFORMED) metrics.countMalformed();
                    malformedStreak++;
                    if (malformedStreak >= MALFORMED_GIVE_UP) {
                        LOG.warn(
                                "{}: {}; gave up closing [{}, {}) after {} attempts",
                                this,
                                redactor.redact(f.getMessage()),
                                c,
                                end,
                                malformedStreak);
                        closedAfter = end;
                        malformedStreak = 0;
                    } else {
                        LOG.warn(
                                "{}: {}; the closing look at [{}, {}) is retried next turn",
                                this,
                                redactor.redact(f.getMessage()),
                                c,
                                end);
                    }
                }
            }

            TreeMap<Instant, EmPoint> candidates = new TreeMap<>();
            for (EmPoint p : closing) {
                if (owns(p, horizon))
                    candidates.merge(p.datetime(), p, ElectricityMapsSourceTask::newer);
            }
            if (latest != null && !latest.datetime().isBefore(c)) {
                if (owns(latest, horizon)) {
                    candidates.merge(latest.datetime(), latest, ElectricityMapsSourceTask::newer);
                } else {
                    LOG.debug(
                            "{}: latest {} was made after its live horizon; a refetch stage"
                                    + " publishes it",
                            this,
                            latest);
                }
            }

            TreeMap<Instant, Instant> working = new TreeMap<>(ledger);
            Instant newestFrom = lastValidFrom;
            Instant newestAt = lastUpdatedAt;
            List<SourceRecord> out = new ArrayList<>();
            for (EmPoint p : candidates.values()) {
                Instant published = working.get(p.datetime());
                if (published != null && !p.version().isAfter(published)) continue;
                working.put(p.datetime(), p.version());
                if (newestFrom == null || !p.datetime().isBefore(newestFrom)) {
                    newestFrom = p.datetime();
                    newestAt = p.version();
                }
                Instant closedAt = Times.min(p.datetime(), closedAfter);
                Map<String, Object> offset = new LinkedHashMap<>();
                offset.put("closed_until", closedAt.toEpochMilli());
                offset.put("valid_from", newestFrom.toEpochMilli());
                offset.put("updated_at", newestAt.toEpochMilli());
                working.tailMap(closedAt, true)
                        .forEach((d, u) -> offset.put("u." + d.toEpochMilli(), u.toEpochMilli()));
                out.add(
                        IntensityRecords.update(
                                partition, offset, config.topic(), update(zone, factor, p)));
            }

            // Commit the state only now: every request above succeeded.
            closedUntil = closedAfter;
            ledger = new TreeMap<>(working.tailMap(closedAfter, true));
            while (ledger.size() > LEDGER_CAP) ledger.pollFirstEntry();
            lastValidFrom = newestFrom;
            lastUpdatedAt = newestAt;
            catchUp = more;
            nextTurn(now, more);
            return out;
        }
    }

    // ------------------------------------------------------------------------------------------------ refetch

    /** /past-range at one age: each datetime looked at once, when it reached the age (or later). */
    final class RefetchUnit extends OnePartitionUnit {
        final String zone;
        final String factor;
        final Duration lower;
        final Duration age;
        Instant cursor;
        int malformedStreak;

        RefetchUnit(String zone, String factor, Duration lower, Duration age) {
            super(
                    "electricitymaps refetch +" + Durations.format(age) + " " + zone + "/" + factor,
                    partition(zone, factor, "past-range", age),
                    "valid_from");
            this.zone = zone;
            this.factor = factor;
            this.lower = lower;
            this.age = age;
        }

        @Override
        protected void resume(Instant last, Instant now) {
            if (last != null) {
                cursor = last.plusMillis(1);
            } else {
                Instant start = config.refetchStart();
                cursor = start != null ? start : now.minus(age);
            }
        }

        @Override
        public Duration interval() {
            return config.refetchInterval();
        }

        @Override
        public void skipTurn(Instant now) {
            super.skipTurn(now);
            if (++malformedStreak >= MALFORMED_GIVE_UP) {
                Instant end = Times.min(now.minus(age), cursor.plus(config.page()));
                LOG.warn(
                        "{}: gave up on [{}, {}) after {} failed attempts; restatements in it are"
                                + " not collected",
                        this,
                        cursor,
                        end,
                        malformedStreak);
                cursor = Times.max(cursor, end);
                malformedStreak = 0;
            }
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            Instant limit = now.minus(age);
            if (!cursor.isBefore(limit)) {
                nextTurn(now);
                return List.of();
            }
            Instant end = Times.min(limit, cursor.plus(config.page()));
            List<EmPoint> points = pastRange(zone, factor, cursor, end);
            List<SourceRecord> out = new ArrayList<>();
            for (EmPoint p : points) {
                boolean owned =
                        p.version().isAfter(p.datetime().plus(lower))
                                && !p.version().isAfter(p.datetime().plus(age));
                if (!owned) continue;
                Map<String, Object> offset = new LinkedHashMap<>();
                offset.put("valid_from", p.datetime().toEpochMilli());
                offset.put("updated_at", p.version().toEpochMilli());
                out.add(
                        IntensityRecords.update(
                                partition, offset, config.topic(), update(zone, factor, p)));
            }
            cursor = end;
            malformedStreak = 0;
            nextTurn(now, end.isBefore(limit));
            return out;
        }
    }

    // ------------------------------------------------------------------------------------------------ forecast

    /** /forecast: published when its updatedAt is newer than the last one published. */
    final class ForecastUnit extends ForecastIssueUnit {
        final String zone;
        final String factor;

        ForecastUnit(String zone, String factor) {
            super(
                    "electricitymaps forecast " + zone + "/" + factor,
                    partition(zone, factor, "forecast", null),
                    config);
            this.zone = zone;
            this.factor = factor;
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            URI u = uri("forecast", zone, factor, "");
            JsonNode body = http.get(u, headers);
            JsonNode forecast = body.get("forecast");
            if (forecast == null || !forecast.isArray())
                throw HttpFailure.malformed("GET " + u.getRawPath(), "no \"forecast\" array");
            Instant madeAt = Times.parseOrNull(EmPoint.text(body, "updatedAt"));
            if (madeAt == null) madeAt = now;
            if (!isNew(madeAt, now)) return List.of();
            TreeMap<Instant, Double> points = new TreeMap<>();
            for (JsonNode n : forecast) {
                Instant t = Times.parseOrNull(EmPoint.text(n, "datetime"));
                Double v = Intensities.of(n.get("carbonIntensity"));
                if (t == null || v == null) {
                    metrics.countInvalidPoint();
                    continue;
                }
                points.put(t, v);
            }
            Duration step =
                    smallestStep(points.navigableKeySet().stream().toList(), Duration.ofHours(1));
            ForecastIssue issue =
                    issue(
                            config.forecastTopic(),
                            new ForecastIssue.Series(zone, SIGNAL, factor, SOURCE),
                            madeAt);
            List<SourceRecord> out = new ArrayList<>();
            for (Map.Entry<Instant, Double> e : points.entrySet()) {
                Instant next = points.higherKey(e.getKey());
                out.add(
                        issue.interval(
                                e.getKey(),
                                next != null ? next : e.getKey().plus(step),
                                e.getValue()));
            }
            published(madeAt);
            return out;
        }
    }

    static Duration smallestStep(List<Instant> times, Duration fallback) {
        Duration best = null;
        for (int i = 1; i < times.size(); i++) {
            Duration d = Duration.between(times.get(i - 1), times.get(i));
            if (!d.isZero() && (best == null || d.compareTo(best) < 0)) best = d;
        }
        return best == null ? fallback : best;
    }
}
