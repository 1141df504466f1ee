package io.carbonstream.connect.common;

import java.time.Duration;

/** A request that did not give usable JSON, classified by what the task should do about it. */
public final class HttpFailure extends RuntimeException {
    public enum Kind {
        /**
         * 429, 5xx, connection failure or timeout: back off (Retry-After, exponential with jitter)
         * and try again.
         */
        RETRYABLE,
        /**
         * 401 or 403: the credentials or the plan are wrong; retrying cannot help, the task fails
         * with what to fix.
         */
        AUTH,
        /** Another 4xx (unknown zone, bad range): logged and skipped until the unit's next turn. */
        CLIENT,
        /**
         * 2xx with a body that is not the documented JSON: counted, logged and skipped; never a
         * crash loop.
         */
        MALFORMED
    }

    private final Kind kind;
    private final int status;
    private final String endpoint;
    private final Duration retryAfter;

    public HttpFailure(
            Kind kind, int status, String endpoint, Duration retryAfter, String message) {
        super(message);
        this.kind = kind;
        this.status = status;
        this.endpoint = endpoint;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** HTTP status, or 0 when no response arrived. */
    public int status() {
        return status;
    }

    /** Method, path and query of the request (never a header, so never a credential). */
    public String endpoint() {
        return endpoint;
    }

    /** What the server's Retry-After asked for, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public static HttpFailure malformed(String endpoint, String why) {
        return new HttpFailure(
                Kind.MALFORMED,
                200,
                endpoint,
                null,
                "malformed response to " + endpoint + ": " + why);
    }
}
