package io.carbonstream.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class DecimalsTest {

    @Test
    void sixDecimalsHalfUpPlain() {
        assertThat(Decimals.format(12.5)).isEqualTo("12.500000");
        assertThat(Decimals.format(0.0)).isEqualTo("0.000000");
        assertThat(Decimals.format(-0.0)).isEqualTo("0.000000");
        assertThat(Decimals.format(1e-7)).isEqualTo("0.000000");
        assertThat(Decimals.format(1e-5)).isEqualTo("0.000010");
        assertThat(Decimals.format(1e12)).isEqualTo("1000000000000.000000");
        assertThat(Decimals.format(new BigDecimal("0.0000005"))).isEqualTo("0.000001");
        assertThat(Decimals.format(new BigDecimal("-0.0000005"))).isEqualTo("-0.000001");
        // 0.1 is 0.1000000000000000055511151231257827... in binary: its exact value rounds to
        // 0.100000.
        assertThat(Decimals.format(0.1)).isEqualTo("0.100000");
    }

    @Test
    void notANumberCannotBeSummed() {
        assertThatThrownBy(() -> Decimals.exact(Double.NaN))
                .hasMessageContaining("not a finite number");
    }

    @Test
    void ratioOfNothingIsZero() {
        assertThat(Decimals.ratio(BigDecimal.TEN, BigDecimal.ZERO)).isEqualTo(BigDecimal.ZERO);
        assertThat(Decimals.format(Decimals.ratio(BigDecimal.ONE, new BigDecimal(3))))
                .isEqualTo("0.333333");
    }
}
