package io.carbonstream.ingest;

/** A validation verdict against a record: why and a message a human can act on. */
public record Rejection(Reason reason, String message) {}
