package io.carbonstream.connect.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * GET a URL, get JSON back, or an {@link HttpFailure} saying what kind of failure it was. One
 * request per call, no retry here: the task decides when to try again (so that poll() never blocks
 * on a retry loop). Response bodies are read up to a limit, so a misbehaving server cannot exhaust
 * the worker's heap.
 */
public final class HttpJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client;
    private final Duration timeout;
    private final long maxBytes;
    private final Redactor redactor;
    private final SourceMetrics metrics;
    private final Clock clock;

    public HttpJson(
            Duration timeout,
            long maxBytes,
            Redactor redactor,
            SourceMetrics metrics,
            Clock clock) {
        // HTTP/1.1: a few requests a minute gain nothing from HTTP/2, and plain-http endpoints
        // (tests, proxies) skip the h2c upgrade.
        this.client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(timeout)
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.redactor = redactor;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A query parameter value, URL-encoded. */
    public static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public JsonNode get(URI uri, Map<String, String> headers) throws InterruptedException {
        String endpoint =
                "GET "
                        + uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri)
                        .timeout(timeout)
                        .header("Accept", "application/json")
                        .GET();
        headers.forEach(b::header);
        metrics.countRequest();
        HttpResponse<InputStream> response;
        byte[] body;
        try {
            response = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            body = readLimited(response.body(), endpoint);
        } catch (IOException e) {
            metrics.countHttpError();
            throw new HttpFailure(
                    HttpFailure.Kind.RETRYABLE,
                    0,
                    endpoint,
                    null,
                    endpoint
                            + " failed: "
                            + redactor.redact(
                                    e.getClass().getSimpleName()
                                            + (e.getMessage() == null
                                                    ? ""
                                                    : ": " + e.getMessage())));
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            try {
                JsonNode node = JSON.readTree(body);
                if (node == null || node.isMissingNode())
                    throw HttpFailure.malformed(endpoint, "empty body");
                return node;
            } catch (JsonProcessingException e) {
                String why = e.getOriginalMessage();
                if (why != null && why.length() > 160) why = why.substring(0, 160) + "...";
                throw HttpFailure.malformed(
                        endpoint, redactor.redact("not JSON (" + body.length + " bytes): " + why));
            } catch (IOException e) {
                throw HttpFailure.malformed(
                        endpoint, redactor.redact(String.valueOf(e.getMessage())));
            }
        }
        metrics.countHttpError();
        String snippet = redactor.redact(snippet(body));
        if (status == 429 || status >= 500) {
            Duration retryAfter =
                    response.headers()
                            .firstValue("Retry-After")
                            .map(v -> parseRetryAfter(v, clock.instant()))
                            .orElse(null);
            throw new HttpFailure(
                    HttpFailure.Kind.RETRYABLE,
                    status,
                    endpoint,
                    retryAfter,
                    endpoint
                            + " answered HTTP "
                            + status
                            + (retryAfter == null
                                    ? ""
                                    : " (Retry-After " + retryAfter.toSeconds() + " s)")
                            + snippet);
        }
        throw new HttpFailure(
                status == 401 || status == 403 ? HttpFailure.Kind.AUTH : HttpFailure.Kind.CLIENT,
                status,
                endpoint,
                null,
                endpoint + " answered HTTP " + status + snippet);
    }

    /**
     * Retry-After as delta-seconds or an HTTP-date (RFC 9110 section 10.2.3); null when it is
     * neither.
     */
    public static Duration parseRetryAfter(String value, Instant now) {
        if (value == null) return null;
        String v = value.trim();
        if (v.matches("\\d{1,9}")) return Duration.ofSeconds(Long.parseLong(v));
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private byte[] readLimited(InputStream in, String endpoint) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes)
                    throw HttpFailure.malformed(
                            endpoint, "response larger than " + maxBytes + " bytes");
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static String snippet(byte[] body) {
        if (body.length == 0) return "";
        String s =
                new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8)
                        .replaceAll("\\s+", " ")
                        .trim();
        return s.isEmpty() ? "" : ": " + s;
    }
}
