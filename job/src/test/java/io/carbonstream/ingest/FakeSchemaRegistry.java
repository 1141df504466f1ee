package io.carbonstream.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * A schema registry on 127.0.0.1 answering as Confluent's REST API documents it: GET
 * /schemas/ids/{id} -> {"schema": "..."}, 404 {"error_code": 40403, ...} for unknown ids; POST
 * /subjects/{subject}/versions {"schema": "..."} -> {"id": n} (the same id again for the same
 * schema). Optionally demands HTTP basic credentials (401 otherwise) and answers scripted errors.
 */
public final class FakeSchemaRegistry implements AutoCloseable {

    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as received. */
    public record Request(
            String method, String path, String contentType, String authorization, String body) {}

    private final HttpServer server;
    private final Map<Integer, String> schemas = Collections.synchronizedMap(new LinkedHashMap<>());
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Integer> registered =
            Collections.synchronizedMap(new LinkedHashMap<>());
    private final Deque<Integer> scriptedStatuses = new ArrayDeque<>();
    private volatile String requiredAuthorization;
    private int nextId = 100;

    public FakeSchemaRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
    }

    /**
     * A schema of this release as a producer in any language registers it: the .avsc file (no
     * Java-specific properties). Read relative to the job module.
     */
    public static String avsc(String record) throws IOException {
        return Files.readString(Path.of("..", "schemas", "src", "main", "avro", record + ".avsc"));
    }

    /**
     * The registry wire format as documented: magic byte 0, 4-byte big-endian schema id, Avro
     * binary.
     */
    public static byte[] framed(int id, byte[] body) {
        return ByteBuffer.allocate(5 + body.length).put((byte) 0).putInt(id).put(body).array();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves {@code schemaJson} under {@code id}. */
    public FakeSchemaRegistry serve(int id, String schemaJson) {
        schemas.put(id, schemaJson);
        return this;
    }

    /** Demands these basic credentials on every request. */
    public FakeSchemaRegistry requireBasicAuth(String user, String password) {
        requiredAuthorization =
                "Basic "
                        + Base64.getEncoder()
                                .encodeToString(
                                        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /**
     * The next requests get these statuses (with an error body), in order, before normal service
     * resumes.
     */
    public synchronized FakeSchemaRegistry thenAnswer(int... statuses) {
        for (int s : statuses) scriptedStatuses.add(s);
        return this;
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The id last returned for a registration under {@code subject}, or null. */
    public Integer registeredId(String subject) {
        return registered.get(subject);
    }

    public long count(String method, String path) {
        return requests().stream()
                .filter(r -> r.method.equals(method) && r.path.equals(path))
                .count();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = ex.getRequestURI().getRawPath();
            requests.add(
                    new Request(
                            ex.getRequestMethod(),
                            path,
                            ex.getRequestHeaders().getFirst("Content-Type"),
                            ex.getRequestHeaders().getFirst("Authorization"),
                            body));
            Integer scripted;
            synchronized (this) {
                scripted = scriptedStatuses.poll();
            }
            if (scripted != null) {
                reply(
                        ex,
                        scripted,
                        Map.of("error_code", scripted * 100, "message", "scripted failure"));
                return;
            }
            if (requiredAuthorization != null
                    && !requiredAuthorization.equals(
                            ex.getRequestHeaders().getFirst("Authorization"))) {
                reply(ex, 401, Map.of("error_code", 401, "message", "Unauthorized"));
                return;
            }
            if (ex.getRequestMethod().equals("GET") && path.startsWith("/schemas/ids/")) {
                int id = Integer.parseInt(path.substring("/schemas/ids/".length()));
                String schema = schemas.get(id);
                if (schema == null)
                    reply(
                            ex,
                            404,
                            Map.of("error_code", 40403, "message", "Schema " + id + " not found"));
                else reply(ex, 200, Map.of("schema", schema));
            } else if (ex.getRequestMethod().equals("POST")
                    && path.startsWith("/subjects/")
                    && path.endsWith("/versions")) {
                JsonNode req = JSON.readTree(body);
                String schema = req.path("schema").asText();
                int id;
                synchronized (schemas) {
                    id =
                            schemas.entrySet().stream()
                                    .filter(e -> e.getValue().equals(schema))
                                    .map(Map.Entry::getKey)
                                    .findFirst()
                                    .orElseGet(
                                            () -> {
                                                int n = nextId++;
                                                schemas.put(n, schema);
                                                return n;
                                            });
                }
                registered.put(subjectOf(path), id);
                reply(ex, 200, Map.of("id", id));
            } else {
                reply(ex, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
            }
        }
    }

    /** The subject of a registration request path /subjects/{subject}/versions. */
    public static String subject(Request r) {
        return subjectOf(r.path);
    }

    private static String subjectOf(String path) {
        return URLDecoder.decode(
                path.substring("/subjects/".length(), path.length() - "/versions".length()),
                StandardCharsets.UTF_8);
    }

    private static void reply(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
