package io.carbonstream.connect.watttime;

import static io.carbonstream.connect.common.HttpJson.enc;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Per region: /v3/historical polled from the last point published (offset "valid_from") to now, and
 * /v3/forecast published when its generated_at is new (offset "updated_at"). Login: GET /login with
 * basic auth gives a bearer token, renewed after watttime.token.ttl or a 401.
 */
public class WattTimeSourceTask extends PollingSourceTask<WattTimeConfig> {
    static final String SOURCE = "watttime";
    static final String SIGNAL = "marginal";

    /** 1 lb = 453.59237 g (exact, by definition); 1 MWh = 1000 kWh. */
    static final double G_PER_KWH_PER_LBS_PER_MWH = 453.59237 / 1000.0;

    private String token;
    private Instant tokenExpires = Instant.MIN;

    public WattTimeSourceTask() {
        super();
    }

    public WattTimeSourceTask(Clock clock, Sleeper sleeper, Random random) {
        super(clock, sleeper, random);
    }

    @Override
    protected WattTimeConfig configure(Map<String, String> props) {
        WattTimeConfig c = new WattTimeConfig(props);
        redactor.add(c.password().value());
        redactor.add(basic(c));
        return c;
    }

    @Override
    protected List<FetchUnit> valueUnits(String region) {
        return List.of(new HistoricalUnit(region));
    }

    @Override
    protected FetchUnit forecastUnit(String region) {
        return new ForecastUnit(region);
    }

    @Override
    protected String authFailureMessage(HttpFailure f, FetchUnit unit) {
        if (f.endpoint().startsWith("GET /login")) {
            return "WattTime refused the login (HTTP "
                    + f.status()
                    + "): check "
                    + WattTimeConfig.USERNAME
                    + " and "
                    + WattTimeConfig.PASSWORD
                    + " (e.g. the file or environment variable its config provider reads), then"
                    + " restart the task.";
        }
        return "WattTime answered "
                + f.status()
                + " to "
                + f.endpoint()
                + " after a fresh login: the account's plan does not cover this "
                + "region or signal. Check "
                + WattTimeConfig.REGIONS
                + " and "
                + WattTimeConfig.SIGNAL_TYPE
                + " (the free preview covers CAISO_NORTH only), then restart the task.";
    }

    private static String basic(WattTimeConfig c) {
        return Base64.getEncoder()
                .encodeToString(
                        (c.username() + ":" + c.password().value())
                                .getBytes(StandardCharsets.UTF_8));
    }

    private String token(Instant now) throws InterruptedException {
        if (token == null || !now.isBefore(tokenExpires)) {
            JsonNode body =
                    http.get(
                            URI.create(config.baseUrl() + "/login"),
                            Map.of("Authorization", "Basic " + basic(config)));
            JsonNode t = body.get("token");
            if (t == null || !t.isTextual() || t.asText().isEmpty())
                throw HttpFailure.malformed("GET /login", "no \"token\"");
            token = t.asText();
            redactor.add(token);
            tokenExpires = now.plus(config.tokenTtl());
        }
        return token;
    }

    /**
     * GET with the bearer token; after a 401, logs in once more and retries once (tokens expire
     * after 30 minutes).
     */
    private JsonNode get(URI uri, Instant now) throws InterruptedException {
        try {
            return http.get(uri, Map.of("Authorization", "Bearer " + token(now)));
        } catch (HttpFailure f) {
            if (f.kind() != HttpFailure.Kind.AUTH || f.status() != 401) throw f;
            token = null;
            return http.get(uri, Map.of("Authorization", "Bearer " + token(now)));
        }
    }

    /** g/kWh from a value in the response's units; null for units we do not know. */
    static Double toGramsPerKwh(double value, String units) {
        String u = units == null ? "lbs_co2_per_mwh" : units.toLowerCase(Locale.ROOT);
        return switch (u) {
            case "lbs_co2_per_mwh", "lbs/mwh" -> value * G_PER_KWH_PER_LBS_PER_MWH;
            case "kg_co2_per_mwh", "g_co2_per_kwh", "kg/mwh", "g/kwh" -> value;
            default -> null;
        };
    }

    /**
     * Points of a data answer, converted, by time. Throws MALFORMED if the shape or the units are
     * not the documented ones.
     */
    private TreeMap<Instant, Double> points(JsonNode body, String endpoint) {
        JsonNode data = body.get("data");
        if (data == null || !data.isArray())
            throw HttpFailure.malformed(endpoint, "no \"data\" array");
        String units = body.path("meta").path("units").asText(null);
        if (toGramsPerKwh(1, units) == null)
            throw HttpFailure.malformed(endpoint, "unknown units " + units);
        TreeMap<Instant, Double> out = new TreeMap<>();
        for (JsonNode n : data) {
            Instant t = Times.parseOrNull(n.path("point_time").asText(null));
            Double v = Intensities.of(n.get("value"));
            if (t == null || v == null) {
                metrics.countInvalidPoint();
                continue;
            }
            out.put(t, toGramsPerKwh(v, units));
        }
        return out;
    }

    Map<String, Object> partition(String region, String endpoint) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("connector", WattTimeSourceConnector.KIND);
        p.put("zone", config.zoneOf(region));
        p.put("region", region);
        p.put("signal", SIGNAL);
        p.put("signal_type", config.signalType());
        p.put("factor", config.factorType());
        p.put("endpoint", endpoint);
        return p;
    }

    final class HistoricalUnit extends OnePartitionUnit {
        final String region;
        final String zone;
        Instant after;

        HistoricalUnit(String region) {
            super("watttime historical " + region, partition(region, "historical"), "valid_from");
            this.region = region;
            this.zone = config.zoneOf(region);
        }

        @Override
        protected void resume(Instant last, Instant now) {
            after = last != null ? last : now.minus(config.lookback());
        }

        @Override
        public Duration interval() {
            return config.pollInterval();
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            Instant end = Times.min(now, after.plus(config.page()));
            if (!end.isAfter(after)) {
                nextTurn(now);
                return List.of();
            }
            URI u =
                    URI.create(
                            config.baseUrl()
                                    + "/v3/historical?region="
                                    + enc(region)
                                    + "&signal_type="
                                    + enc(config.signalType())
                                    + "&start="
                                    + enc(Times.iso(after))
                                    + "&end="
                                    + enc(Times.iso(end)));
            TreeMap<Instant, Double> points = points(get(u, now), "GET " + u.getRawPath());
            List<SourceRecord> out = new ArrayList<>();
            Instant last = after;
            for (Map.Entry<Instant, Double> e : points.tailMap(after, false).entrySet()) {
                if (e.getKey().isAfter(end)) break;
                last = e.getKey();
                IntensityUpdate rec =
                        IntensityUpdate.newBuilder()
                                .setZone(zone)
                                .setValidFrom(e.getKey())
                                .setCarbonIntensity(e.getValue())
                                .setMarginalIntensity(e.getValue())
                                .setEstimated(false)
                                .setSource(SOURCE)
                                .setEmissionFactorType(config.factorType())
                                .setSignal(SIGNAL)
                                .setEstimationMethod(null)
                                .setUpdatedAt(null)
                                .build();
                out.add(IntensityRecords.update(partition, offsetAt(last), config.topic(), rec));
            }
            boolean catchingUp = end.isBefore(now);
            // While catching up, an empty page (a gap of the source) is passed; at the head we wait
            // for the next point.
            after = catchingUp ? Times.max(last, end.minusMillis(1)) : last;
            nextTurn(now, catchingUp);
            return out;
        }
    }

    final class ForecastUnit extends ForecastIssueUnit {
        final String region;
        final String zone;

        ForecastUnit(String region) {
            super("watttime forecast " + region, partition(region, "forecast"), config);
            this.region = region;
            this.zone = config.zoneOf(region);
        }

        @Override
        public List<SourceRecord> run(Instant now) throws InterruptedException {
            URI u =
                    URI.create(
                            config.baseUrl()
                                    + "/v3/forecast?region="
                                    + enc(region)
                                    + "&signal_type="
                                    + enc(config.signalType())
                                    + "&horizon_hours="
                                    + config.forecastHorizonHours());
            JsonNode body = get(u, now);
            TreeMap<Instant, Double> points = points(body, "GET " + u.getRawPath());
            Instant generatedAt =
                    Times.parseOrNull(body.path("meta").path("generated_at").asText(null));
            if (generatedAt == null) generatedAt = now;
            if (!isNew(generatedAt, now)) return List.of();
            long periodSeconds = body.path("meta").path("data_point_period_seconds").asLong(0);
            Duration step =
                    periodSeconds > 0 ? Duration.ofSeconds(periodSeconds) : Duration.ofMinutes(5);
            ForecastIssue issue =
                    issue(
                            config.forecastTopic(),
                            new ForecastIssue.Series(zone, SIGNAL, config.factorType(), SOURCE),
                            generatedAt);
            List<SourceRecord> out = new ArrayList<>();
            for (Map.Entry<Instant, Double> e : points.entrySet())
                out.add(issue.interval(e.getKey(), e.getKey().plus(step), e.getValue()));
            published(generatedAt);
            return out;
        }
    }
}
