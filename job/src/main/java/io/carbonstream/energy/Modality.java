package io.carbonstream.energy;

/** What a request produced; selects how its energy is estimated. */
public enum Modality {
    TEXT,
    IMAGE,
    VIDEO,
    AUDIO,
    EMBEDDING
}
