package io.carbonstream.intensity;

/** How trustworthy the intensity used to price a request was. */
public enum PriceQuality {
    /** A zone update valid at the request's event time, younger than the max age. */
    OK,
    /** A valid update older than the configured max age: used, but flagged. */
    STALE,
    /**
     * No update at or before the event time: the zone's configured default, else the global one.
     */
    FALLBACK
}
