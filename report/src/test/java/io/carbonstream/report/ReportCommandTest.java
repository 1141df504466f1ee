package io.carbonstream.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad options: exit code 2 and a message that says what to fix, before any connection to Kafka. */
class ReportCommandTest {

    @TempDir Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                new CommandLine(new ReportCommand())
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run withPeriod(String from, String to, String... more) {
        String[] args = new String[6 + more.length];
        args[0] = "--from";
        args[1] = from;
        args[2] = "--to";
        args[3] = to;
        args[4] = "--out";
        args[5] = dir.resolve("out").toString();
        System.arraycopy(more, 0, args, 6, more.length);
        return run(args);
    }

    /** A run on a reachable-looking broker for 2026-12-01 (whole hours), with {@code more}. */
    static Run runForADay(String... more) {
        String[] day = {
            "--bootstrap-servers",
            "localhost:1",
            "--from",
            "2026-12-01T00:00:00Z",
            "--to",
            "2026-12-02T00:00:00Z"
        };
        String[] args = java.util.Arrays.copyOf(day, day.length + more.length);
        System.arraycopy(more, 0, args, day.length, more.length);
        return run(args);
    }

    @Test
    void periodNotOnWholeHours() {
        Run r =
                withPeriod(
                        "2026-12-01T00:30:00Z",
                        "2026-12-02T00:00:00Z",
                        "--bootstrap-servers",
                        "localhost:1");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err)
                .contains(
                        "--from must be a whole UTC hour (minutes, seconds and fractions 0), e.g."
                                + " 2026-12-01T00:00:00Z; got 2026-12-01T00:30:00Z");
    }

    @Test
    void toBeforeFrom() {
        Run r =
                withPeriod(
                        "2026-12-02T00:00:00Z",
                        "2026-12-01T00:00:00Z",
                        "--bootstrap-servers",
                        "localhost:1");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err)
                .contains(
                        "--to (2026-12-01T00:00:00Z) must be after --from (2026-12-02T00:00:00Z)");
    }

    @Test
    void notAnInstant() {
        Run r =
                withPeriod(
                        "yesterday", "2026-12-01T00:00:00Z", "--bootstrap-servers", "localhost:1");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err)
                .contains("'yesterday' is not an ISO-8601 UTC instant like 2026-12-01T00:00:00Z");
    }

    @Test
    void missingOut() {
        Run r = runForADay();
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("Missing required option: '--out=DIR'");
    }

    @Test
    void missingBootstrapServers() {
        Run r = withPeriod("2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err)
                .contains(
                        "give --bootstrap-servers HOST:PORT (or bootstrap.servers in"
                                + " --kafka-properties)");
    }

    @Test
    void outIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Run r = runForADay("--out", file.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("--out " + file + " is a file: give a directory");
    }

    @Test
    void helpListsTheOptions() {
        Run r = run("--help");
        assertThat(r.code).isZero();
        assertThat(r.out)
                .contains(
                        "--from=INSTANT",
                        "--to=INSTANT",
                        "--datacenter=ID",
                        "--organisation=ORG",
                        "--annual-matching",
                        "--out=DIR",
                        "--kafka-properties=FILE",
                        "carbonstream.ledger",
                        "carbonstream.restatements");
    }
}
