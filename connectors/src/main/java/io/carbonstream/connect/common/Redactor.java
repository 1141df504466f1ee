package io.carbonstream.connect.common;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Masks secrets (API token, password, bearer tokens obtained at run time) in anything that reaches
 * a log line or an exception message. Our own messages never put a secret in; this is the second
 * line, for text that comes from outside (a server's error body or a JSON parser's message that
 * could echo a header back).
 */
public final class Redactor {
    public static final String MASK = "[redacted]";
    private final List<String> secrets = new CopyOnWriteArrayList<>();

    public void add(String secret) {
        if (secret != null && secret.length() >= 4 && !secrets.contains(secret))
            secrets.add(secret);
    }

    public String redact(String text) {
        if (text == null) return null;
        String out = text;
        for (String s : secrets) out = out.replace(s, MASK);
        return out;
    }
}
