package io.carbonstream.connect.carbonintensity;

import com.fasterxml.jackson.databind.JsonNode;
import io.carbonstream.connect.common.FetchUnit;
import io.carbonstream.connect.common.ForecastIssue;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The half-hourly series of the UK Carbon Intensity API. Two stages per series, each with its
 * source partition and a cursor (the last half-hour it published, "valid_from"): the estimate stage
 * publishes a half-hour's forecast, estimated=true, once the half-hour has started and while it has
 * no actual; the actual stage (national series only: the regional endpoint has no actual) publishes
 * actuals in order, estimated=false, as the correction of the estimate (same zone and valid_from,
 * later updated_at). The API gives no update time: updated_at is the time the connector saw the
 * value. Half-hours ahead of now go to the forecast topic on their own cadence.
 */
public class CarbonIntensityUkSourceTask extends PollingSourceTask<CarbonIntensityUkConfig> {
    static final String SOURCE = "carbonintensity.org.uk";
    static final String SIGNAL = "average";
    static final String ESTIMATION_METHOD = "FORECAST";
    static final Duration HALF_HOUR = Duration.ofMinutes(30);

    public CarbonIntensityUkSourceTask() {
        super();
    }

    public CarbonIntensityUkSourceTask(Clock clock, Sleeper sleeper, Random random) {
        super(clock, sleeper, random);
    }

    @Override
    protected CarbonIntensityUkConfig configure(Map<String, String> props) {
        return new CarbonIntensityUkConfig(props);
    }

    @Override
    protected List<FetchUnit> valueUnits(String item) {
        return List.of(new SeriesUnit(item));
    }

    @Override
    protected FetchUnit forecastUnit(String item) {
        return new ForecastUnit(item);
    }

    @Override
    protected String authFailureMessage(HttpFailure f, FetchUnit unit) {
        return "The UK Carbon Intensity API answered "
                + f.status()
                + " to "
                + f.endpoint()
                + ": it needs no key, so a proxy or the "
                + "base URL is in the way. Check "
                + CarbonIntensityUkConfig.BASE_URL
                + ", then restart the task.";
    }

    record Period(Instant from, Instant to, Double forecast, Double actual) {}

    static boolean national(String item) {
        return CarbonIntensityUkConfig.NATIONAL_ITEM.equals(item);
    }

    /** Half-hours of [from, to) as the API returns them, in order. */
    List<Period> fetch(String item, Instant from, Instant to) throws InterruptedException {
        String range = Times.MINUTES_UTC.format(from) + "/" + Times.MINUTES_UTC.format(to);
        URI u =
                URI.create(
                        config.baseUrl()
                                + (national(item)
                                        ? "/intensity/" + range
                                        : "/regional/intensity/" + range + "/regionid/" + item));
        JsonNode body = http.get(u, Map.of());
        JsonNode data = body.get("data");
        if (!national(item) && data != null) {
            // Regional: {"data": {"regionid": 13, ..., "data": [...]}} (the documented shape) or
            // the same in an array.
            JsonNode region = data.isArray() && data.size() > 0 ? data.get(0) : data;
            data = region.get("data");
        }
        if (data == null || !data.isArray())
            throw HttpFailure.malformed("GET " + u.getRawPath(), "no \"data\" array of half-hours");
        TreeMap<Instant, Period> out = new TreeMap<>();
        for (JsonNode n : data) {
            Instant f = Times.parseOrNull(n.path("from").asText(null));
            Instant t = Times.parseOrNull(n.path("to").asText(null));
            JsonNode intensity = n.path("intensity");
            Double forecast = Intensities.of(intensity.get("forecast"));
            Double actual = Intensities.of(intensity.get("actual"));
            if (f == null || t == null || !t.isAfter(f) || (forecast == null && actual == null)) {
                metrics.countInvalidPoint();
                continue;
            }
            out.put(f, new Period(f, t, forecast, actual));
        }
        return new ArrayList<>(out.values());
    }

    Map<String, Object> partition(String item, String stage) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connector", CarbonIntensityUkSourceConnector.KIND);
        p.put("zone", config.zoneOf(item));
        p.put("signal", SIGNAL);
        p.put("factor", config.factorType());
        p.put("endpoint", national(item) ? "intensity" : "regional");
        p.put("stage", stage);
        return p;
    }

    IntensityUpdate update(
            String zone, Instant validFrom, double value, boolean estimated, Instant seenAt) {
        return IntensityUpdate.newBuilder()
                .setZone(zone)
                .setValidFrom(validFrom)
                .setCarbonIntensity(value)
                .setMarginalIntensity(null)
                .setEstimated(estimated)
                .setSource(SOURCE)
                .setEmissionFactorType(config.factorType())
                .setSignal(SIGNAL)
                .setEstimationMethod(estimated ? ESTIMATION_METHOD : null)
                .setUpdatedAt(seenAt.truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    /** The estimate and actual stages of one series. */
    final class SeriesUnit extends FetchUnit {
        final String item;
        final String zone;
        final boolean hasActuals;
        final Map<String, Object> estimatePartition;
        final Map<String, Object> actualPartition;
        Instant estimatedUpTo;
        Instant actualUpTo;

        SeriesUnit(String item) {
            super("carbonintensity " + config.zoneOf(item));
            this.item = item;
            this.zone = config.zoneOf(item);
            this.hasActuals = national(item);
            this.estimatePartition = partition(item, "estimate");
            this.actualPartition = partition(item, "actual");
        }

        @Override
        public List<Map<String, Object>> partitions() {
            return hasActuals
                    ? List.of(estimatePartition, actualPartition)
                    : List.of(estimatePartition);
        }

        @Override
        public void restore(Map<Map<String, Object>, Map<String, Object>> offsets, Instant now) {
            Instant start = now.minus(config.lookback());
            Instant e = instant(offsets.get(estimatePartition), "valid_from");
            Instant a = instant(offsets.get(actualPartition), "valid_from");
            estimatedUpTo = e != null ? e : start;
            actualUpTo = a != null ? a : start;
        }

        @Override
        public Duration interval() {
            return config.pollInterval();
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            Instant start = hasActuals ? Times.min(estimatedUpTo, actualUpTo) : estimatedUpTo;
            Instant target = now.plus(HALF_HOUR);
            Instant end = Times.min(target, start.plus(config.page()));
            List<Period> periods = fetch(item, start.truncatedTo(ChronoUnit.MINUTES), end);

            Instant e = estimatedUpTo;
            Instant a = actualUpTo;
            boolean actualsBlocked = !hasActuals;
            Instant passOver = now.minus(config.actualWait());
            List<SourceRecord> out = new ArrayList<>();
            for (Period p : periods) {
                boolean actualNow = false;
                if (!actualsBlocked && p.from().isAfter(a)) {
                    if (p.actual() != null) {
                        a = p.from();
                        actualNow = true;
                        out.add(record(p, p.actual(), false, now));
                    } else if (!p.to().isAfter(passOver)) {
                        a = p.from(); // a hole older than actual.wait: its estimate stands
                    } else {
                        actualsBlocked =
                                true; // later actuals wait for this one (published in order)
                    }
                }
                if (p.from().isAfter(e) && !p.from().isAfter(now)) {
                    e = p.from();
                    boolean actualPublished =
                            actualNow || (hasActuals && p.actual() != null && !p.from().isAfter(a));
                    if (!actualPublished && p.forecast() != null) {
                        out.add(record(p, p.forecast(), true, now));
                    }
                }
            }
            boolean catchingUp = end.isBefore(target);
            if (catchingUp) {
                // Every half-hour starting before `end` was in this page: one not published is a
                // gap of the source.
                if (!end.isAfter(now)) e = Times.max(e, end.minusMillis(1));
                if (hasActuals && !actualsBlocked && !end.isAfter(passOver))
                    a = Times.max(a, end.minusMillis(1));
            }
            estimatedUpTo = e;
            actualUpTo = a;
            boolean progressed = (hasActuals ? Times.min(e, a) : e).isAfter(start);
            // The next page at once while catching up and moving; otherwise (a young hole in the
            // actuals) the next turn.
            nextTurn(now, catchingUp && progressed);
            return out;
        }

        /**
         * The record of half-hour {@code p} at {@code value}: an estimate or an actual, in its
         * stage's partition with the half-hour as its offset.
         */
        private SourceRecord record(Period p, double value, boolean estimated, Instant now) {
            return IntensityRecords.update(
                    estimated ? estimatePartition : actualPartition,
                    Map.of("valid_from", p.from().toEpochMilli()),
                    config.topic(),
                    update(zone, p.from(), value, estimated, now));
        }
    }

    /** The half-hours ahead of now, to the forecast topic. */
    final class ForecastUnit extends OnePartitionUnit {
        final String item;
        final String zone;

        ForecastUnit(String item) {
            super(
                    "carbonintensity forecast " + config.zoneOf(item),
                    partition(item, "forecast"),
                    "forecast_made_at");
            this.item = item;
            this.zone = config.zoneOf(item);
        }

        @Override
        protected void resume(Instant last, Instant now) {
            if (last != null) dueAt = last.plus(interval());
        }

        @Override
        public Duration interval() {
            return config.forecastInterval();
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            List<Period> periods =
                    fetch(
                            item,
                            now.truncatedTo(ChronoUnit.MINUTES),
                            now.plus(config.forecastHorizon()));
            Instant madeAt = now.truncatedTo(ChronoUnit.MILLIS);
            ForecastIssue issue =
                    issue(
                            config.forecastTopic(),
                            new ForecastIssue.Series(zone, SIGNAL, config.factorType(), SOURCE),
                            madeAt);
            List<SourceRecord> out = new ArrayList<>();
            for (Period p : periods) {
                if (!p.from().isAfter(now) || p.forecast() == null) continue;
                out.add(issue.interval(p.from(), p.to(), p.forecast()));
            }
            nextTurn(now);
            return out;
        }
    }
}
