package io.carbonstream.registry;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import java.io.Serializable;
import java.time.Instant;

/** A datacenter's grid zone and facility factors, from the registry file or topic. A Flink POJO. */
@JsonIgnoreProperties(ignoreUnknown = false)
public class DatacenterProfile implements Serializable {
    @JsonProperty("datacenter_id")
    public String datacenterId;

    @JsonProperty("zone")
    public String zone;

    @JsonProperty("pue")
    public double pue;

    @JsonProperty("wue_l_per_kwh")
    public double wueLPerKwh;

    /** Null: the job's default IT overhead. */
    @JsonProperty("it_overhead")
    public Double itOverhead;

    @JsonProperty("emission_budget_g_per_hour")
    public Double emissionBudgetGPerHour;

    @JsonProperty("market_factor_g_per_kwh")
    public Double marketFactorGPerKwh;

    /**
     * Organisation the datacenter reports under (certificates retired for it count here); null:
     * none.
     */
    @JsonProperty("organisation")
    public String organisation;

    /** Event time from which this version holds; Long.MIN_VALUE: since always. */
    @JsonIgnore public long effectiveFrom = Long.MIN_VALUE;

    public DatacenterProfile() {}

    public DatacenterProfile(String id, String zone, double pue, double wue) {
        this.datacenterId = id;
        this.zone = zone;
        this.pue = pue;
        this.wueLPerKwh = wue;
    }

    /** Null if the profile is usable, else what is wrong with it. */
    public String problem() {
        if (datacenterId == null || datacenterId.isBlank()) return "datacenter_id is empty";
        if (zone == null || zone.isBlank()) return "zone is empty";
        if (!(pue >= 1.0 && pue <= 3.0)) return "pue " + pue + " is outside [1, 3]";
        if (!(wueLPerKwh >= 0 && wueLPerKwh <= 20))
            return "wue_l_per_kwh " + wueLPerKwh + " is outside [0, 20]";
        if (itOverhead != null && !(itOverhead >= 1.0 && itOverhead <= 5.0))
            return "it_overhead " + itOverhead + " is outside [1, 5]";
        if (emissionBudgetGPerHour != null
                && !(emissionBudgetGPerHour > 0 && Double.isFinite(emissionBudgetGPerHour))) {
            return "emission_budget_g_per_hour must be positive";
        }
        if (marketFactorGPerKwh != null
                && !(marketFactorGPerKwh >= 0 && marketFactorGPerKwh <= 3000)) {
            return "market_factor_g_per_kwh " + marketFactorGPerKwh + " is outside [0, 3000]";
        }
        return null;
    }

    /** The registry file's effective_from: an ISO-8601 instant, or absent for "since always". */
    @JsonSetter("effective_from")
    public void effectiveFromIso(String iso) {
        effectiveFrom = iso == null ? Long.MIN_VALUE : Instant.parse(iso).toEpochMilli();
    }

    /** Whether o (possibly null) prices requests exactly as this version does. */
    public boolean samePricing(DatacenterProfile o) {
        return o != null
                && java.util.Objects.equals(zone, o.zone)
                && pue == o.pue
                && wueLPerKwh == o.wueLPerKwh
                && java.util.Objects.equals(itOverhead, o.itOverhead)
                && java.util.Objects.equals(marketFactorGPerKwh, o.marketFactorGPerKwh)
                && java.util.Objects.equals(emissionBudgetGPerHour, o.emissionBudgetGPerHour);
    }

    public double itOverheadOr(double dflt) {
        return itOverhead != null ? itOverhead : dflt;
    }
}
