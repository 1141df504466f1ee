package io.carbonstream.intensity;

/**
 * A zone's grid intensity as the spike alert evaluated it at an instant {@code at} of event time:
 * the value in force and the trailing median baseline (NaN while there are too few updates for
 * one). What the forecast early warning compares forecasts with, so that a forecast spike is what a
 * grid spike would be if it came true. Immutable; a Flink POJO (record).
 */
public record ZoneStatus(String zone, long at, double gPerKwh, double baseline) {}
