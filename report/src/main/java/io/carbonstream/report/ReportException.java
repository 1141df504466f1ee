package io.carbonstream.report;

/**
 * A failure the user can act on (a topic that is not there, a record that is not a ledger row):
 * printed as is, no stack trace.
 */
public final class ReportException extends RuntimeException {
    public ReportException(String message) {
        super(message);
    }

    public ReportException(String message, Throwable cause) {
        super(message, cause);
    }
}
