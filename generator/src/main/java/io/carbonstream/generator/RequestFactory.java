package io.carbonstream.generator;

import io.carbonstream.schema.InferenceEvent;
import io.carbonstream.schema.Modality;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Draws one realistic request: where it ran (datacenters weighted by traffic and local time of
 * day), what (mostly text chat, some images, a few videos), how big (log-normal token counts), how
 * long it held its GPUs and, where the datacenter meters its GPUs, how much energy it measured.
 */
final class RequestFactory {

    /** Share of requests by modality, before restricting to the fleet's models. */
    static final Map<Modality, Double> MIX =
            new EnumMap<>(
                    Map.of(
                            Modality.TEXT, 0.82,
                            Modality.EMBEDDING, 0.07,
                            Modality.IMAGE, 0.085,
                            Modality.AUDIO, 0.02,
                            Modality.VIDEO, 0.005));

    private final Fleet fleet;
    private final SplittableRandom rnd;
    private final String idPrefix;
    private final Map<Modality, List<ModelSpec>> byModality = new EnumMap<>(Modality.class);
    private final Map<Modality, Double> mix = new EnumMap<>(Modality.class);
    private long sequence;

    /** True GPU energy of the last request drawn (what a meter would read, unrounded). */
    private double lastJoules;

    RequestFactory(Fleet fleet, long seed) {
        this.fleet = fleet;
        this.rnd = Seeds.stream(seed, "requests");
        this.idPrefix = "req-" + Long.toHexString(seed) + "-";
        double total = 0;
        for (Modality m : Modality.values()) {
            List<ModelSpec> ms = fleet.models(m);
            if (!ms.isEmpty()) {
                byModality.put(m, ms);
                total += MIX.getOrDefault(m, 0.0);
            }
        }
        for (Modality m : byModality.keySet()) mix.put(m, MIX.getOrDefault(m, 0.0) / total);
    }

    /** Fleet-wide load factor at t (mean 1 over a day): scales the arrival rate. */
    double load(long t) {
        double sum = 0;
        double weights = 0;
        for (DatacenterSpec d : fleet.datacenters()) {
            sum += d.trafficWeight() * LoadCurve.at(t, d.zone().utcOffsetHours());
            weights += d.trafficWeight();
        }
        return sum / weights;
    }

    InferenceEvent next(long eventTime) {
        DatacenterSpec dc = pickDatacenter(eventTime);
        ModelSpec model = pickModel();
        InferenceEvent.Builder b =
                InferenceEvent.newBuilder()
                        .setRequestId(idPrefix + (sequence++))
                        .setEventTime(Instant.ofEpochMilli(eventTime))
                        .setDatacenterId(dc.id())
                        .setModelId(model.id())
                        .setModality(model.modality())
                        .setGpuCount(model.gpus())
                        .setMeasuredGpuJoules(null)
                        .setActiveParamsB(!model.inCatalog() ? model.activeParamsB() : null);
        double joules;
        double concurrency;
        switch (model.modality()) {
            case TEXT -> {
                long in = clamp(Seeds.logNormal(rnd, 350, 1.1), 1, 131_072);
                long out = clamp(Seeds.logNormal(rnd, model.medianOutput(), 0.9), 1, 16_384);
                b.setInputTokens(in).setOutputTokens(out);
                // Prefill is cheap next to decoding but not free: ~1% of a decoded token per input
                // token.
                joules = model.joulesPerUnit() * (out + 0.01 * in);
                concurrency = 32; // a request shares its GPUs with a continuous batch of ~32
            }
            case EMBEDDING -> {
                long in = clamp(Seeds.logNormal(rnd, 250, 0.9), 1, 8_192);
                b.setInputTokens(in).setOutputTokens(0);
                joules = model.joulesPerUnit() * in;
                concurrency = 64;
            }
            case IMAGE -> {
                double u = rnd.nextDouble();
                int images = u < 0.8 ? 1 : u < 0.9 ? 2 : 4;
                int steps = rnd.nextDouble() < 0.6 ? 0 : STEPS[rnd.nextInt(STEPS.length)];
                b.setImages(images).setDiffusionSteps(steps);
                joules =
                        model.joulesPerUnit()
                                * images
                                * (steps == 0 ? 1.0 : (double) steps / model.referenceSteps());
                concurrency = 1;
            }
            default -> { // VIDEO, AUDIO: generated seconds
                double seconds =
                        model.modality() == Modality.VIDEO
                                ? Math.round(
                                                model.medianOutput()
                                                        * Seeds.uniform(rnd, 0.6, 2.0)
                                                        * 10)
                                        / 10.0
                                : Math.round(
                                                Math.min(
                                                                300,
                                                                Seeds.logNormal(
                                                                        rnd,
                                                                        model.medianOutput(),
                                                                        0.7))
                                                        * 10)
                                        / 10.0;
                seconds = Math.max(0.1, seconds);
                b.setMediaSeconds(seconds);
                joules = model.joulesPerUnit() * seconds;
                concurrency = 1;
            }
        }
        // What a meter would read: the figure with per-request scatter.
        joules *= Seeds.logNormal(rnd, 1.0, 0.2);
        lastJoules = joules;
        double wattsPerGpu = Seeds.uniform(rnd, 350, 650);
        // The request's wall time at that draw; J <= gpus x 650 W x duration keeps every
        // measurement
        // far under the job's plausibility ceiling of gpus x 1500 W x duration.
        long durationMs =
                Math.max(
                        1,
                        (long)
                                Math.ceil(
                                        joules
                                                * concurrency
                                                / (model.gpus() * wattsPerGpu)
                                                * 1000));
        b.setDurationMs(durationMs);
        if (rnd.nextDouble() < dc.telemetryShare()) {
            b.setMeasuredGpuJoules(Math.round(joules * 1000) / 1000.0);
        }
        return b.build();
    }

    /** The true GPU energy of the request {@link #next} returned last, J over all its GPUs. */
    double lastJoules() {
        return lastJoules;
    }

    private static final int[] STEPS = {20, 28, 30, 40, 50};

    private DatacenterSpec pickDatacenter(long t) {
        List<DatacenterSpec> dcs = fleet.datacenters();
        double[] w = new double[dcs.size()];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            DatacenterSpec d = dcs.get(i);
            w[i] = d.trafficWeight() * LoadCurve.at(t, d.zone().utcOffsetHours());
            total += w[i];
        }
        double u = rnd.nextDouble() * total;
        for (int i = 0; i < w.length; i++) {
            u -= w[i];
            if (u < 0) return dcs.get(i);
        }
        return dcs.get(dcs.size() - 1);
    }

    private ModelSpec pickModel() {
        double u = rnd.nextDouble();
        Modality chosen = null;
        for (Map.Entry<Modality, Double> e : mix.entrySet()) {
            chosen = e.getKey();
            u -= e.getValue();
            if (u < 0) break;
        }
        List<ModelSpec> ms = byModality.get(chosen);
        double total = 0;
        for (ModelSpec m : ms) total += m.popularity();
        double v = rnd.nextDouble() * total;
        for (ModelSpec m : ms) {
            v -= m.popularity();
            if (v < 0) return m;
        }
        return ms.get(ms.size() - 1);
    }

    private static long clamp(double v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, Math.round(v)));
    }
}
