package io.carbonstream.cluster;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback-only stand-in for a Prometheus Pushgateway: Flink's PrometheusPushGatewayReporter
 * pushes the same text exposition format that its pull reporter serves on /metrics. Flink 2.2's
 * pull reporter cannot be bound to one address (it listens on all interfaces), so the test receives
 * the metrics this way and listens on 127.0.0.1 only.
 */
final class PushedMetrics implements AutoCloseable {

    private final HttpServer server;

    /** Latest body pushed per push path (one path per reporting process). */
    private final Map<String, String> latest = new ConcurrentHashMap<>();

    PushedMetrics() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext(
                "/",
                exchange -> {
                    try (InputStream in = exchange.getRequestBody()) {
                        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        if (!body.isEmpty()) latest.put(exchange.getRequestURI().getPath(), body);
                    }
                    exchange.sendResponseHeaders(200, -1);
                    exchange.close();
                });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The sample lines of every process whose metric name contains {@code name}. */
    java.util.List<String> samples(String name) {
        return latest.values().stream()
                .flatMap(String::lines)
                .filter(l -> !l.startsWith("#") && l.contains(name))
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
