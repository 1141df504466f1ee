package io.carbonstream.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of deploy/conf/topics.conf: name, partitions, configs (key=value pairs separated by
 * ';').
 */
record TopicSpec(String name, int partitions, Map<String, String> configs) {

    static List<TopicSpec> read(Path file) throws IOException {
        List<TopicSpec> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) continue;
            String[] f = l.split("\\s+");
            if (f.length != 3)
                throw new IllegalArgumentException(
                        "topics.conf: expected 'name partitions configs' in: " + line);
            Map<String, String> configs = new LinkedHashMap<>();
            if (!f[2].equals("-")) {
                for (String kv : f[2].split(";")) {
                    String[] p = kv.split("=", 2);
                    configs.put(p[0], p[1]);
                }
            }
            out.add(new TopicSpec(f[0], Integer.parseInt(f[1]), configs));
        }
        return out;
    }
}
