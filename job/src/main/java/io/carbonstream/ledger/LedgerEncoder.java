package io.carbonstream.ledger;

import io.carbonstream.aggregate.Totals;
import io.carbonstream.output.Encoders;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.LedgerModelLine;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Ledger rows keyed datacenter|hour on a compacted topic: the latest revision is the row. */
public final class LedgerEncoder extends Encoders.AvroOutput<LedgerRow, LedgerEntry> {

    public LedgerEncoder(String topic) {
        super(
                topic,
                LedgerEntry.class,
                LedgerEncoder::toAvro,
                r -> Encoders.utf8(r.kafkaKey()),
                r -> Encoders.nonNegative(r.hourStart + LedgerCore.HOUR));
    }

    public static LedgerEntry toAvro(LedgerRow r) {
        Totals t = r.totals;
        List<LedgerModelLine> models = new ArrayList<>();
        for (ModelHour m : r.models) {
            FunctionalUnit unit = FunctionalUnit.of(m);
            models.add(
                    LedgerModelLine.newBuilder()
                            .setModelId(m.modelId)
                            .setRequests(m.requests)
                            .setInputTokens(m.inputTokens)
                            .setOutputTokens(m.outputTokens)
                            .setImages(m.images)
                            .setMediaSeconds(m.mediaSeconds)
                            .setFacilityKwh(m.facilityKwh)
                            .setLocationGco2e(m.locationG)
                            .setEmbodiedGco2e(m.embodiedG)
                            .setFunctionalUnit(unit.name())
                            .setFunctionalUnits(unit.units(m))
                            .setSciGPerUnit(FunctionalUnit.sciPerUnit(m))
                            .build());
        }
        double kwh = t.facilityKwh;
        return LedgerEntry.newBuilder()
                .setHourStart(Instant.ofEpochMilli(r.hourStart))
                .setHourEnd(Instant.ofEpochMilli(r.hourStart + LedgerCore.HOUR))
                .setDatacenterId(r.datacenterId)
                .setZone(r.zone)
                .setOrganisation(r.organisation)
                .setRevision(r.revision)
                .setAggregateRevision(r.aggregateRevision)
                .setRestatements(r.restatements)
                .setRequests(t.requests)
                .setInputTokens(t.inputTokens)
                .setOutputTokens(t.outputTokens)
                .setImages(t.images)
                .setMediaSeconds(t.mediaSeconds)
                .setFacilityKwh(kwh)
                .setFacilityKwhLow(t.facilityKwhLow)
                .setFacilityKwhHigh(t.facilityKwhHigh)
                .setEmissionFactorType(r.emissionFactorType == null ? "" : r.emissionFactorType)
                .setMeanIntensity(r.meanIntensity())
                .setLocationGco2e(t.locationG)
                .setLocationGco2eLow(t.locationGLow)
                .setLocationGco2eHigh(t.locationGHigh)
                .setCertificateKwh(r.certificateKwh)
                .setCertificates(r.certificates)
                .setMatchedKwh(r.matchedKwh)
                .setUnmatchedKwh(r.unmatchedKwh)
                .setSurplusKwh(r.surplusKwh)
                .setCertificateGco2e(r.certificateG)
                .setResidualMixGPerKwh(r.residualGPerKwh)
                .setResidualMixSource(r.residualSource)
                .setMarketGco2e(r.marketG)
                .setSupplierMarketGco2e(r.supplierMarketG())
                .setWaterL(t.waterL)
                .setEmbodiedGco2e(t.embodiedG)
                .setSciGco2e(t.locationG + t.embodiedG)
                .setMeasuredEnergyShare(t.gpuJoules > 0 ? t.measuredGpuJoules / t.gpuJoules : 0.0)
                .setFallbackShare(kwh > 0 ? t.fallbackKwh / kwh : 0.0)
                .setStaleShare(kwh > 0 ? t.staleKwh / kwh : 0.0)
                .setMethodology(r.methodology == null ? "" : r.methodology)
                .setAlternativeFactorType(r.alternativeFactorType)
                .setLocationGco2eAlternative(t.alternativeFigure())
                .setAlternativePricedShare(t.alternativeShare())
                .setModels(models)
                .build();
    }
}
