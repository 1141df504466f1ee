package io.carbonstream.ledger;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Residual-mix factors per grid zone: the emission factor of the electricity left once every
 * certificate sold in the zone is taken out, which prices load that no certificate covers under
 * market-based accounting. Published yearly (AIB for Europe, Green-e for the US); the operator
 * supplies them as a CSV file {@code zone,g_per_kwh,source}. A zone without one is priced at its
 * hour's grid average, as the Scope 2 guidance allows when no residual mix exists, and labelled so.
 */
public final class ResidualMix implements Serializable {

    public static final String GRID_AVERAGE = "GRID_AVERAGE";

    /** One zone's factor and where it comes from. */
    public record Factor(double gPerKwh, String source) implements Serializable {}

    private final TreeMap<String, Factor> factors;

    public ResidualMix(Map<String, Factor> factors) {
        this.factors = new TreeMap<>(factors);
    }

    public static ResidualMix none() {
        return new ResidualMix(Map.of());
    }

    /**
     * Reads {@code zone,g_per_kwh,source} lines ('#' comments and a header line starting with
     * "zone" allowed).
     */
    public static ResidualMix read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "Residual-mix file " + file + " cannot be read: " + e.getMessage(), e);
        }
        TreeMap<String, Factor> out = new TreeMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#") || (n == 0 && line.startsWith("zone")))
                continue;
            String[] f = line.split(",", 3);
            String where = "Residual-mix file " + file + " line " + (n + 1) + ": ";
            if (f.length < 3 || f[0].isBlank() || f[2].isBlank()) {
                throw new IllegalArgumentException(
                        where
                                + "expected zone,g_per_kwh,source (the source is required), got: "
                                + line);
            }
            double g;
            try {
                g = Double.parseDouble(f[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "g_per_kwh is not a number: " + f[1]);
            }
            if (!(g >= 0 && g <= 3000))
                throw new IllegalArgumentException(
                        where + "g_per_kwh " + g + " is outside [0, 3000]");
            if (out.put(f[0].strip(), new Factor(g, f[2].strip())) != null) {
                throw new IllegalArgumentException(
                        where + "zone " + f[0].strip() + " is listed twice");
            }
        }
        return new ResidualMix(out);
    }

    /** The zone's factor, or null when the table has none. */
    public Factor of(String zone) {
        return factors.get(zone);
    }
}
