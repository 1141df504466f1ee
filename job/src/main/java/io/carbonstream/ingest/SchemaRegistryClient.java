package io.carbonstream.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;

/**
 * A client of the Confluent schema-registry REST API (also served by Karapace, and by Apicurio at
 * {@code /apis/ccompat/v7}): schemas by id, and registration of a subject's schema. Serializable
 * configuration; the HTTP client and the caches are built where it runs.
 *
 * <p>The credentials (HTTP basic) never appear in {@link #toString}, a log or an exception message.
 * Failures are remembered for {@link #COOL_DOWN}: garbage ids or a registry that is down must not
 * turn every record into a round of HTTP retries that stalls the source.
 */
public final class SchemaRegistryClient implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Confluent's name of the basic-auth setting, with and without its client prefix. */
    public static final String USER_INFO = "basic.auth.user.info";

    private static final String PREFIXED_USER_INFO = "schema.registry." + USER_INFO;
    static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    static final Duration COOL_DOWN = Duration.ofSeconds(30);
    private static final int MAX_REMEMBERED = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Thrown when a schema id cannot be resolved; the message names the id, the URL and the HTTP
     * status.
     */
    public static final class UnresolvedSchemaException extends IOException {
        public UnresolvedSchemaException(String message) {
            super(message);
        }
    }

    private final String url;

    /** "Basic ..." or null. Never printed. */
    private final String authorization;

    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int attempts;
    private final long backoffMs;

    private transient HttpClient http;
    private transient Map<Integer, Schema> schemas;

    /** Id -> [until (clock), message] of a failed lookup. */
    private transient Map<Integer, Failure> failed;

    /**
     * Set when the registry itself failed (unreachable, 5xx, 401/403): every uncached id fails fast
     * until then.
     */
    private transient Failure down;

    transient LongSupplier clock;

    private record Failure(long untilNanos, String message) {}

    SchemaRegistryClient(
            String url,
            String authorization,
            Duration connectTimeout,
            Duration requestTimeout,
            int attempts,
            long backoffMs) {
        this.url = url;
        this.authorization = authorization;
        this.connectTimeout = connectTimeout;
        this.requestTimeout = requestTimeout;
        this.attempts = attempts;
        this.backoffMs = backoffMs;
    }

    /**
     * From the job's options: the registry's base URL and an optional properties file with {@code
     * basic.auth.user.info=user:password}. Throws IllegalArgumentException with a message that says
     * what to fix and never quotes the credentials.
     */
    public static SchemaRegistryClient of(String url, Path propertiesFile) {
        String base = checkedUrl(url);
        String auth = null;
        if (propertiesFile != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(propertiesFile)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "--schema-registry.properties-file "
                                + propertiesFile
                                + " cannot be read ("
                                + e.getClass().getSimpleName()
                                + "). Give the path of a Java properties file with "
                                + USER_INFO
                                + "=user:password.");
            }
            String userInfo = p.getProperty(USER_INFO, p.getProperty(PREFIXED_USER_INFO));
            if (userInfo == null) {
                throw new IllegalArgumentException(
                        "--schema-registry.properties-file "
                                + propertiesFile
                                + " has no "
                                + USER_INFO
                                + ": add "
                                + USER_INFO
                                + "=user:password (the only setting read from it).");
            }
            if (userInfo.indexOf(':') <= 0) {
                throw new IllegalArgumentException(
                        USER_INFO
                                + " in "
                                + propertiesFile
                                + " must be user:password (its value is not shown).");
            }
            auth =
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
        }
        return new SchemaRegistryClient(
                base, auth, Duration.ofSeconds(5), Duration.ofSeconds(10), 3, 200);
    }

    /**
     * The URL without trailing slash; rejects credentials in it (they would be printed with the
     * configuration).
     */
    private static String checkedUrl(String url) {
        URI u;
        try {
            u = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "--schema-registry.url is not a URL: give the registry's base URL, e.g. "
                            + "http://registry:8081 (Apicurio: http://host:8080/apis/ccompat/v7).");
        }
        if (u.getRawUserInfo() != null) {
            throw new IllegalArgumentException(
                    "--schema-registry.url must not carry credentials (the URL is shown in messages"
                            + " and in Flink's configuration): put "
                            + USER_INFO
                            + "=user:password in --schema-registry.properties-file.");
        }
        if (!("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                || u.getHost() == null
                || u.getRawQuery() != null
                || u.getRawFragment() != null) {
            throw new IllegalArgumentException(
                    "--schema-registry.url must be an http:// or https:// base URL without query,"
                            + " e.g. http://registry:8081 (Apicurio:"
                            + " http://host:8080/apis/ccompat/v7).");
        }
        String s = u.toString();
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }

    public String url() {
        return url;
    }

    @Override
    public String toString() {
        return "SchemaRegistryClient[" + url + (authorization != null ? ", basic auth" : "") + "]";
    }

    private void init() {
        if (http == null) {
            http =
                    HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(connectTimeout)
                            .build();
            schemas = new HashMap<>();
            failed =
                    new LinkedHashMap<>(16, 0.75f, true) {
                        @Override
                        protected boolean removeEldestEntry(Map.Entry<Integer, Failure> eldest) {
                            return size() > MAX_REMEMBERED;
                        }
                    };
            if (clock == null) clock = System::nanoTime;
        }
    }

    /** The writer schema of an id ({@code GET /schemas/ids/{id}}), cached. */
    public synchronized Schema schemaById(int id) throws UnresolvedSchemaException {
        init();
        if (id < 0)
            throw new UnresolvedSchemaException(
                    "schema id " + id + " is negative: no registry hands those out (not asked)");
        Schema known = schemas.get(id);
        if (known != null) return known;
        long now = clock.getAsLong();
        Failure f = failed.get(id);
        if (f != null && now - f.untilNanos < 0)
            throw new UnresolvedSchemaException(
                    f.message + " (not asked again for " + COOL_DOWN.toSeconds() + " s)");
        if (down != null && now - down.untilNanos < 0) {
            throw new UnresolvedSchemaException(
                    "schema id "
                            + id
                            + " could not be resolved: the registry at "
                            + url
                            + " failed just before ("
                            + down.message
                            + "; not asked again for "
                            + COOL_DOWN.toSeconds()
                            + " s)");
        }
        String where = url + "/schemas/ids/" + id;
        Response r;
        try {
            r = call(HttpRequest.newBuilder(URI.create(where)).GET(), where);
        } catch (RegistryDown e) {
            down = new Failure(now + COOL_DOWN.toNanos(), e.getMessage());
            throw new UnresolvedSchemaException(
                    "schema id "
                            + id
                            + " could not be resolved at "
                            + where
                            + ": "
                            + e.getMessage());
        } catch (InterruptedIOException e) {
            throw new UnresolvedSchemaException(
                    "schema id " + id + ": " + e.getMessage()); // cancelled: nothing to remember
        }
        down = null;
        try {
            Schema s = parse(id, where, r);
            schemas.put(id, s);
            failed.remove(id);
            return s;
        } catch (UnresolvedSchemaException e) {
            failed.put(id, new Failure(now + COOL_DOWN.toNanos(), e.getMessage()));
            throw e;
        }
    }

    private static Schema parse(int id, String where, Response r) throws UnresolvedSchemaException {
        if (r.status != 200)
            throw new UnresolvedSchemaException(
                    problem("schema id " + id + " could not be resolved", where, r));
        JsonNode body;
        try {
            body = JSON.readTree(r.body);
        } catch (IOException e) {
            throw new UnresolvedSchemaException(
                    "schema id " + id + " at " + where + ": HTTP 200 but the body is not JSON");
        }
        String type = body.path("schemaType").asText("AVRO");
        if (!"AVRO".equals(type))
            throw new UnresolvedSchemaException(
                    "schema id " + id + " at " + where + " is a " + type + " schema, not Avro");
        if (!body.path("schema").isTextual()) {
            throw new UnresolvedSchemaException(
                    "schema id " + id + " at " + where + ": HTTP 200 without a \"schema\" string");
        }
        try {
            return new Schema.Parser().parse(body.get("schema").asText());
        } catch (RuntimeException e) { // Avro reports some bad schemas as NullPointerException
            throw new UnresolvedSchemaException(
                    "schema id "
                            + id
                            + " at "
                            + where
                            + " is not a valid Avro schema: "
                            + e.getMessage());
        }
    }

    /**
     * Registers a schema under a subject ({@code POST /subjects/{subject}/versions}; the registry
     * answers with the existing id when the schema is already registered) and returns its id.
     */
    public synchronized int register(String subject, Schema schema) throws IOException {
        init();
        String where =
                url
                        + "/subjects/"
                        + java.net.URLEncoder.encode(subject, StandardCharsets.UTF_8)
                                .replace("+", "%20")
                        + "/versions";
        String body = JSON.writeValueAsString(Map.of("schema", schema.toString()));
        Response r;
        try {
            r =
                    call(
                            HttpRequest.newBuilder(URI.create(where))
                                    .header("Content-Type", CONTENT_TYPE)
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    body, StandardCharsets.UTF_8)),
                            where);
        } catch (RegistryDown e) {
            throw new IOException(
                    "registering subject " + subject + " at " + where + ": " + e.getMessage());
        }
        if (r.status != 200)
            throw new IOException(problem("registering subject " + subject + " failed", where, r));
        JsonNode id = JSON.readTree(r.body).path("id");
        if (!id.canConvertToInt())
            throw new IOException(
                    "registering subject "
                            + subject
                            + " at "
                            + where
                            + ": HTTP 200 without an \"id\"");
        schemas.putIfAbsent(id.intValue(), schema);
        return id.intValue();
    }

    private record Response(int status, String body) {}

    /** The registry is unreachable or failing (after the retries), or refuses our credentials. */
    private static final class RegistryDown extends Exception {
        RegistryDown(String message) {
            super(message, null, false, false);
        }
    }

    private static String problem(String what, String where, Response r) {
        String detail = "";
        try {
            JsonNode m = JSON.readTree(r.body).path("message");
            // The registry's own words, shortened: never our request, so never our credentials.
            if (m.isTextual())
                detail =
                        " ("
                                + (m.asText().length() > 200
                                        ? m.asText().substring(0, 200) + "..."
                                        : m.asText())
                                + ")";
        } catch (IOException | RuntimeException ignored) {
            // not JSON: the status says enough
        }
        return what + " at " + where + ": HTTP " + r.status + detail;
    }

    /**
     * One request with the bounded retries: 5xx and I/O errors are retried, other statuses
     * returned.
     */
    private Response call(HttpRequest.Builder request, String where)
            throws RegistryDown, InterruptedIOException {
        request.timeout(requestTimeout)
                .header(
                        "Accept",
                        CONTENT_TYPE + ", application/vnd.schemaregistry+json, application/json");
        if (authorization != null) request.header("Authorization", authorization);
        HttpRequest req = request.build();
        String last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                HttpResponse<String> r =
                        http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                if (r.statusCode() == 401 || r.statusCode() == 403) {
                    throw new RegistryDown(
                            "HTTP "
                                    + r.statusCode()
                                    + ", the credentials were refused (check "
                                    + USER_INFO
                                    + " in --schema-registry.properties-file)");
                }
                if (r.statusCode() < 500) return new Response(r.statusCode(), r.body());
                last = "HTTP " + r.statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while asking " + where);
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
            }
            if (attempt < attempts) {
                try {
                    Thread.sleep(backoffMs << (attempt - 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while asking " + where);
                }
            }
        }
        throw new RegistryDown(
                "unreachable or failing, " + last + " after " + attempts + " attempts");
    }
}
