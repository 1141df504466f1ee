package io.carbonstream.connect.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A local HTTP server (JDK HttpServer on 127.0.0.1, port 0) standing in for a provider's API.
 * Routes map a path prefix to a function of the request; failures queued with {@link #failNext} are
 * answered first, in order. Every request is logged with its path, query, headers and the time of
 * the test's clock when it arrived.
 */
public final class FixtureServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public record Request(
            String method,
            String path,
            Map<String, String> query,
            Map<String, String> headers,
            Instant at) {
        public String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    public record Response(int status, Map<String, String> headers, String body) {
        public static Response json(String body) {
            return new Response(200, Map.of("Content-Type", "application/json"), body);
        }

        public static Response status(int status, String body, String... headerPairs) {
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 0; i + 1 < headerPairs.length; i += 2)
                h.put(headerPairs[i], headerPairs[i + 1]);
            return new Response(status, h, body);
        }
    }

    private record Failure(String pathPrefix, Response response) {}

    static {
        // The JDK server writes headers and body separately: without TCP_NODELAY each answer waits
        // ~40 ms for a
        // delayed ACK. Read once, when the first server of the JVM starts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final Clock clock;
    private final Map<String, Function<Request, Response>> routes = new LinkedHashMap<>();
    private final Deque<Failure> failures = new ArrayDeque<>();
    public final List<Request> requests = new CopyOnWriteArrayList<>();

    public FixtureServer(Clock clock) {
        this.clock = clock;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public synchronized FixtureServer route(
            String pathPrefix, Function<Request, Response> handler) {
        routes.put(pathPrefix, handler);
        return this;
    }

    /**
     * The next request whose path starts with the prefix gets this answer instead of its route's.
     */
    public synchronized FixtureServer failNext(String pathPrefix, Response response) {
        failures.add(new Failure(pathPrefix, response));
        return this;
    }

    public List<Request> requestsTo(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
    }

    /**
     * A JSON fixture served in part, as the APIs answer a time range: of the "data" array of the
     * object {@code holderOf} picks in the document (and may edit), only the elements {@code keep}
     * accepts.
     */
    public static String keepData(
            String name, UnaryOperator<ObjectNode> holderOf, Predicate<JsonNode> keep) {
        try {
            ObjectNode doc = (ObjectNode) JSON.readTree(resource(name));
            ObjectNode holder = holderOf.apply(doc);
            ArrayNode kept = JSON.createArrayNode();
            for (JsonNode element : holder.get("data")) if (keep.test(element)) kept.add(element);
            holder.set("data", kept);
            return JSON.writeValueAsString(doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A classpath resource as text (fixtures live in src/test/resources/fixtures). */
    public static String resource(String name) {
        try (InputStream in = FixtureServer.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) throw new IllegalArgumentException("no fixture " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                String[] p = kv.split("=", 2);
                query.put(
                        URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                        p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        Request req =
                new Request(
                        ex.getRequestMethod(),
                        ex.getRequestURI().getPath(),
                        query,
                        headers,
                        clock.instant());
        requests.add(req);
        Response resp;
        try {
            resp = answer(req);
        } catch (RuntimeException e) {
            resp = Response.status(500, "fixture error: " + e);
        }
        byte[] body =
                resp.body() == null ? new byte[0] : resp.body().getBytes(StandardCharsets.UTF_8);
        resp.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(resp.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private synchronized Response answer(Request req) {
        for (Failure f : failures) {
            if (req.path().startsWith(f.pathPrefix())) {
                failures.remove(f);
                return f.response();
            }
        }
        String best = null;
        for (String prefix : routes.keySet()) {
            if (req.path().startsWith(prefix) && (best == null || prefix.length() > best.length()))
                best = prefix;
        }
        if (best == null) return Response.status(404, "{\"error\":\"no route\"}");
        return routes.get(best).apply(req);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
