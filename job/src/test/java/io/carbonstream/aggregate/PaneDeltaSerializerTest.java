package io.carbonstream.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The hand-written serializer against reflection: every instance field of PaneDelta and Totals is
 * set to its own non-default value and must come back, so a field added to either class and
 * forgotten in the serializer fails here.
 */
class PaneDeltaSerializerTest {

    private static final PaneDeltaSerializer S = PaneDeltaSerializer.INSTANCE;

    @Test
    void everyFieldRoundTrips() throws Exception {
        PaneDelta d = filled();
        PaneDelta back = roundTrip(d);
        assertSameFields(d, back);
        assertSameFields(d.totals, back.totals);
    }

    @Test
    void copyIsDeepAndComplete() throws Exception {
        PaneDelta d = filled();
        PaneDelta c = S.copy(d);
        assertSameFields(d, c);
        assertSameFields(d.totals, c.totals);
        assertThat(c.totals).isNotSameAs(d.totals);
        assertThat(c.totals.mixIntensity).isNotSameAs(d.totals.mixIntensity);
        assertThat(c.totals.mixRequests).isNotSameAs(d.totals.mixRequests);
        c.totals.addMix(999.0, 1);
        assertThat(d.totals.mixSize).isEqualTo(2);
    }

    @Test
    void nullsRoundTrip() throws Exception {
        PaneDelta d = new PaneDelta(Dimension.MODEL, null, "m", 60_000, null);
        PaneDelta back = roundTrip(d);
        assertSameFields(d, back);
        assertThat(back.totals).isNull();

        PaneDelta empty = new PaneDelta(Dimension.DATACENTER, "dc", null, 0, new Totals());
        PaneDelta e = roundTrip(empty);
        assertSameFields(empty.totals, e.totals);
        assertThat(e.totals.mixIntensity).isNull();
        // A mix read back grows as one built in place.
        e.totals.addMix(100.0, 3);
        e.totals.addMix(200.0, 2);
        e.totals.addMix(300.0, 1);
        assertThat(e.totals.lowestIntensity()).isEqualTo(100.0);
        assertThat(e.totals.highestIntensity()).isEqualTo(300.0);
    }

    @Test
    void flinkUsesItForPaneStreams() {
        assertThat(TypeInformation.of(PaneDelta.class).createSerializer(new SerializerConfigImpl()))
                .isInstanceOf(PaneDeltaSerializer.class);
        // Totals alone (in state inside pending panes and windows) keeps Flink's POJO serializer.
        assertThat(TypeInformation.of(Totals.class).createSerializer(new SerializerConfigImpl()))
                .isNotInstanceOf(PaneDeltaSerializer.class)
                .extracting(x -> x.getClass().getSimpleName())
                .isEqualTo("PojoSerializer");
    }

    private static PaneDelta roundTrip(PaneDelta d) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(d, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        PaneDelta back = S.deserialize(in);
        assertThat(in.available()).as("bytes left after the record").isZero();
        return back;
    }

    private static PaneDelta filled() throws Exception {
        PaneDelta d = new PaneDelta();
        fill(d, 1);
        d.totals = new Totals();
        fill(d.totals, 100);
        d.totals.mixIntensity = new double[] {120.5, 340.25, 0};
        d.totals.mixRequests = new long[] {7, -2, 0};
        d.totals.mixSize = 2;
        return d;
    }

    /** Sets every instance field of o to a value of its own, different from its default. */
    private static void fill(Object o, int seed) throws Exception {
        int i = seed;
        for (Field f : fields(o.getClass())) {
            i++;
            Class<?> t = f.getType();
            if (t == long.class) f.setLong(o, 1000L + i);
            else if (t == int.class) f.setInt(o, 10 + i);
            else if (t == double.class) f.setDouble(o, i + 0.125);
            else if (t == Double.class) f.set(o, i + 0.75);
            else if (t == String.class) f.set(o, f.getName() + "-" + i);
            else if (t == Dimension.class) f.set(o, Dimension.DATACENTER_MODEL);
            else if (t == Totals.class || t.isArray()) continue; // set by the caller
            else throw new AssertionError("test does not know how to fill " + f);
        }
    }

    private static void assertSameFields(Object expected, Object actual) throws Exception {
        for (Field f : fields(expected.getClass())) {
            if (f.getType() == Totals.class) continue; // compared on its own
            assertThat(f.get(actual)).as(f.getName()).isEqualTo(f.get(expected));
        }
    }

    private static List<Field> fields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        for (Field f : c.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            f.setAccessible(true);
            out.add(f);
        }
        assertThat(out).isNotEmpty();
        return out;
    }
}
