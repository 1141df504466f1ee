package io.carbonstream.connect.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The module's version, as Maven filtered it into version.properties (shown by the worker's
 * /connector-plugins).
 */
public final class Version {
    private static final String VERSION = load();

    private Version() {}

    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in =
                Version.class.getResourceAsStream("/io/carbonstream/connect/version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
