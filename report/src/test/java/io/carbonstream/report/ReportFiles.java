package io.carbonstream.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The files a report run writes, for the tests that compare two runs. */
public final class ReportFiles {

    /** Every file of a report directory. */
    public static final List<String> ALL =
            List.of(
                    CsvWriter.LEDGER,
                    CsvWriter.MODELS,
                    CsvWriter.TOTALS,
                    JsonWriter.FILE,
                    HtmlReport.FILE);

    private ReportFiles() {}

    /** Every file of {@code second} holds the same bytes as its namesake in {@code first}. */
    public static void assertSameBytes(Path first, Path second) throws IOException {
        for (String file : ALL) {
            assertThat(Files.readAllBytes(second.resolve(file)))
                    .as(file + " of " + second + " and of " + first)
                    .isEqualTo(Files.readAllBytes(first.resolve(file)));
        }
    }
}
