package io.carbonstream.report;

import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.LedgerEntry;
import io.carbonstream.schema.LedgerModelLine;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.time.Instant;
import java.util.List;

/**
 * Crafted ledger rows and restatements for the tests, with the ledger's own relations between
 * columns.
 */
final class Rows {

    private Rows() {}

    static Instant hour(String iso) {
        return Instant.parse(iso);
    }

    /** A fluent row: the figures a test sets, the rest derived as the ledger defines them. */
    static final class Row {
        String dc = "dc-a";
        String zone = "US-CAL-CISO";
        String org = "acme";
        Instant hour;
        int revision = 1;
        int restatements;
        double kwh;
        double intensity = 200;
        double certificateKwh;
        int certificates;
        double certificateFactor;
        double residual = 300;
        String residualSource = "TABLE:AIB-2024";
        Double supplierFactor;
        double water;
        double embodied;
        double measuredShare;
        double fallbackShare;
        double staleShare;
        String factorType = "lifecycle";
        String methodology = "catalog-2026.1";
        List<LedgerModelLine> models = List.of();

        Row(String dc, String hourIso) {
            this.dc = dc;
            this.hour = hour(hourIso);
        }

        Row zone(String z) {
            zone = z;
            return this;
        }

        Row org(String o) {
            org = o;
            return this;
        }

        Row revision(int r) {
            revision = r;
            return this;
        }

        Row restatements(int r) {
            restatements = r;
            return this;
        }

        Row kwh(double v) {
            kwh = v;
            return this;
        }

        Row intensity(double v) {
            intensity = v;
            return this;
        }

        Row certificates(double kwhOfCertificates, int count, double factor) {
            certificateKwh = kwhOfCertificates;
            certificates = count;
            certificateFactor = factor;
            return this;
        }

        Row residual(double v, String source) {
            residual = v;
            residualSource = source;
            return this;
        }

        Row supplier(double factor) {
            supplierFactor = factor;
            return this;
        }

        Row water(double v) {
            water = v;
            return this;
        }

        Row embodied(double v) {
            embodied = v;
            return this;
        }

        Row shares(double measured, double fallback, double stale) {
            measuredShare = measured;
            fallbackShare = fallback;
            staleShare = stale;
            return this;
        }

        Row models(LedgerModelLine... lines) {
            models = List.of(lines);
            return this;
        }

        LedgerEntry build() {
            double location = kwh * intensity;
            double matched = Math.min(kwh, certificateKwh);
            double unmatched = kwh - matched;
            double certificateGco2e = matched * certificateFactor;
            long requests = models.stream().mapToLong(LedgerModelLine::getRequests).sum();
            return LedgerEntry.newBuilder()
                    .setHourStart(hour)
                    .setHourEnd(hour.plusSeconds(3600))
                    .setDatacenterId(dc)
                    .setZone(zone)
                    .setOrganisation(org)
                    .setRevision(revision)
                    .setAggregateRevision(kwh > 0 ? revision : 0)
                    .setRestatements(restatements)
                    .setRequests(requests)
                    .setInputTokens(
                            models.stream().mapToLong(LedgerModelLine::getInputTokens).sum())
                    .setOutputTokens(
                            models.stream().mapToLong(LedgerModelLine::getOutputTokens).sum())
                    .setImages(models.stream().mapToLong(LedgerModelLine::getImages).sum())
                    .setMediaSeconds(
                            models.stream().mapToDouble(LedgerModelLine::getMediaSeconds).sum())
                    .setFacilityKwh(kwh)
                    .setFacilityKwhLow(kwh * 0.9)
                    .setFacilityKwhHigh(kwh * 1.2)
                    .setEmissionFactorType(factorType)
                    .setMeanIntensity(kwh > 0 ? intensity : 0)
                    .setLocationGco2e(location)
                    .setLocationGco2eLow(kwh * 0.9 * intensity)
                    .setLocationGco2eHigh(kwh * 1.2 * intensity)
                    .setCertificateKwh(certificateKwh)
                    .setCertificates(certificates)
                    .setMatchedKwh(matched)
                    .setUnmatchedKwh(unmatched)
                    .setSurplusKwh(certificateKwh - matched)
                    .setCertificateGco2e(certificateGco2e)
                    .setResidualMixGPerKwh(residual)
                    .setResidualMixSource(residualSource)
                    .setMarketGco2e(certificateGco2e + unmatched * residual)
                    .setSupplierMarketGco2e(supplierFactor == null ? null : kwh * supplierFactor)
                    .setWaterL(water)
                    .setEmbodiedGco2e(embodied)
                    .setSciGco2e(location + embodied)
                    .setMeasuredEnergyShare(measuredShare)
                    .setFallbackShare(fallbackShare)
                    .setStaleShare(staleShare)
                    .setMethodology(methodology)
                    .setModels(models)
                    .build();
        }
    }

    static Row row(String dc, String hourIso) {
        return new Row(dc, hourIso);
    }

    /** A model line whose SCI per unit is derived as the ledger defines it. */
    static LedgerModelLine model(
            String id,
            String unit,
            long requests,
            long inputTokens,
            long outputTokens,
            long images,
            double kwh,
            double location,
            double embodied) {
        double units =
                switch (unit) {
                    case "TOKENS_1K" -> (inputTokens + outputTokens) / 1000.0;
                    case "IMAGE" -> images;
                    default -> requests;
                };
        return LedgerModelLine.newBuilder()
                .setModelId(id)
                .setRequests(requests)
                .setInputTokens(inputTokens)
                .setOutputTokens(outputTokens)
                .setImages(images)
                .setMediaSeconds(0)
                .setFacilityKwh(kwh)
                .setLocationGco2e(location)
                .setEmbodiedGco2e(embodied)
                .setFunctionalUnit(unit)
                .setFunctionalUnits(units)
                .setSciGPerUnit(units == 0 ? 0 : (location + embodied) / units)
                .build();
    }

    static Restatement summary(
            CorrectionKind kind,
            String zone,
            String dc,
            String validFromIso,
            Double oldValue,
            double newValue,
            RestatementStatus status) {
        String id =
                kind == CorrectionKind.INTENSITY
                        ? "INTENSITY|" + zone + "|" + validFromIso + "|" + newValue
                        : "REGISTRY|" + dc + "|" + validFromIso + "|" + newValue;
        return Restatement.newBuilder()
                .setCorrectionId(id)
                .setRecordType(RestatementRecordType.SUMMARY)
                .setKind(kind)
                .setStatus(status)
                .setZone(zone)
                .setDatacenterId(dc)
                .setValidFrom(Instant.parse(validFromIso))
                .setOldValue(oldValue)
                .setNewValue(newValue)
                .setOldSource(oldValue == null ? null : "estimate")
                .setNewSource("measured")
                .setWatermark(Instant.parse(validFromIso).plusSeconds(7200))
                .build();
    }
}
