package io.carbonstream.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.carbonstream.connect.electricitymaps.ElectricityMapsResponses;
import io.carbonstream.schema.IntensityUpdate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A recorded day of a real grid-intensity API, published instead of the generator's own values for
 * its zone ({@code --intensity-replay}), so that a newcomer sees a real feed's shape: hourly
 * values, first estimated, then corrected, with the source's update times.
 *
 * <p>The recording is a resource of answers in the API's documented shape (hand-written, not real
 * data: see the README beside it). Each answer is parsed by the connectors module's own mapping
 * ({@link ElectricityMapsResponses}), so the records are the ones the connector would publish. The
 * versions of each value are replayed in simulated time: the recorded day is shifted by whole days
 * onto the simulated clock (hour of day kept) and repeated every simulated day; every version is
 * published at its {@code updated_at} (when the source made it, shifted likewise), never before its
 * hour starts nor before the run starts. Values of hours before the run's first hour are left out.
 */
public final class IntensityReplay {

    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The APIs a recorded day ships for. */
    public enum Feed {
        /**
         * Electricity Maps API v3, zone DE, hourly, lifecycle: 24 latest answers (estimates) and a
         * past-range (measured).
         */
        ELECTRICITY_MAPS("electricity-maps", "/replay/electricitymaps/DE-2025-11-18.json");

        private final String label;
        private final String resource;

        Feed(String label, String resource) {
            this.label = label;
            this.resource = resource;
        }

        public String label() {
            return label;
        }

        public String resource() {
            return resource;
        }

        static String labels() {
            return Arrays.stream(values()).map(Feed::label).collect(Collectors.joining(", "));
        }

        /**
         * The feed with this label (or constant name), ignoring case; an IllegalArgumentException
         * that lists the labels when there is none. The demo's --intensity-replay option reads its
         * value with it.
         */
        public static Feed of(String value) {
            for (Feed f : values()) {
                if (f.label.equalsIgnoreCase(value.trim())
                        || f.name().equalsIgnoreCase(value.trim())) return f;
            }
            throw new IllegalArgumentException(
                    "'" + value + "' is not a recorded feed; one of: " + labels());
        }
    }

    private final Feed feed;
    private final String zone;

    /** 00:00 UTC of the recorded day (of its first value). */
    private final long recordedDay;

    /** Every version as recorded, in publication order. */
    private final List<IntensityUpdate> versions;

    private IntensityReplay(
            Feed feed, String zone, long recordedDay, List<IntensityUpdate> versions) {
        this.feed = feed;
        this.zone = zone;
        this.recordedDay = recordedDay;
        this.versions = versions;
    }

    /** Reads the feed's recording from the generator's resources. */
    public static IntensityReplay load(Feed feed) {
        try (InputStream in = IntensityReplay.class.getResourceAsStream(feed.resource())) {
            if (in == null)
                throw new IllegalStateException("the generator jar has no " + feed.resource());
            return parse(feed, JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + feed.resource(), e);
        }
    }

    /**
     * A recording: {"exchanges": [{"request": "GET
     * /v3/carbon-intensity/latest?zone=..&emissionFactorType=..", "response": {...}}, ...]}, each
     * response in the API's documented shape. Zone and factor type come from the request, as the
     * connector takes them from its own; a value seen again unchanged (same datetime and update
     * time) counts once.
     */
    static IntensityReplay parse(Feed feed, JsonNode recording) {
        Map<String, IntensityUpdate> byVersion = new LinkedHashMap<>();
        Set<String> zones = new HashSet<>();
        for (JsonNode exchange : recording.path("exchanges")) {
            URI request =
                    URI.create(exchange.path("request").asText().replaceFirst("^[A-Z]+ ", ""));
            Map<String, String> query = query(request.getRawQuery());
            String zone = query.get("zone");
            String factor = query.getOrDefault("emissionFactorType", "lifecycle");
            JsonNode response = exchange.get("response");
            List<IntensityUpdate> parsed = new ArrayList<>();
            if (request.getPath().endsWith("/carbon-intensity/latest")) {
                IntensityUpdate u = ElectricityMapsResponses.latest(response, zone, factor);
                if (u != null) parsed.add(u);
            } else if (request.getPath().endsWith("/carbon-intensity/past-range")) {
                parsed.addAll(ElectricityMapsResponses.pastRange(response, zone, factor));
            } else {
                throw new IllegalArgumentException(
                        feed.resource() + ": no mapping for " + request.getPath());
            }
            for (IntensityUpdate u : parsed) {
                zones.add(u.getZone());
                byVersion.putIfAbsent(u.getValidFrom().toEpochMilli() + "@" + updatedAt(u), u);
            }
        }
        if (zones.size() != 1)
            throw new IllegalArgumentException(
                    feed.resource() + ": one zone expected, found " + zones);
        List<IntensityUpdate> versions = new ArrayList<>(byVersion.values());
        versions.sort(
                Comparator.comparingLong(IntensityReplay::madeAt)
                        .thenComparing(IntensityUpdate::getValidFrom));
        long first =
                versions.stream()
                        .mapToLong(u -> u.getValidFrom().toEpochMilli())
                        .min()
                        .orElseThrow();
        return new IntensityReplay(
                feed,
                zones.iterator().next(),
                Math.floorDiv(first, DAY) * DAY,
                List.copyOf(versions));
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            String[] p = kv.split("=", 2);
            q.put(
                    URLDecoder.decode(p[0], StandardCharsets.UTF_8),
                    p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
        }
        return q;
    }

    private static long updatedAt(IntensityUpdate u) {
        return u.getUpdatedAt() == null
                ? u.getValidFrom().toEpochMilli()
                : u.getUpdatedAt().toEpochMilli();
    }

    /**
     * When a version can be published: when the source made it, and not before its interval starts.
     */
    private static long madeAt(IntensityUpdate u) {
        return Math.max(u.getValidFrom().toEpochMilli(), updatedAt(u));
    }

    public Feed feed() {
        return feed;
    }

    /** The zone whose generated values the replay replaces. */
    public String zone() {
        return zone;
    }

    /** 00:00 UTC of the recorded day. */
    public Instant recordedDay() {
        return Instant.ofEpochMilli(recordedDay);
    }

    /** Every version as the connector's mapping made it, in recorded time and publication order. */
    public List<IntensityUpdate> recorded() {
        return versions;
    }

    /**
     * The replay for a run starting at {@code simStart} (epoch ms), forever, in publication order:
     * day k of the run (k = 0, 1, ...) gets the recorded day moved to the run's day k, 00:00 UTC.
     */
    public Iterator<GeneratedRecord> records(long simStart) {
        long firstHour = Math.floorDiv(simStart, HOUR) * HOUR;
        long day0 = Math.floorDiv(simStart, DAY) * DAY;
        long earliest = versions.stream().mapToLong(u -> madeAt(u) - recordedDay).min().orElse(0);
        record Due(long publishAt, long seq, GeneratedRecord record) {}
        PriorityQueue<Due> queue =
                new PriorityQueue<>(
                        Comparator.comparingLong(Due::publishAt).thenComparingLong(Due::seq));
        return new Iterator<>() {
            long nextDay;
            long seq;

            /** Day k can hold nothing earlier than this. */
            private long earliestOf(long k) {
                return day0 + k * DAY + earliest;
            }

            private void load(long k) {
                long shift = day0 + k * DAY - recordedDay;
                for (IntensityUpdate u : versions) {
                    long validFrom = u.getValidFrom().toEpochMilli() + shift;
                    if (validFrom < firstHour) continue;
                    IntensityUpdate moved =
                            IntensityUpdate.newBuilder(u)
                                    .setValidFrom(Instant.ofEpochMilli(validFrom))
                                    .setUpdatedAt(
                                            u.getUpdatedAt() == null
                                                    ? null
                                                    : u.getUpdatedAt().plusMillis(shift))
                                    .build();
                    long publishAt = Math.max(simStart, madeAt(u) + shift);
                    queue.add(
                            new Due(
                                    publishAt,
                                    seq++,
                                    new GeneratedRecord(
                                            GeneratedRecord.Kind.INTENSITY,
                                            publishAt,
                                            zone,
                                            moved)));
                }
            }

            @Override
            public boolean hasNext() {
                return !versions.isEmpty();
            }

            @Override
            public GeneratedRecord next() {
                // Load days until none still to load could publish before the head of the queue.
                while (queue.isEmpty() || earliestOf(nextDay) <= queue.peek().publishAt())
                    load(nextDay++);
                return queue.poll().record();
            }
        };
    }
}
