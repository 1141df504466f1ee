package io.carbonstream.ledger;

import java.util.Arrays;
import java.util.Comparator;

/**
 * One grid zone's hour in the ledger: its datacenters and the certificates delivered in it. A Flink
 * POJO (arrays, no maps: no Kryo).
 */
public class HourState {
    /** Sorted by datacenter id. */
    public DatacenterHour[] datacenters = new DatacenterHour[0];

    /** Sorted by certificate id. */
    public CertificateRecord[] certificates = new CertificateRecord[0];

    public HourState() {}

    DatacenterHour datacenter(String id, String organisation) {
        for (DatacenterHour d : datacenters) {
            if (d.datacenterId.equals(id)) {
                if (organisation != null) d.organisation = organisation;
                return d;
            }
        }
        DatacenterHour d = new DatacenterHour();
        d.datacenterId = id;
        d.organisation = organisation;
        datacenters = Arrays.copyOf(datacenters, datacenters.length + 1);
        datacenters[datacenters.length - 1] = d;
        Arrays.sort(datacenters, Comparator.comparing(x -> x.datacenterId));
        return d;
    }

    /** Adds or replaces (same id: a corrected delivery) a certificate. */
    void put(CertificateRecord c) {
        for (int i = 0; i < certificates.length; i++) {
            if (certificates[i].certificateId.equals(c.certificateId)) {
                certificates[i] = c;
                return;
            }
        }
        certificates = Arrays.copyOf(certificates, certificates.length + 1);
        certificates[certificates.length - 1] = c;
        Arrays.sort(certificates, Comparator.comparing(x -> x.certificateId));
    }

    /** Removes a certificate (a delivery withdrawn by publishing it again with 0 MWh). */
    void remove(String certificateId) {
        certificates =
                Arrays.stream(certificates)
                        .filter(c -> !c.certificateId.equals(certificateId))
                        .toArray(CertificateRecord[]::new);
    }
}
