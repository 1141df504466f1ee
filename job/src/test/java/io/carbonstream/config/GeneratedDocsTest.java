package io.carbonstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The option texts outside the code (docs/options.md, the jar's --help text) are generated from the
 * ConfigOptions and must be up to date. To refresh them after changing an option: {@code mvn -pl
 * job test -Dtest=GeneratedDocsTest -Dregenerate=true}.
 */
class GeneratedDocsTest {

    static void check(Path file, String expected) throws Exception {
        if (Boolean.getBoolean("regenerate")) Files.writeString(file, expected);
        assertThat(Files.exists(file) ? Files.readString(file) : "")
                .as(
                        file
                                + " is out of date: mvn -pl job test -Dtest=GeneratedDocsTest"
                                + " -Dregenerate=true")
                .isEqualTo(expected);
    }

    @Test
    void docsOptionsIsGeneratedFromTheOptions() throws Exception {
        check(Path.of("..", "docs", "options.md"), JobConfig.optionsMarkdown());
    }

    @Test
    void theJarsHelpTextIsGeneratedFromTheOptions() throws Exception {
        check(
                Path.of("src", "main", "resources", "io", "carbonstream", "help.txt"),
                JobConfig.help());
    }

    @Test
    void theLauncherPrintsTheHelpWithoutTouchingFlink() throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            io.carbonstream.LauncherAccess.main("--help");
        } finally {
            System.setOut(stdout);
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        for (var o : JobOptions.all()) assertThat(printed).contains("--" + o.key());
    }
}
