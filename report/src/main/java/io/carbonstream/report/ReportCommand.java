package io.carbonstream.report;

import io.carbonstream.schema.Restatement;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code report}: reads the hourly ledger for a period and writes ledger.csv, ledger-models.csv,
 * totals.csv, summary.json and report.html into --out. Exit codes: 0 written, 1 could not read or
 * write (the message says why), 2 bad options (the message says what to fix).
 */
@Command(
        name = "carbonstream-report",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reads the hourly Scope 2 / SCI ledger (compacted topic, committed records only, up to"
                + " its end when the command starts) for a period and writes, into --out:"
                + " ledger.csv and ledger-models.csv (the exact rows used), totals.csv,"
                + " summary.json and report.html (one self-contained page). The same topic gives"
                + " byte-identical files."
        },
        exitCodeOnInvalidInput = 2,
        exitCodeOnExecutionException = 1)
public final class ReportCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--bootstrap-servers",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (or bootstrap.servers in --kafka-properties).")
    String bootstrapServers;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "INSTANT",
            converter = HourConverter.class,
            description =
                    "Start of the period, a whole UTC hour, included: e.g. 2026-12-01T00:00:00Z.")
    Instant from;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "INSTANT",
            converter = HourConverter.class,
            description =
                    "End of the period, a whole UTC hour, excluded: e.g. 2026-12-02T00:00:00Z.")
    Instant to;

    @Option(
            names = "--datacenter",
            paramLabel = "ID",
            split = ",",
            description =
                    "Only these datacenters (repeat the option or separate with commas). Default:"
                            + " all.")
    List<String> datacenters = List.of();

    @Option(
            names = "--organisation",
            paramLabel = "ORG",
            description =
                    "Only the datacenters of this organisation (the registry's organisation).")
    String organisation;

    @Option(
            names = "--ledger-topic",
            defaultValue = "carbonstream.ledger",
            paramLabel = "TOPIC",
            description = "Default: ${DEFAULT-VALUE}.")
    String ledgerTopic;

    @Option(
            names = "--restatements-topic",
            defaultValue = "carbonstream.restatements",
            paramLabel = "TOPIC",
            description = "Default: ${DEFAULT-VALUE}.")
    String restatementsTopic;

    @Option(
            names = "--annual-matching",
            description =
                    "Also compute the 2015-style annual matching per datacenter and year, labelled"
                            + " as such beside the hourly result.")
    boolean annualMatching;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description = "Kafka client properties (security settings).")
    Path kafkaProperties;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Directory to write the files into (created if missing).")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReportCommand()).execute(args));
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ReportPeriod period;
        try {
            period = new ReportPeriod(from, to);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(
                    spec.commandLine(), "--out " + out + " is a file: give a directory");
        }
        for (String dc : datacenters) {
            if (dc.isBlank())
                throw new ParameterException(
                        spec.commandLine(), "--datacenter: an empty datacenter id");
        }
        try {
            Properties client = clientProperties();
            LedgerReader reader = new LedgerReader(new TopicReader(client));
            LedgerReader.Latest latest = reader.readLedger(ledgerTopic);
            List<Restatement> summaries = reader.readRestatementSummaries(restatementsTopic);
            Report report =
                    build(period, ReportFilter.of(datacenters, organisation), latest, summaries);
            write(report, out);
            spec.commandLine()
                    .getOut()
                    .printf(
                            "Wrote %s, %s, %s, %s and %s to %s: %d rows of %d keys (%d records"
                                    + " read, %d tombstones), %d restatements in the period.%n",
                            CsvWriter.LEDGER,
                            CsvWriter.MODELS,
                            CsvWriter.TOTALS,
                            JsonWriter.FILE,
                            HtmlReport.FILE,
                            out,
                            report.ledger().rows().size(),
                            latest.rows().size(),
                            latest.records(),
                            latest.tombstones(),
                            report.restatements().size());
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ReportException e) {
            err.println("carbonstream-report: " + e.getMessage());
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("carbonstream-report: cannot write into " + out + ": " + e);
            err.flush();
            return 1;
        }
    }

    Report build(
            ReportPeriod period,
            ReportFilter filter,
            LedgerReader.Latest latest,
            List<Restatement> summaries) {
        LedgerPeriod ledger = new LedgerPeriod(period, filter, latest.rows());
        return new Report(
                ledger,
                ledgerTopic,
                restatementsTopic,
                ledger.restatements(summaries),
                annualMatching ? AnnualMatching.compute(ledger) : null);
    }

    /** Every file of a report, from one {@link Report}. */
    public static void write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        CsvWriter.write(report, dir);
        JsonWriter.write(report, dir);
        HtmlReport.write(report, dir);
    }

    private Properties clientProperties() {
        Properties p = new Properties();
        if (kafkaProperties != null) {
            try (InputStream in = Files.newInputStream(kafkaProperties)) {
                p.load(in);
            } catch (IOException e) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--kafka-properties: cannot read "
                                + kafkaProperties
                                + ": "
                                + e.getMessage());
            }
        }
        if (bootstrapServers != null) p.put("bootstrap.servers", bootstrapServers);
        if (p.getProperty("bootstrap.servers", "").isBlank()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "give --bootstrap-servers HOST:PORT (or bootstrap.servers in"
                            + " --kafka-properties)");
        }
        return p;
    }

    /**
     * ISO-8601 UTC instants, with a message that shows the expected form. Whole hours are checked
     * by {@link ReportPeriod}.
     */
    static final class HourConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not an ISO-8601 UTC instant like 2026-12-01T00:00:00Z");
            }
        }
    }
}
