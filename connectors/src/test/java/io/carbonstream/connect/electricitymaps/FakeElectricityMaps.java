package io.carbonstream.connect.electricitymaps;

import io.carbonstream.connect.common.FixtureServer;
import io.carbonstream.connect.common.FixtureServer.Response;
import io.carbonstream.connect.common.Times;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Electricity Maps API v3 as the fixture files describe it at the moment: /latest serves the
 * current latest file of the requested emission-factor type, /past-range the points of the current
 * past-range file within [start, end), /forecast the current forecast file. A wrong or missing
 * auth-token header gets a 401, as the API does.
 */
final class FakeElectricityMaps {
    final FixtureServer server;
    final Map<String, String> latest = new ConcurrentHashMap<>();
    final Map<String, String> pastRange = new ConcurrentHashMap<>();
    volatile String forecast;

    FakeElectricityMaps(FixtureServer server, String token) {
        this.server = server;
        server.route(
                "/v3/carbon-intensity/latest",
                r ->
                        authorised(r, token)
                                ? Response.json(
                                        FixtureServer.resource(
                                                "electricitymaps/" + latest.get(factor(r))))
                                : unauthorised());
        server.route(
                "/v3/carbon-intensity/forecast",
                r ->
                        authorised(r, token)
                                ? Response.json(
                                        FixtureServer.resource("electricitymaps/" + forecast))
                                : unauthorised());
        server.route(
                "/v3/carbon-intensity/past-range",
                r -> {
                    if (!authorised(r, token)) return unauthorised();
                    String file = pastRange.get(factor(r));
                    if (file == null)
                        return Response.json(
                                "{\"zone\":\"" + r.query().get("zone") + "\",\"data\":[]}");
                    Instant start = Times.parseOrNull(r.query().get("start"));
                    Instant end = Times.parseOrNull(r.query().get("end"));
                    return Response.json(
                            FixtureServer.keepData(
                                    "electricitymaps/" + file,
                                    doc -> {
                                        doc.remove("_comment");
                                        return doc;
                                    },
                                    p -> {
                                        Instant t = Times.parseOrNull(p.path("datetime").asText());
                                        return !t.isBefore(start) && t.isBefore(end);
                                    }));
                });
    }

    /** Serve this file (in fixtures/electricitymaps) for both emission-factor types. */
    FakeElectricityMaps latest(String file) {
        latest.put("lifecycle", file);
        latest.put("direct", file);
        return this;
    }

    FakeElectricityMaps pastRange(String file) {
        pastRange.put("lifecycle", file);
        pastRange.put("direct", file);
        return this;
    }

    private static String factor(FixtureServer.Request r) {
        return r.query().getOrDefault("emissionFactorType", "lifecycle");
    }

    private static boolean authorised(FixtureServer.Request r, String token) {
        return token.equals(r.header("auth-token"));
    }

    private static Response unauthorised() {
        return Response.status(401, "{\"status\":\"error\",\"message\":\"Invalid auth-token\"}");
    }
}
