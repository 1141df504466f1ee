package io.carbonstream.generator;

import io.carbonstream.schema.Modality;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated fleet: datacenters (each in a grid zone) and the models they serve.
 *
 * <p>{@link #standard(int, int)} is deterministic and needs no seed: the same sizes always give the
 * same fleet, so a benchmark and the demo talk about the same datacenters.
 */
public final class Fleet {

    /** Datacenters of the default fleet: one per zone with the most different grids. */
    public static final int DEFAULT_DATACENTERS = 8;

    /** Models of the default fleet: the 12 catalog models and 4 the catalog does not know. */
    public static final int DEFAULT_MODELS = 16;

    /** Largest fleet {@link #standard} builds. */
    public static final int MAX_DATACENTERS = 100;

    /**
     * The organisation every datacenter of a generated fleet belongs to (the registry's
     * organisation field): certificates retired for it count toward its datacenters in their grid
     * ({@link Certificates}).
     */
    public static final String ORGANISATION = "carbonstream-demo-org";

    private final List<DatacenterSpec> datacenters;
    private final List<ModelSpec> models;
    private final List<Zone> zones;

    public Fleet(List<DatacenterSpec> datacenters, List<ModelSpec> models) {
        if (datacenters.isEmpty() || models.isEmpty())
            throw new IllegalArgumentException("a fleet needs datacenters and models");
        this.datacenters = List.copyOf(datacenters);
        this.models = List.copyOf(models);
        Map<String, Zone> z = new LinkedHashMap<>();
        for (DatacenterSpec d : datacenters) z.putIfAbsent(d.zone().id(), d.zone());
        this.zones = List.copyOf(z.values());
    }

    public static Fleet defaultFleet() {
        return standard(DEFAULT_DATACENTERS, DEFAULT_MODELS);
    }

    /** 24 datacenters in all 10 zones and all 34 models: the size a benchmark wants. */
    public static Fleet large() {
        return standard(24, ALL_MODELS.size());
    }

    /**
     * A fleet of {@code datacenters} datacenters (the first 10 in 10 different zones, then second
     * and further sites in the same zones) and the first {@code models} models of {@link
     * #ALL_MODELS}.
     */
    public static Fleet standard(int datacenters, int models) {
        if (datacenters < 1 || datacenters > MAX_DATACENTERS) {
            throw new IllegalArgumentException(
                    "datacenters must be in [1, " + MAX_DATACENTERS + "], got " + datacenters);
        }
        if (models < 1 || models > ALL_MODELS.size()) {
            throw new IllegalArgumentException(
                    "models must be in [1, " + ALL_MODELS.size() + "], got " + models);
        }
        List<DatacenterSpec> dcs = new ArrayList<>();
        for (int i = 0; i < datacenters; i++) {
            Site s = SITES.get(i % SITES.size());
            int generation = i / SITES.size();
            // Later sites of a region are older colocation halls: a little less efficient, less
            // traffic.
            double pue = Math.min(1.6, s.pue + 0.06 * generation);
            dcs.add(
                    new DatacenterSpec(
                            s.prefix + "-" + (generation + 1),
                            s.zone,
                            round2(pue),
                            s.wue,
                            s.itOverhead,
                            s.market,
                            s.budgetShare,
                            s.weight * Math.pow(0.6, generation),
                            s.telemetry));
        }
        return new Fleet(dcs, ALL_MODELS.subList(0, models));
    }

    public List<DatacenterSpec> datacenters() {
        return datacenters;
    }

    public List<ModelSpec> models() {
        return models;
    }

    /** Zones of the datacenters, each once, in first-use order. */
    public List<Zone> zones() {
        return zones;
    }

    public List<ModelSpec> models(Modality m) {
        return models.stream().filter(x -> x.modality() == m).toList();
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /**
     * A region's site template. PUE/WUE from domain.md section 5: hyperscalers 1.09-1.20 (Google
     * 1.09 with WUE ~0.99, AWS 1.14, Azure 1.20 with WUE 0.27-0.57), colocation under 1.4, the
     * industry average ~1.56-1.58 with WUE ~1.8 L/kWh.
     */
    private record Site(
            String prefix,
            Zone zone,
            double pue,
            double wue,
            Double itOverhead,
            Double market,
            double budgetShare,
            double weight,
            double telemetry) {}

    private static final List<Site> SITES =
            List.of(
                    new Site("dc-us-west", Zones.US_CAL_CISO, 1.09, 0.99, null, null, 0, 1.6, 0.8),
                    new Site(
                            "dc-us-south",
                            Zones.US_TEX_ERCO,
                            1.20,
                            0.45,
                            null,
                            null,
                            1.3,
                            1.0,
                            0.5),
                    new Site("dc-eu-central", Zones.DE, 1.14, 0.30, null, 120.0, 0, 1.0, 0.6),
                    new Site("dc-eu-west-fr", Zones.FR, 1.35, 1.80, null, null, 0, 0.6, 0.0),
                    new Site("dc-eu-north", Zones.SE, 1.09, 0.27, null, 10.0, 0, 0.8, 0.9),
                    new Site("dc-eu-east", Zones.PL, 1.56, 1.80, 1.9, null, 1.2, 0.5, 0.0),
                    new Site("dc-ap-south", Zones.IN_WE, 1.58, 1.80, null, null, 1.2, 0.7, 0.2),
                    new Site("dc-eu-west-gb", Zones.GB, 1.20, 0.57, null, 50.0, 0, 0.8, 0.6),
                    new Site("dc-us-east", Zones.US_MIDA_PJM, 1.14, 0.99, 1.6, null, 0, 1.4, 0.5),
                    new Site("dc-af-south", Zones.ZA, 1.40, 1.80, null, null, 0, 0.3, 0.0));

    /**
     * Every model the generator knows, catalog models first (ids and GPU energy as in the job's
     * catalog/models.json, sources there), then models the catalog does not know: an embedding and
     * an audio model (per-modality default) and text models with a known active parameter count
     * (EcoLogits parametric path).
     */
    public static final List<ModelSpec> ALL_MODELS =
            List.of(
                    ModelSpec.catalogText("llama-3.1-8b", 8, 1, 0.119, 30, 220),
                    ModelSpec.catalogText("llama-3.1-70b", 70, 4, 0.80, 18, 300),
                    ModelSpec.catalogText("llama-3.1-405b", 405, 8, 3.08, 4, 350),
                    ModelSpec.catalogText("qwen3-8b", 8, 1, 0.119, 14, 600),
                    ModelSpec.catalogText(
                            "gpt-oss-20b", 3.6, 1, ModelSpec.ecoLogitsJoulesPerToken(3.6), 10, 700),
                    ModelSpec.image("sd3-medium", 1141, 25, 30),
                    ModelSpec.image("sd3.5-medium", 1580, 28, 30),
                    ModelSpec.image("sd3.5-large", 4250, 28, 20),
                    ModelSpec.image("flux.1-dev", 7750, 50, 20),
                    // CogVideoX-2B: 49 frames at 8 fps; CogVideoX1.5-5B: 81 frames at 16 fps;
                    // HunyuanVideo: 129 frames at 24 fps.
                    ModelSpec.video("cogvideox-2b", 4670, 50, 6.1),
                    ModelSpec.video("cogvideox1.5-5b", 66200, 35, 5.1),
                    ModelSpec.video("hunyuanvideo", 215000, 15, 5.4),
                    // Not in the catalog, no parameter count on the wire: the job's per-modality
                    // default.
                    new ModelSpec("bge-m3", Modality.EMBEDDING, false, null, 1, 0.002, 0, 100, 0),
                    new ModelSpec(
                            "musicgen-medium", Modality.AUDIO, false, null, 1, 500, 0, 100, 15),
                    ModelSpec.parametricText("mistral-7b", 7.2, 1, 12, 200),
                    ModelSpec.parametricText("deepseek-v3", 37, 8, 8, 650),
                    ModelSpec.parametricText("gemma-3-27b", 27, 2, 6, 250),
                    ModelSpec.parametricText("phi-4", 14, 1, 5, 220),
                    ModelSpec.parametricText("qwen3-30b-a3b", 3.3, 2, 6, 600),
                    ModelSpec.parametricText("llama-3.2-3b", 3.2, 1, 6, 150),
                    ModelSpec.parametricText("llama-3.2-1b", 1.2, 1, 4, 120),
                    ModelSpec.parametricText("gemma-3-4b", 4, 1, 4, 180),
                    ModelSpec.parametricText("mistral-small-24b", 24, 2, 5, 240),
                    ModelSpec.parametricText("qwen2.5-72b", 72, 4, 4, 300),
                    ModelSpec.parametricText("qwen3-235b-a22b", 22, 8, 4, 700),
                    ModelSpec.parametricText("llama-4-scout", 17, 4, 5, 260),
                    ModelSpec.parametricText("llama-4-maverick", 17, 8, 4, 280),
                    ModelSpec.parametricText("mixtral-8x7b", 12.9, 2, 3, 230),
                    ModelSpec.parametricText("mixtral-8x22b", 39, 4, 2, 260),
                    ModelSpec.parametricText("command-r-35b", 35, 2, 2, 280),
                    ModelSpec.parametricText("granite-3.1-8b", 8, 1, 2, 200),
                    ModelSpec.parametricText("olmo-2-13b", 13, 1, 2, 220),
                    ModelSpec.parametricText("falcon-3-10b", 10, 1, 2, 210),
                    ModelSpec.parametricText("yi-1.5-34b", 34, 2, 2, 240));
}
