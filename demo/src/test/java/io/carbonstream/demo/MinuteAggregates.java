package io.carbonstream.demo;

import io.carbonstream.schema.Aggregate;
import io.carbonstream.schema.Dimension;
import io.carbonstream.schema.WindowKind;
import java.time.Instant;

/** Minute aggregates of one datacenter for the commands that print them (tail, view). */
public final class MinuteAggregates {

    private MinuteAggregates() {}

    /**
     * A datacenter's first revision of the minute starting at {@code startMs}: the figures a test
     * reads back are its requests and grams, the others fixed (0.5 kWh at 200 g/kWh, no share).
     */
    public static Aggregate of(String dc, long startMs, long requests, double grams) {
        return Aggregate.newBuilder()
                .setWindow(WindowKind.MINUTE)
                .setWindowStart(Instant.ofEpochMilli(startMs))
                .setWindowEnd(Instant.ofEpochMilli(startMs + 60_000))
                .setDimension(Dimension.DATACENTER)
                .setDatacenterId(dc)
                .setRequests(requests)
                .setInputTokens(1)
                .setOutputTokens(2)
                .setImages(0)
                .setMediaSeconds(0)
                .setGpuJoules(10)
                .setFacilityKwh(0.5)
                .setLocationGco2e(grams)
                .setMeanIntensity(200)
                .setMinIntensity(200)
                .setMaxIntensity(200)
                .setWaterL(0.1)
                .setMeasuredEnergyShare(0)
                .setFallbackShare(0)
                .setStaleShare(0)
                .setMethodology("m")
                .setRevision(1)
                .build();
    }
}
