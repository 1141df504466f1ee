package io.carbonstream.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.carbonstream.demo.generator.TrafficOptions;
import io.carbonstream.demo.view.ScreenRenderer;
import io.carbonstream.demo.view.ViewState;
import io.carbonstream.schema.CorrectionKind;
import io.carbonstream.schema.IntensityUpdate;
import io.carbonstream.schema.Restatement;
import io.carbonstream.schema.RestatementRecordType;
import io.carbonstream.schema.RestatementStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * --intensity-replay in the demo: the option is in the help of the run and of generate, needs a
 * datacenter in the replayed zone, names the feeds when given another; the view shows restatements
 * and does not call an hourly feed silent within its hour. The replay itself: IntensityReplayTest
 * in the generator module.
 */
class IntensityReplayDemoTest {

    static final long HOUR = 3_600_000L;

    /** The header of both frames: a running demo that has sent nothing yet. */
    static final ScreenRenderer.Header RUNNING =
            new ScreenRenderer.Header(Long.MIN_VALUE, 144, "-", "-", 0, 0, 0, "RUNNING", 0, 0);

    @Test
    void theOptionIsInTheHelpAndNeedsADatacenterInTheZone() {
        String help = new CommandLine(new EmbeddedRun()).getUsageMessage().replaceAll("\\s+", " ");
        assertThat(help)
                .contains("--intensity-replay=FEED")
                .contains("electricity-maps")
                .contains("not real data");
        assertThat(
                        new CommandLine(new EmbeddedRun())
                                .getSubcommands()
                                .get("generate")
                                .getUsageMessage())
                .contains("--intensity-replay");

        EmbeddedRun run = new EmbeddedRun();
        new CommandLine(run).parseArgs("--intensity-replay", "electricity-maps");
        TrafficOptions.Plan plan = run.traffic.plan(System.currentTimeMillis());
        assertThat(plan.replay().zone()).isEqualTo("DE");

        EmbeddedRun small = new EmbeddedRun();
        new CommandLine(small)
                .parseArgs("--intensity-replay", "electricity-maps", "--fleet-size", "2");
        assertThatThrownBy(() -> small.traffic.plan(System.currentTimeMillis()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zone DE");
        assertThatThrownBy(
                        () ->
                                new CommandLine(new EmbeddedRun())
                                        .parseArgs("--intensity-replay", "watttime"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("electricity-maps");
    }

    @Test
    void theViewShowsTheNewestRestatementOfEachSource() {
        ViewState state = new ViewState();
        state.onRestatement(
                summary("US-CAL-CISO", 231.0, 240.5, "carbonstream-demo synthetic (levels: ...)"));
        state.onRestatement(summary("DE", 357.0, 384.0, "electricitymaps"));
        for (int i = 0; i < 5; i++)
            state.onRestatement(
                    summary(
                            "PL",
                            640.0 + i,
                            650.0 + i,
                            "carbonstream-demo synthetic (levels: ...)"));
        String frame = ScreenRenderer.render(state, RUNNING);
        assertThat(frame).contains("RESTATEMENTS  7 corrections");
        assertThat(frame)
                .contains("DE g/kWh")
                .contains("357.0 -> 384.0")
                .contains("electricitymaps");
        assertThat(frame)
                .contains("PL g/kWh")
                .contains("644.0 -> 654.0")
                .contains("simulated")
                .doesNotContain("US-CAL-CISO g/kWh");
        assertThat(frame.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
    }

    @Test
    void anHourlyFeedIsNotSilentWhenItIsLessThanAnHourBehind() {
        ViewState state = new ViewState();
        long t0 = Instant.parse("2026-11-20T14:00:00Z").toEpochMilli();
        state.onIntensity(update("DE", t0, 300, "electricitymaps"));
        state.onIntensity(update("DE", t0 + HOUR, 338, "electricitymaps"));
        for (long t = t0; t <= t0 + HOUR + 55 * 60_000L; t += 15 * 60_000L)
            state.onIntensity(update("PL", t, 640, "carbonstream-demo synthetic"));
        for (long t = t0; t <= t0 + HOUR; t += 5 * 60_000L)
            state.onIntensity(update("US-CAL-CISO", t, 230, "carbonstream-demo synthetic"));
        for (long t = t0; t <= t0 + HOUR + 55 * 60_000L; t += 5 * 60_000L)
            state.onIntensity(update("GB", t, 150, "carbonstream-demo synthetic"));
        String frame = ScreenRenderer.render(state, RUNNING);
        String de = frame.lines().filter(l -> l.startsWith("  DE ")).findFirst().orElseThrow();
        assertThat(de).contains("electricitymaps").doesNotContain("SILENT");
        String cal =
                frame.lines().filter(l -> l.startsWith("  US-CAL-CISO ")).findFirst().orElseThrow();
        assertThat(cal)
                .contains("SILENT")
                .doesNotContain("electricitymaps")
                .doesNotContain("simulated");
    }

    private static IntensityUpdate update(String zone, long validFrom, double g, String source) {
        return IntensityUpdate.newBuilder()
                .setZone(zone)
                .setValidFrom(Instant.ofEpochMilli(validFrom))
                .setCarbonIntensity(g)
                .setEstimated(false)
                .setSource(source)
                .build();
    }

    private static Restatement summary(
            String zone, double oldValue, double newValue, String source) {
        return Restatement.newBuilder()
                .setCorrectionId("INTENSITY|" + zone + "|0|" + newValue)
                .setRecordType(RestatementRecordType.SUMMARY)
                .setKind(CorrectionKind.INTENSITY)
                .setStatus(RestatementStatus.APPLIED)
                .setZone(zone)
                .setValidFrom(Instant.parse("2026-11-20T17:00:00Z"))
                .setOldValue(oldValue)
                .setNewValue(newValue)
                .setOldSource(source)
                .setNewSource(source)
                .setWatermark(Instant.parse("2026-11-20T19:00:00Z"))
                .build();
    }
}
