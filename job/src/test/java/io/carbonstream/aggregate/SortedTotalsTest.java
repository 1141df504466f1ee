package io.carbonstream.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The sorted buffer against a TreeMap fed the same random operations. */
class SortedTotalsTest {

    @Test
    void behavesLikeASortedMapOfSums() {
        Random rnd = new Random(7);
        SortedTotals s = new SortedTotals();
        TreeMap<Long, Long> ref = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            long k = rnd.nextInt(500);
            int op = rnd.nextInt(10);
            if (op < 7) {
                Totals t = new Totals();
                t.requests = 1 + rnd.nextInt(3);
                s.merge(k, t);
                ref.merge(k, t.requests, Long::sum);
            } else if (op < 9) {
                long bound = rnd.nextInt(500);
                assertThat(s.countUpTo(bound)).isEqualTo(ref.headMap(bound, true).size());
                assertThat(s.lowerBound(bound)).isEqualTo(ref.headMap(bound, false).size());
                Totals got = s.get(bound);
                assertThat(got == null ? null : got.requests).isEqualTo(ref.get(bound));
            } else {
                int n = rnd.nextInt(Math.max(1, s.size / 4 + 1));
                s.dropFirst(n);
                for (int i = 0; i < n; i++) ref.pollFirstEntry();
            }
            assertThat(s.size).isEqualTo(ref.size());
        }
        int i = 0;
        for (Map.Entry<Long, Long> e : ref.entrySet()) {
            assertThat(s.keys[i]).isEqualTo(e.getKey());
            assertThat(s.values[i].requests).isEqualTo(e.getValue());
            i++;
        }
    }
}
