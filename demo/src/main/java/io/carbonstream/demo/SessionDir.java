package io.carbonstream.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The directory an embedded run writes to: Flink's temporary files (rpc jar, web UI files, blobs,
 * io dirs), the registry file and the log; deleted on close. Directories left by runs that were
 * killed (kill -9) are removed at the next start. (The broker's log dirs are made by Kafka's test
 * kit under the JVM's temp dir and deleted by it on close.)
 */
final class SessionDir implements AutoCloseable {

    static final String PREFIX = "carbonstream-demo-";

    private final Path dir;

    private SessionDir(Path dir) {
        this.dir = dir;
    }

    /**
     * Where this process's session dir is (or will be): known before it exists, e.g. for the log
     * file.
     */
    static Path pathFor(Path parent) {
        return parent.resolve(PREFIX + ProcessHandle.current().pid());
    }

    /**
     * Creates the session dir under {@code parent} (it may exist already if the log file was opened
     * first).
     */
    static SessionDir create(Path parent) {
        try {
            Files.createDirectories(parent);
            removeAbandoned(parent);
            Path dir = Files.createDirectories(pathFor(parent));
            return new SessionDir(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create the demo's working directory under " + parent, e);
        }
    }

    Path path() {
        return dir;
    }

    Path resolve(String name) {
        return dir.resolve(name);
    }

    /** Session dirs whose process is gone. */
    private static void removeAbandoned(Path parent) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path p : ds) {
                String pid = p.getFileName().toString().substring(PREFIX.length());
                try {
                    if (ProcessHandle.of(Long.parseLong(pid))
                            .map(ProcessHandle::isAlive)
                            .orElse(false)) continue;
                } catch (NumberFormatException notOurs) {
                    continue;
                }
                deleteTree(p);
            }
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder())
                    .forEach(
                            f -> {
                                try {
                                    Files.deleteIfExists(f);
                                } catch (IOException ignored) {
                                    // A file still held open: the next start removes what is left.
                                }
                            });
        } catch (IOException | UncheckedIOException ignored) {
            // Files vanishing while walking (a component deleting its own) are fine.
        }
    }

    @Override
    public void close() {
        deleteTree(dir);
    }
}
