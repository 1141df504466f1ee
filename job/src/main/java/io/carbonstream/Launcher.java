package io.carbonstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The job jar's entry point, free of Flink classes: the jar leaves Flink out (the cluster provides
 * it), so {@code java -jar} on it could not even print the options if {@link CarbonStreamJob} were
 * the main class. --help prints them from a text generated with the jar (checked by
 * GeneratedDocsTest); anything else runs the job, on a cluster ({@code flink run}).
 */
public final class Launcher {

    static final String HELP = "/io/carbonstream/help.txt";

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                System.out.print(help());
                return;
            }
        }
        try {
            Class.forName(
                    "org.apache.flink.streaming.api.environment.StreamExecutionEnvironment",
                    false,
                    Launcher.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            System.err.println(
                    "carbonstream: this jar runs on a Flink cluster: flink run <this jar> [--option"
                        + " value ...] (deploy/local/flink.sh starts one on this machine). --help"
                        + " lists the options.");
            System.exit(2);
            return;
        }
        CarbonStreamJob.main(args);
    }

    static String help() throws IOException {
        try (InputStream in = Launcher.class.getResourceAsStream(HELP)) {
            if (in == null) throw new IOException(HELP + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
