package io.carbonstream.aggregate;

/** What an aggregate is grouped by. */
public enum Dimension {
    DATACENTER,
    MODEL,
    DATACENTER_MODEL
}
