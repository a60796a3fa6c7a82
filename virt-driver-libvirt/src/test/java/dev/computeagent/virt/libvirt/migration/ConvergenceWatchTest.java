package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConvergenceWatchTest {

    private final ConvergenceWatch watch = new ConvergenceWatch(Duration.ofSeconds(10));

    @Test
    void passesStartingWithAsMuchLeftAsBeforeAreNotConverging() {
        assertThat(watch.notConverging(s(1), 100, 5000, 1)).isFalse();
        assertThat(watch.notConverging(s(20), 4000, 1000, 2)).as("first later pass").isFalse();
        assertThat(watch.notConverging(s(25), 6000, 10, 2)).as("lows within a pass do not count").isFalse();
        assertThat(watch.notConverging(s(28), 7000, 1100, 3)).isFalse();

        assertThat(watch.notConverging(s(31), 8000, 5, 3)).as("sending, but no pass starts with less").isTrue();
    }

    @Test
    void aPassStartingWithLessLeftRestartsTheWindow() {
        watch.notConverging(s(1), 100, 5000, 2);
        assertThat(watch.notConverging(s(9), 200, 900, 3)).isFalse();

        assertThat(watch.notConverging(s(18), 300, 950, 4)).isFalse();
        assertThat(watch.notConverging(s(20), 400, 10, 4)).isTrue();
    }

    @Test
    void theFirstPassAndSamplesBeforeAnyDataNeverCount() {
        assertThat(watch.notConverging(s(30), 0, 0, 0)).isFalse();
        assertThat(watch.notConverging(s(60), 10, 1000, 1)).isFalse();
        assertThat(watch.notConverging(s(65), 20, 1000, 2)).isFalse();
        assertThat(watch.notConverging(s(74), 30, 1000, 2)).isFalse();
    }

    @Test
    void aHypervisorReportingNoIterationIsNeverCalledNotConverging() {
        assertThat(watch.notConverging(s(1), 10, 1000, 0)).isFalse();
        assertThat(watch.notConverging(s(100), 20, 1000, 0)).isFalse();
    }

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
