package io.carbonstream.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The earlier versions of a record's schema that producers may still write (resources {@code
 * io/carbonstream/schema/history/<Record>.<n>.avsc} of the schemas module), newest first.
 */
public final class SchemaHistory {

    private SchemaHistory() {}

    public static List<Schema> olderWriters(Schema current) {
        List<Schema> out = new ArrayList<>();
        for (int n = 1; ; n++) {
            String path =
                    "/io/carbonstream/schema/history/" + current.getName() + "." + n + ".avsc";
            try (InputStream in = SchemaHistory.class.getResourceAsStream(path)) {
                if (in == null) break;
                out.add(0, new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
        }
        return out;
    }
}
