package io.carbonstream.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void idsWithoutSeparatorOrBackslashKeepTheKeysOfEarlierReleases() {
        // The format earlier releases wrote by hand: state and compacted topics depend on it.
        assertThat(
                        Keys.aggregate(
                                "HOUR",
                                "DATACENTER_MODEL",
                                "dc-eu-1",
                                "llama-3-70b",
                                1_700_000_000_000L))
                .isEqualTo("HOUR|DATACENTER_MODEL|dc-eu-1|llama-3-70b|1700000000000");
        assertThat(Keys.aggregate("MINUTE", "MODEL", null, "m", 0)).isEqualTo("MINUTE|MODEL||m|0");
        assertThat(Keys.ledger("dc-1", Instant.parse("2026-11-30T10:00:00Z").toEpochMilli()))
                .isEqualTo("dc-1|2026-11-30T10:00:00Z");
        assertThat(Keys.alert("GRID_SPIKE", "DE")).isEqualTo("GRID_SPIKE|DE");
    }

    @Test
    void aSeparatorInsideAnIdCannotMakeTwoKeysEqual() {
        String a = Keys.aggregate("HOUR", "DATACENTER_MODEL", "a|b", "c", 0);
        String b = Keys.aggregate("HOUR", "DATACENTER_MODEL", "a", "b|c", 0);
        assertThat(a).isNotEqualTo(b);
        assertThat(Keys.split(a)).containsExactly("HOUR", "DATACENTER_MODEL", "a|b", "c", "0");
        assertThat(Keys.split(b)).containsExactly("HOUR", "DATACENTER_MODEL", "a", "b|c", "0");
        assertThat(Keys.join("a\\", "b")).isNotEqualTo(Keys.join("a", "\\b"));
    }

    @Test
    void joinIsInjectiveAndSplitInvertsIt() {
        // Random parts over an alphabet rich in the two special characters: distinct part lists
        // give
        // distinct keys, and each key splits back into its parts.
        Random rnd = new Random(7);
        char[] alphabet = {'a', '|', '\\', 'b'};
        Set<List<String>> seen = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + rnd.nextInt(3);
            String[] parts = new String[n];
            for (int p = 0; p < n; p++) {
                StringBuilder s = new StringBuilder();
                for (int c = rnd.nextInt(4); c > 0; c--)
                    s.append(alphabet[rnd.nextInt(alphabet.length)]);
                parts[p] = s.toString();
            }
            String key = Keys.join((Object[]) parts);
            assertThat(Keys.split(key)).containsExactly(parts);
            if (seen.add(List.of(parts)))
                assertThat(keys.add(key)).as("key %s of %s", key, List.of(parts)).isTrue();
        }
    }
}
