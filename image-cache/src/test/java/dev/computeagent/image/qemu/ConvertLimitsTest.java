package dev.computeagent.image.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The budget of one conversion grows with the image, from a floor every image gets. */
class ConvertLimitsTest {

    private static final long GIB = 1L << 30;
    private final ConvertLimits limits = ConvertLimits.defaults(Duration.ofMinutes(10));

    @Test
    void cpuAndWallClockGrowPerStartedGibOfVirtualSize() {
        assertThat(limits.cpuSeconds(2 * GIB)).isEqualTo(60 + 2 * 30);
        assertThat(limits.cpuSeconds(20 * GIB)).isEqualTo(60 + 20 * 30);
        assertThat(limits.cpuSeconds(20 * GIB + 1)).isEqualTo(60 + 21 * 30);
        assertThat(limits.timeout(20 * GIB)).isEqualTo(Duration.ofMinutes(10 + 20));
    }

    @Test
    void aTinyImageGetsTheShareOfOneGib() {
        assertThat(limits.cpuSeconds(512)).isEqualTo(90);
        assertThat(limits.timeout(0)).isEqualTo(Duration.ofMinutes(11));
    }

    @Test
    void theLargestImageACacheAcceptsGetsAFiniteBudget() {
        assertThat(limits.cpuSeconds(16384 * GIB)).isEqualTo(60 + 16384L * 30);
    }

    @Test
    void addressSpaceIsGenerousAndMallocArenasAreFew() {
        assertThat(limits.addressSpaceBytes()).isEqualTo(2 * GIB);
        assertThat(limits.environment()).isEqualTo(Map.of("MALLOC_ARENA_MAX", "2"));
    }
}
