package io.carbonstream;

import io.carbonstream.aggregate.AggregateRecord;
import io.carbonstream.aggregate.Dimension;
import io.carbonstream.aggregate.MeteredRequest;
import io.carbonstream.aggregate.PaneDelta;
import io.carbonstream.aggregate.PaneFunction;
import io.carbonstream.aggregate.PricingSettings;
import io.carbonstream.aggregate.RequestIntake;
import io.carbonstream.aggregate.RestatementRecord;
import io.carbonstream.aggregate.WindowAggregator;
import io.carbonstream.aggregate.WindowKind;
import io.carbonstream.alert.AlertRecord;
import io.carbonstream.alert.BudgetFunction;
import io.carbonstream.alert.ForecastSpikeFunction;
import io.carbonstream.alert.GridSpikeFunction;
import io.carbonstream.config.JobConfig;
import io.carbonstream.config.JobOptions;
import io.carbonstream.energy.EnergyRange;
import io.carbonstream.energy.ModelCatalog;
import io.carbonstream.energy.Provenance;
import io.carbonstream.gpu.AttributionWeight;
import io.carbonstream.gpu.CalibrationFunction;
import io.carbonstream.gpu.GpuAttributionFunction;
import io.carbonstream.gpu.GpuAttributionRecord;
import io.carbonstream.gpu.GpuInput;
import io.carbonstream.gpu.GpuOutput;
import io.carbonstream.gpu.GpuUses;
import io.carbonstream.gpu.RecombineOperator;
import io.carbonstream.gpu.RequestEnergy;
import io.carbonstream.gpu.WaitingRequests;
import io.carbonstream.ingest.AccountingSignal;
import io.carbonstream.ingest.ControlEvent;
import io.carbonstream.ingest.ControlIntake;
import io.carbonstream.ingest.DeadLetterRecord;
import io.carbonstream.ingest.IntensityReading;
import io.carbonstream.ingest.RequestEnvelope;
import io.carbonstream.ledger.CertificateIntake;
import io.carbonstream.ledger.LedgerFunction;
import io.carbonstream.ledger.LedgerInput;
import io.carbonstream.ledger.LedgerRow;
import io.carbonstream.otlp.SpanDeduplicator;
import io.carbonstream.registry.RegistryStart;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.Collector;

/**
 * The whole computation, from decoded inputs to output streams, free of any Kafka detail: the unit
 * that integration tests and {@link CarbonStreamJob} both run.
 *
 * <pre>
 * events ──► intake (validate, GPU J) ──keyBy(dc, model)──► price-panes ──► fan-out ──keyBy(dim)──► windows ──► aggregates
 *                 │                                             ▲   │ │ │
 * intensity ─► intake ─┐                                        │   │ │ └──► late events
 * registry ──► intake ─┴─ union ─────────── broadcast ──────────┘   │ └────► restatements
 *                                                                   └──────► dead letters (+ intakes' rejects)
 *
 * intensity (average) ─keyBy(zone)─┐
 * live panes ──────────keyBy(zone)─┴─► spike alerts ─────────────────────┐
 *                                          └► zone status ─┐             │
 * forecasts ─► intake (average, accounting type) ──────────┼─ broadcast  │
 * registry ──► intake ─────────────────────────────────────┘      │      │
 * live panes ──────────keyBy(dc)──────────────────► forecast alerts ─────┤
 * intensity (marginal) keyBy(zone)─┐                                     │
 * live panes ──────────keyBy(zone)─┴─► marginal spike alerts ────────────┤
 * live panes ──────────keyBy(dc)──────────────────► budget alerts ───────┴─► kinds ─► alerts
 *
 * hour windows (dc, dc+model) ─┐
 * certificates ─► intake ──────┴─keyBy(zone)─► ledger (registry broadcast) ──► ledger rows
 *
 * events ─► uses per GPU ─────┐
 * GPU readings ─► intake ─────┴─keyBy(gpu)─► attribution ─keyBy(dc[, model], hour)─► sums ──► gpu attribution
 *                                                 │ pieces of waiting requests (one per GPU)
 * intake ─► waiting? ─yes─keyBy(request)─► recombine (metered sum or estimate; watermark held back) ─┐
 *              └─no──────────────────────────────────────────────────────────────────────────────┴─► price-panes
 * </pre>
 */
public final class Pipeline {

    private Pipeline() {}

    /** The output streams of the job. */
    public record Outputs(
            DataStream<AggregateRecord> aggregates,
            DataStream<AlertRecord> alerts,
            DataStream<DeadLetterRecord> deadLetters,
            DataStream<DeadLetterRecord> lateEvents,
            DataStream<RestatementRecord> restatements,
            DataStream<LedgerRow> ledger,
            DataStream<GpuAttributionRecord> gpuAttribution) {}

    /**
     * The decoded inputs. Required: events, intensity, registry; the others are null when the job
     * has no such input (no OTLP spans, certificates, forecasts or GPU counter readings).
     */
    public record Inputs(
            DataStream<RequestEnvelope> events,
            DataStream<RequestEnvelope> otlpSpans,
            DataStream<ControlEvent> intensity,
            DataStream<ControlEvent> registry,
            DataStream<LedgerInput> certificates,
            DataStream<ControlEvent> forecasts,
            DataStream<GpuInput> gpuSamples) {

        public static Inputs of(
                DataStream<RequestEnvelope> events,
                DataStream<ControlEvent> intensity,
                DataStream<ControlEvent> registry) {
            return new Inputs(events, null, intensity, registry, null, null, null);
        }

        public Inputs withOtlpSpans(DataStream<RequestEnvelope> s) {
            return new Inputs(events, s, intensity, registry, certificates, forecasts, gpuSamples);
        }

        public Inputs withCertificates(DataStream<LedgerInput> s) {
            return new Inputs(events, otlpSpans, intensity, registry, s, forecasts, gpuSamples);
        }

        public Inputs withForecasts(DataStream<ControlEvent> s) {
            return new Inputs(events, otlpSpans, intensity, registry, certificates, s, gpuSamples);
        }

        public Inputs withGpuSamples(DataStream<GpuInput> s) {
            return new Inputs(events, otlpSpans, intensity, registry, certificates, forecasts, s);
        }
    }

    /**
     * As {@link #assemble(DataStream, DataStream, DataStream, RegistryStart, JobConfig)} with the
     * registry file only.
     */
    public static Outputs assemble(
            DataStream<RequestEnvelope> events,
            DataStream<ControlEvent> intensity,
            DataStream<ControlEvent> registry,
            JobConfig cfg) {
        return assemble(events, intensity, registry, RegistryStart.ofFile(cfg.registry()), cfg);
    }

    /**
     * The job from decoded inputs to outputs. {@code registryStart}: the registry as of the start
     * (file plus what the registry topic held then); the registry stream brings what comes after.
     */
    public static Outputs assemble(
            DataStream<RequestEnvelope> events,
            DataStream<ControlEvent> intensity,
            DataStream<ControlEvent> registry,
            RegistryStart registryStart,
            JobConfig cfg) {
        return assemble(events, null, intensity, registry, registryStart, cfg);
    }

    /**
     * As above, with requests from OpenTelemetry spans too ({@code otlpSpans}, null when there is
     * no such input): de-duplicated per span, then priced exactly like the events.
     */
    public static Outputs assemble(
            DataStream<RequestEnvelope> events,
            DataStream<RequestEnvelope> otlpSpans,
            DataStream<ControlEvent> intensity,
            DataStream<ControlEvent> registry,
            RegistryStart registryStart,
            JobConfig cfg) {
        return assemble(events, otlpSpans, intensity, registry, null, registryStart, cfg);
    }

    /**
     * As above, with certificates for the hourly ledger ({@code certificates}, null when there are
     * none: the ledger then prices all load at the residual mix).
     */
    public static Outputs assemble(
            DataStream<RequestEnvelope> events,
            DataStream<RequestEnvelope> otlpSpans,
            DataStream<ControlEvent> intensity,
            DataStream<ControlEvent> registry,
            DataStream<LedgerInput> certificates,
            RegistryStart registryStart,
            JobConfig cfg) {
        return assemble(
                events, otlpSpans, intensity, registry, certificates, null, registryStart, cfg);
    }

    /**
     * As above, with intensity forecasts for the early warning ({@code forecasts}, null when there
     * are none: no FORECAST_SPIKE alerts). Forecasts never reach pricing.
     */
    public static Outputs assemble(
            DataStream<RequestEnvelope> events,
            DataStream<RequestEnvelope> otlpSpans,
            DataStream<ControlEvent> intensity,
            DataStream<ControlEvent> registry,
            DataStream<LedgerInput> certificates,
            DataStream<ControlEvent> forecasts,
            RegistryStart registryStart,
            JobConfig cfg) {
        return assemble(
                new Inputs(events, otlpSpans, intensity, registry, certificates, forecasts, null),
                registryStart,
                cfg);
    }

    /** The job from decoded inputs to outputs: the one method that assembles the pipeline. */
    public static Outputs assemble(Inputs in, RegistryStart registryStart, JobConfig cfg) {
        DataStream<RequestEnvelope> events = in.events();
        DataStream<RequestEnvelope> otlpSpans = in.otlpSpans();
        DataStream<ControlEvent> intensity = in.intensity();
        DataStream<ControlEvent> registry = in.registry();
        DataStream<LedgerInput> certificates = in.certificates();
        DataStream<ControlEvent> forecasts = in.forecasts();
        DataStream<GpuInput> gpuSamples = in.gpuSamples();
        if (otlpSpans != null) events = events.union(otlpRequests(otlpSpans, cfg));
        var dlq = PaneFunction.DEAD_LETTERS;
        PricingSettings pricing = pricingSettings(cfg);

        SingleOutputStreamOperator<MeteredRequest> metered =
                events.process(new RequestIntake(cfg.energyModel(), dlq))
                        .uid(Op.REQUEST_INTAKE.uid)
                        .name(Op.REQUEST_INTAKE.label);
        SingleOutputStreamOperator<ControlEvent> intensityOk =
                intensity
                        .process(new ControlIntake("intensity", dlq))
                        .setParallelism(intensity.getParallelism())
                        .uid(Op.INTENSITY_INTAKE.uid)
                        .name(Op.INTENSITY_INTAKE.label);
        SingleOutputStreamOperator<ControlEvent> registryOk =
                registry.process(new ControlIntake("registry", dlq))
                        .setParallelism(registry.getParallelism())
                        .uid(Op.REGISTRY_INTAKE.uid)
                        .name(Op.REGISTRY_INTAKE.label);

        DataStream<ControlEvent> accountingIntensity =
                intensityOk
                        .filter(new AccountingSignal(accountingFactorType(cfg)))
                        .setParallelism(intensityOk.getParallelism())
                        .uid(Op.ACCOUNTING_SIGNAL.uid)
                        .name(Op.ACCOUNTING_SIGNAL.label);
        // The other factor type's average signal: priced beside the accounting one, never into it.
        DataStream<ControlEvent> alternativeIntensity =
                intensityOk
                        .filter(AccountingSignal.forAlternative(accountingFactorType(cfg)))
                        .setParallelism(intensityOk.getParallelism())
                        .uid(Op.ALTERNATIVE_SIGNAL.uid)
                        .name(Op.ALTERNATIVE_SIGNAL.label);
        BroadcastStream<ControlEvent> control =
                accountingIntensity
                        .union(alternativeIntensity, registryOk)
                        .broadcast(
                                PaneFunction.INTENSITY,
                                PaneFunction.REGISTRY,
                                PaneFunction.ALTERNATIVE);

        // Metered GPU energy: readings and the requests that name their GPUs, per GPU, in event
        // time.
        SingleOutputStreamOperator<GpuInput> samplesOk = null;
        SingleOutputStreamOperator<GpuOutput> attributed = null;
        DataStream<MeteredRequest> toPrice = metered;
        if (gpuSamples != null) {
            boolean priceAttributed = cfg.get(JobOptions.GPU_PRICE_ATTRIBUTED);
            long maxDuration = cfg.ms(JobOptions.MAX_REQUEST_DURATION),
                    gap = cfg.ms(JobOptions.GPU_EXPECTED_SAMPLE_GAP);
            samplesOk =
                    gpuSamples
                            .process(new GpuAttributionFunction.Intake(dlq))
                            .setParallelism(gpuSamples.getParallelism())
                            .uid(Op.GPU_SAMPLE_INTAKE.uid)
                            .name(Op.GPU_SAMPLE_INTAKE.label);
            DataStream<GpuInput> uses =
                    events.flatMap(
                                    new GpuUses(
                                            cfg.energyModel(),
                                            AttributionWeight.valueOf(
                                                    cfg.get(JobOptions.GPU_ATTRIBUTION_WEIGHT)
                                                            .name()),
                                            priceAttributed))
                            .uid(Op.GPU_USES.uid)
                            .name(Op.GPU_USES.label);
            attributed =
                    samplesOk
                            .union(uses)
                            .keyBy(new ByGpu())
                            .process(
                                    new GpuAttributionFunction(
                                            maxDuration, gap, cfg.limits().maxGpuWatts()))
                            .uid(Op.GPU_ATTRIBUTION.uid)
                            .name(Op.GPU_ATTRIBUTION.label);
            if (priceAttributed) {
                // Requests without their own measurement that ran on metered GPUs wait for their
                // pieces, one per GPU,
                // and are priced with the metered sum (or their estimate). The recombiner holds its
                // watermark back
                // by the longest wait, so pricing, and every aggregate after it, is final that much
                // later.
                SingleOutputStreamOperator<MeteredRequest> straight =
                        metered.process(new WaitingRequests())
                                .uid(Op.GPU_WAIT_SPLIT.uid)
                                .name(Op.GPU_WAIT_SPLIT.label);
                DataStream<RequestEnergy> pieces =
                        attributed
                                .flatMap(new WaitingRequests.Pieces())
                                .uid(Op.GPU_PIECES.uid)
                                .name(Op.GPU_PIECES.label)
                                .union(
                                        attributed.getSideOutput(
                                                GpuAttributionFunction.UNATTRIBUTED));
                DataStream<MeteredRequest> recombined =
                        straight.getSideOutput(WaitingRequests.WAITING)
                                .keyBy(new RecombineOperator.ByRequest())
                                .connect(pieces.keyBy(new RecombineOperator.ByPiece()))
                                .transform(
                                        Op.GPU_RECOMBINE.label,
                                        TypeInformation.of(MeteredRequest.class),
                                        new RecombineOperator(
                                                RecombineOperator.bound(maxDuration, gap)))
                                .uid(Op.GPU_RECOMBINE.uid);
                toPrice = straight.union(recombined);
            }
        }

        SingleOutputStreamOperator<PaneDelta> panes =
                toPrice.keyBy(new ByDatacenterModel())
                        .connect(control)
                        .process(new PaneFunction(registryStart, pricing))
                        .uid(Op.PRICE_PANES.uid)
                        .name(Op.PRICE_PANES.label);

        DataStream<AggregateRecord> aggregates =
                panes.flatMap(new FanOut())
                        .uid(Op.FAN_OUT.uid)
                        .name(Op.FAN_OUT.label)
                        .keyBy(new ByDimensionKey())
                        .process(
                                new WindowAggregator(
                                        pricing.allowedLatenessMs(),
                                        pricing.horizonMs(),
                                        cfg.methodology(),
                                        accountingFactorType(cfg)))
                        .uid(Op.WINDOWS.uid)
                        .name(Op.WINDOWS.label);

        // Alerts follow the live figures: a restatement corrects reports, it does not re-raise the
        // past.
        DataStream<PaneDelta> livePanes =
                panes.filter(new LivePanes()).uid(Op.LIVE_PANES.uid).name(Op.LIVE_PANES.label);

        long dwell = cfg.ms(JobOptions.ALERT_MIN_DWELL);
        long rateWindow = cfg.ms(JobOptions.ALERT_RATE_WINDOW);
        double busyKwhPerMinute = cfg.get(JobOptions.ALERT_BUSY_KW) / 60;
        long baselineWindow = cfg.ms(JobOptions.SPIKE_BASELINE_WINDOW);
        SingleOutputStreamOperator<AlertRecord> spikes =
                spikeAlerts(
                        accountingIntensity,
                        new IntensityReadings(),
                        Op.INTENSITY_READINGS,
                        livePanes,
                        new GridSpikeFunction(cfg.spikeRule(), dwell, baselineWindow, rateWindow),
                        Op.SPIKE_ALERTS);
        // The marginal signal feeds its own spike alerts, and nothing else: it is never priced.
        DataStream<AlertRecord> marginalSpikes =
                spikeAlerts(
                        intensityOk,
                        new MarginalReadings(),
                        Op.MARGINAL_READINGS,
                        livePanes,
                        new GridSpikeFunction(
                                GridSpikeFunction.Signal.marginal(busyKwhPerMinute),
                                cfg.marginalRule(),
                                dwell,
                                baselineWindow,
                                rateWindow),
                        Op.MARGINAL_SPIKE_ALERTS);
        DataStream<AlertRecord> budgets =
                livePanes
                        .keyBy(new PaneDatacenter())
                        .process(
                                new BudgetFunction(
                                        cfg.getOptional(JobOptions.BUDGET_DEFAULT),
                                        cfg.get(JobOptions.BUDGET_EXIT_FRACTION),
                                        dwell,
                                        cfg.ms(JobOptions.BUDGET_WINDOW)))
                        .uid(Op.BUDGET_ALERTS.uid)
                        .name(Op.BUDGET_ALERTS.label);

        // The ledger: hourly figures of each datacenter and its models, and the certificates of its
        // grid zone, matched per zone and hour (the registry says where certificates belong).
        DataStream<LedgerInput> ledgerInputs =
                aggregates
                        .flatMap(new LedgerHours())
                        .uid(Op.LEDGER_HOURS.uid)
                        .name(Op.LEDGER_HOURS.label);
        DataStream<DeadLetterRecord> certificateRejects = null;
        if (certificates != null) {
            SingleOutputStreamOperator<LedgerInput> certificatesOk =
                    certificates
                            .process(new CertificateIntake(dlq))
                            .setParallelism(certificates.getParallelism())
                            .uid(Op.CERTIFICATE_INTAKE.uid)
                            .name(Op.CERTIFICATE_INTAKE.label);
            ledgerInputs = ledgerInputs.union(certificatesOk);
            certificateRejects = certificatesOk.getSideOutput(dlq);
        }
        SingleOutputStreamOperator<LedgerRow> ledger =
                ledgerInputs
                        .keyBy(new ByLedgerZone())
                        .connect(registryOk.broadcast(PaneFunction.REGISTRY))
                        .process(
                                new LedgerFunction(
                                        registryStart,
                                        cfg.residualMix(),
                                        cfg.ms(JobOptions.LEDGER_RETENTION)))
                        .uid(Op.LEDGER.uid)
                        .name(Op.LEDGER.label);

        DataStream<AlertRecord> alerts = spikes.union(budgets, marginalSpikes);
        DataStream<DeadLetterRecord> deadLetters =
                metered.getSideOutput(dlq)
                        .union(
                                intensityOk.getSideOutput(dlq),
                                registryOk.getSideOutput(dlq),
                                panes.getSideOutput(dlq),
                                ledger.getSideOutput(dlq));
        if (certificateRejects != null) deadLetters = deadLetters.union(certificateRejects);

        // The early warning: per datacenter, its live load against the forecasts of its zone and of
        // the
        // registry's other zones, and the zones' actual intensity as the grid-spike alert evaluated
        // it.
        if (forecasts != null) {
            String factorType = accountingFactorType(cfg);
            SingleOutputStreamOperator<ControlEvent> forecastsOk =
                    forecasts
                            .process(new ControlIntake("forecasts", dlq))
                            .setParallelism(forecasts.getParallelism())
                            .uid(Op.FORECAST_INTAKE.uid)
                            .name(Op.FORECAST_INTAKE.label);
            DataStream<ControlEvent> usable =
                    forecastsOk
                            .filter(AccountingSignal.forForecasts(factorType))
                            .setParallelism(forecastsOk.getParallelism())
                            .uid(Op.FORECAST_SIGNAL.uid)
                            .name(Op.FORECAST_SIGNAL.label);
            BroadcastStream<ControlEvent> outlook =
                    usable.union(spikes.getSideOutput(GridSpikeFunction.STATUS), registryOk)
                            .broadcast(ForecastSpikeFunction.ZONES, PaneFunction.REGISTRY);
            alerts =
                    alerts.union(
                            livePanes
                                    .keyBy(new PaneDatacenter())
                                    .connect(outlook)
                                    .process(
                                            new ForecastSpikeFunction(
                                                    registryStart,
                                                    cfg.spikeRule(),
                                                    dwell,
                                                    cfg.ms(JobOptions.FORECAST_HORIZON),
                                                    rateWindow,
                                                    busyKwhPerMinute))
                                    .uid(Op.FORECAST_ALERTS.uid)
                                    .name(Op.FORECAST_ALERTS.label));
            deadLetters = deadLetters.union(forecastsOk.getSideOutput(dlq));
        }
        alerts =
                alerts.filter(new KindIn(cfg.alertKinds()))
                        .uid(Op.ALERT_KINDS.uid)
                        .name(Op.ALERT_KINDS.label);
        DataStream<GpuAttributionRecord> gpuAttribution = null;
        if (attributed != null) {
            gpuAttribution =
                    attributed
                            .keyBy(new BySumKey())
                            .process(new CalibrationFunction())
                            .uid(Op.GPU_CALIBRATION.uid)
                            .name(Op.GPU_CALIBRATION.label);
            deadLetters =
                    deadLetters.union(samplesOk.getSideOutput(dlq), attributed.getSideOutput(dlq));
        }
        return new Outputs(
                aggregates,
                alerts,
                deadLetters,
                panes.getSideOutput(PaneFunction.LATE),
                panes.getSideOutput(PaneFunction.RESTATEMENTS),
                ledger,
                gpuAttribution);
    }

    /**
     * What lateness and restatement mean in this run. A bounded run is a backfill of a closed
     * period: every request of it counts however far out of order it arrives (no lateness limit),
     * and as it prices nothing before it has read all intensity and the registry, there is nothing
     * to restate.
     */
    public static PricingSettings pricingSettings(JobConfig cfg) {
        boolean bounded = cfg.get(JobOptions.BOUNDED);
        return new PricingSettings(
                cfg.pricer(),
                bounded ? PricingSettings.UNLIMITED : cfg.ms(JobOptions.ALLOWED_LATENESS),
                bounded ? 0 : cfg.ms(JobOptions.RESTATEMENT_HORIZON),
                cfg.ms(JobOptions.REGISTRY_GRACE),
                cfg.get(JobOptions.IT_OVERHEAD),
                cfg.get(JobOptions.OFFSITE_WATER),
                cfg.get(JobOptions.TOPIC_EVENTS),
                cfg.get(JobOptions.MAX_MODELS_PER_DATACENTER),
                ranges(cfg.energyModel().catalog()),
                cfg.energyModel().catalog().hardware().embodiedGPerGpuJoule(),
                accountingFactorType(cfg));
    }

    /** The emission-factor type priced into the figures, as the intensity records name it. */
    static String accountingFactorType(JobConfig cfg) {
        return cfg.get(JobOptions.INTENSITY_EMISSION_FACTOR_TYPE)
                .name()
                .toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<Provenance, EnergyRange> ranges(ModelCatalog catalog) {
        var m = new EnumMap<Provenance, EnergyRange>(Provenance.class);
        for (var p : Provenance.values()) m.put(p, catalog.range(p));
        return m;
    }

    /** Requests from spans, once per span; spans that could not be mapped go on as dead letters. */
    static DataStream<RequestEnvelope> otlpRequests(
            DataStream<RequestEnvelope> spans, JobConfig cfg) {
        DataStream<RequestEnvelope> unique =
                spans.filter(new Valid())
                        .uid(Op.OTLP_VALID.uid)
                        .name(Op.OTLP_VALID.label)
                        .keyBy(new ByRequestId())
                        .process(new SpanDeduplicator(cfg.ms(JobOptions.OTLP_DEDUPE_WINDOW)))
                        .uid(Op.OTLP_DEDUPE.uid)
                        .name(Op.OTLP_DEDUPE.label);
        return unique.union(
                spans.filter(new Rejected())
                        .uid(Op.OTLP_REJECTED.uid)
                        .name(Op.OTLP_REJECTED.label));
    }

    public static final class Valid
            implements org.apache.flink.api.common.functions.FilterFunction<RequestEnvelope> {
        @Override
        public boolean filter(RequestEnvelope e) {
            return e.request != null;
        }
    }

    public static final class Rejected
            implements org.apache.flink.api.common.functions.FilterFunction<RequestEnvelope> {
        @Override
        public boolean filter(RequestEnvelope e) {
            return e.request == null;
        }
    }

    public static final class ByRequestId implements KeySelector<RequestEnvelope, String> {
        @Override
        public String getKey(RequestEnvelope e) {
            return e.request.requestId;
        }
    }

    /** Pane deltas of requests (first emissions and late requests), not restatements. */
    public static final class LivePanes
            implements org.apache.flink.api.common.functions.FilterFunction<PaneDelta> {
        @Override
        public boolean filter(PaneDelta d) {
            return !d.isRestatement();
        }
    }

    /** Requests of one (datacenter, model) share a zone and a pane. */
    public static final class ByDatacenterModel implements KeySelector<MeteredRequest, String> {
        @Override
        public String getKey(MeteredRequest m) {
            return MeteredRequest.key(m.request.datacenterId, m.request.modelId);
        }
    }

    public static final class ByDimensionKey implements KeySelector<PaneDelta, String> {
        @Override
        public String getKey(PaneDelta d) {
            return d.key();
        }
    }

    /**
     * One signal's spike alerts: its readings (at their input's parallelism, chained to it) and the
     * live panes, both keyed by zone, into a {@link GridSpikeFunction}. The average and the
     * marginal signal are wired alike; only the readings, the function and the uids differ.
     */
    private static SingleOutputStreamOperator<AlertRecord> spikeAlerts(
            DataStream<ControlEvent> control,
            FlatMapFunction<ControlEvent, IntensityReading> readings,
            Op readingsOp,
            DataStream<PaneDelta> livePanes,
            GridSpikeFunction spikes,
            Op alertsOp) {
        return control.flatMap(readings)
                .setParallelism(control.getParallelism())
                .uid(readingsOp.uid)
                .name(readingsOp.label)
                .keyBy(new ByZone())
                .connect(livePanes.keyBy(new PaneZone()))
                .process(spikes)
                .uid(alertsOp.uid)
                .name(alertsOp.label);
    }

    public static final class ByZone implements KeySelector<IntensityReading, String> {
        @Override
        public String getKey(IntensityReading r) {
            return r.zone;
        }
    }

    public static final class PaneZone implements KeySelector<PaneDelta, String> {
        @Override
        public String getKey(PaneDelta d) {
            return d.zone;
        }
    }

    public static final class PaneDatacenter implements KeySelector<PaneDelta, String> {
        @Override
        public String getKey(PaneDelta d) {
            return d.datacenterId;
        }
    }

    /** The intensity updates among the control events. */
    public static final class IntensityReadings
            implements FlatMapFunction<ControlEvent, IntensityReading> {
        @Override
        public void flatMap(ControlEvent e, Collector<IntensityReading> out) {
            if (e.intensity != null) out.collect(e.intensity);
        }
    }

    /**
     * The marginal intensity among the control events: {@code marginal_intensity} where set, else
     * the value of an update of the marginal signal.
     */
    public static final class MarginalReadings
            implements FlatMapFunction<ControlEvent, IntensityReading> {
        @Override
        public void flatMap(ControlEvent e, Collector<IntensityReading> out) {
            IntensityReading r = e.intensity;
            if (r == null) return;
            if (r.marginalGPerKwh != null)
                out.collect(new IntensityReading(r.zone, r.validFrom, r.marginalGPerKwh));
            else if ("marginal".equalsIgnoreCase(r.signal))
                out.collect(new IntensityReading(r.zone, r.validFrom, r.gPerKwh));
        }
    }

    /** The alerts of the kinds this deployment writes (--alerts.kinds). */
    public static final class KindIn
            implements org.apache.flink.api.common.functions.FilterFunction<AlertRecord> {
        private final java.util.Set<io.carbonstream.alert.AlertKind> kinds;

        public KindIn(java.util.Set<io.carbonstream.alert.AlertKind> kinds) {
            this.kinds =
                    kinds.isEmpty()
                            ? java.util.EnumSet.noneOf(io.carbonstream.alert.AlertKind.class)
                            : java.util.EnumSet.copyOf(kinds);
        }

        @Override
        public boolean filter(AlertRecord a) {
            return kinds.contains(a.kind);
        }
    }

    /**
     * HOUR aggregates of datacenters and of (datacenter, model) pairs: what the ledger is made of.
     */
    public static final class LedgerHours implements FlatMapFunction<AggregateRecord, LedgerInput> {
        @Override
        public void flatMap(AggregateRecord a, Collector<LedgerInput> out) {
            if (a.window == WindowKind.HOUR && a.dimension != Dimension.MODEL && a.zone != null)
                out.collect(LedgerInput.of(a));
        }
    }

    public static final class ByGpu implements KeySelector<GpuInput, String> {
        @Override
        public String getKey(GpuInput in) {
            return in.gpuId();
        }
    }

    public static final class BySumKey implements KeySelector<GpuOutput, String> {
        @Override
        public String getKey(GpuOutput o) {
            return o.sumKey();
        }
    }

    public static final class ByLedgerZone implements KeySelector<LedgerInput, String> {
        @Override
        public String getKey(LedgerInput in) {
            return in.zone();
        }
    }

    /** Each (datacenter, model) pane also counts toward its datacenter and its model. */
    public static final class FanOut implements FlatMapFunction<PaneDelta, PaneDelta> {
        @Override
        public void flatMap(PaneDelta d, Collector<PaneDelta> out) {
            out.collect(d);
            out.collect(d.toDimension(Dimension.DATACENTER));
            out.collect(d.toDimension(Dimension.MODEL));
        }
    }
}
