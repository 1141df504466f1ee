package io.carbonstream.energy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The versioned model catalog: per-model energy figures, the parametric fit for unknown models and
 * per-modality defaults. The shipped catalog is a resource; a user file can add or replace models
 * and defaults, and its version is appended to the shipped one so that every aggregate names
 * exactly which figures produced it.
 */
public final class ModelCatalog implements Serializable {

    public static final String BUILT_IN = "/catalog/models.json";

    private final String version;
    private final Map<String, CatalogEntry> models;
    private final Map<Modality, CatalogEntry> defaults;
    private final Parametric parametric;
    private final Map<Provenance, EnergyRange> ranges;
    private final Hardware hardware;

    /**
     * EcoLogits: Wh per output token = slope * exp(decay * batch) * P + intercept, P in billions.
     */
    public record Parametric(
            @JsonProperty("slope_wh_per_b") double slopeWhPerB,
            @JsonProperty("batch_decay") double batchDecay,
            @JsonProperty("batch") int batch,
            @JsonProperty("intercept_wh") double interceptWh,
            @JsonProperty("max_params_b") double maxParamsB,
            @JsonProperty("source") String source)
            implements Serializable {

        public double joulesPerOutputToken(double activeParamsB) {
            double wh = slopeWhPerB * Math.exp(batchDecay * batch) * activeParamsB + interceptWh;
            return wh * 3600.0;
        }
    }

    /** The JSON shape of a catalog file. */
    record CatalogFile(
            @JsonProperty("version") String version,
            @JsonProperty("parametric") Parametric parametric,
            @JsonProperty("modality_defaults") Map<Modality, CatalogEntry> modalityDefaults,
            @JsonProperty("models") Map<String, CatalogEntry> models,
            @JsonProperty("uncertainty") Map<Provenance, EnergyRange> uncertainty,
            @JsonProperty("hardware") Hardware hardware) {}

    private ModelCatalog(
            String version,
            Map<String, CatalogEntry> models,
            Map<Modality, CatalogEntry> defaults,
            Parametric parametric,
            Map<Provenance, EnergyRange> ranges,
            Hardware hardware) {
        this.version = version;
        this.models = models;
        this.defaults = defaults;
        this.parametric = parametric;
        this.ranges = ranges;
        this.hardware = hardware;
    }

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static ModelCatalog builtIn() {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Built-in catalog " + BUILT_IN + " is missing from the jar");
            }
            return from(JSON.readValue(in, CatalogFile.class), null, BUILT_IN);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Built-in catalog " + BUILT_IN + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The built-in catalog with the entries of a user file laid over it. */
    public static ModelCatalog withOverrides(Path userFile) {
        ModelCatalog base = builtIn();
        CatalogFile user;
        try {
            user = JSON.readValue(Files.readAllBytes(userFile), CatalogFile.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Catalog file "
                            + userFile
                            + " cannot be read as a carbonstream catalog (see"
                            + " job/src/main/resources"
                            + BUILT_IN
                            + " for the format): "
                            + e.getMessage(),
                    e);
        }
        return from(user, base, userFile.toString());
    }

    private static ModelCatalog from(CatalogFile file, ModelCatalog base, String origin) {
        if (file.version() == null || file.version().isBlank()) {
            throw new IllegalArgumentException(
                    "Catalog " + origin + " has no \"version\": every catalog must be versioned");
        }
        Map<String, CatalogEntry> models =
                new LinkedHashMap<>(base == null ? Map.of() : base.models);
        Map<Modality, CatalogEntry> defaults = new EnumMap<>(Modality.class);
        if (base != null) defaults.putAll(base.defaults);
        if (file.models() != null) {
            file.models().forEach((id, e) -> models.put(id, check(origin, id, e)));
        }
        if (file.modalityDefaults() != null) {
            file.modalityDefaults()
                    .forEach(
                            (m, e) -> {
                                CatalogEntry entry = check(origin, "default " + m, e);
                                if (!entry.covers(m)) {
                                    throw new IllegalArgumentException(
                                            "Catalog "
                                                    + origin
                                                    + ": the default for "
                                                    + m
                                                    + " has no figure for "
                                                    + m);
                                }
                                defaults.put(m, entry);
                            });
        }
        for (Modality m : Modality.values()) {
            if (!defaults.containsKey(m)) {
                throw new IllegalArgumentException(
                        "Catalog " + origin + " has no modality default for " + m);
            }
        }
        Parametric parametric =
                file.parametric() != null
                        ? file.parametric()
                        : base == null ? null : base.parametric;
        if (parametric == null) {
            throw new IllegalArgumentException(
                    "Catalog " + origin + " has no \"parametric\" section");
        }
        Map<Provenance, EnergyRange> ranges = new EnumMap<>(Provenance.class);
        if (base != null) ranges.putAll(base.ranges);
        if (file.uncertainty() != null) {
            file.uncertainty()
                    .forEach(
                            (p, r) -> {
                                r.check(origin, p);
                                ranges.put(p, r);
                            });
        }
        for (Provenance p : Provenance.values()) {
            if (!ranges.containsKey(p))
                throw new IllegalArgumentException(
                        "Catalog " + origin + " has no uncertainty range for " + p);
        }
        Hardware hardware =
                file.hardware() != null ? file.hardware() : base == null ? null : base.hardware;
        if (hardware == null)
            throw new IllegalArgumentException(
                    "Catalog " + origin + " has no \"hardware\" section");
        hardware.check(origin);
        String version = base == null ? file.version() : base.version + "+" + file.version();
        return new ModelCatalog(
                version, Map.copyOf(models), defaults, parametric, ranges, hardware);
    }

    private static CatalogEntry check(String origin, String id, CatalogEntry e) {
        if (e.modality() == null)
            throw new IllegalArgumentException(
                    "Catalog " + origin + ": " + id + " has no modality");
        if (e.source() == null || e.source().isBlank()) {
            throw new IllegalArgumentException(
                    "Catalog "
                            + origin
                            + ": "
                            + id
                            + " has no source: every figure needs its provenance");
        }
        for (Double d :
                new Double[] {
                    e.jPerOutputToken(),
                    e.jPerInputToken(),
                    e.jPerImage(),
                    e.jPerMediaSecond(),
                    e.activeParamsB()
                }) {
            if (d != null && (!Double.isFinite(d) || d < 0)) {
                throw new IllegalArgumentException(
                        "Catalog "
                                + origin
                                + ": "
                                + id
                                + " has a negative or non-finite figure "
                                + d);
            }
        }
        if (e.jPerImage() != null && (e.referenceSteps() == null || e.referenceSteps() <= 0)) {
            throw new IllegalArgumentException(
                    "Catalog " + origin + ": " + id + " gives j_per_image without reference_steps");
        }
        return e;
    }

    public String version() {
        return version;
    }

    public CatalogEntry model(String id) {
        return models.get(id);
    }

    public Map<String, CatalogEntry> models() {
        return models;
    }

    public CatalogEntry modalityDefault(Modality m) {
        return defaults.get(m);
    }

    public Parametric parametric() {
        return parametric;
    }

    /** The range of energy figures of provenance p. */
    public EnergyRange range(Provenance p) {
        return ranges.get(p);
    }

    public Hardware hardware() {
        return hardware;
    }
}
