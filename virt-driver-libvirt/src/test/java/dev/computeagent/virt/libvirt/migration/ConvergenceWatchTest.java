package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConvergenceWatchTest {

    private final ConvergenceWatch watch = new ConvergenceWatch(Duration.ofSeconds(10));

    @Test
    void moreDataSentWithoutLessLeftIsNotConverging() {
        assertThat(watch.notConverging(s(1), 100, 1000)).isFalse();
        assertThat(watch.notConverging(s(6), 5000, 1000)).isFalse();

        assertThat(watch.notConverging(s(12), 9000, 1200)).as("sending, but nothing less to send").isTrue();
    }

    @Test
    void aNewLowOfTheRemainingDataRestartsTheWindow() {
        watch.notConverging(s(1), 100, 1000);
        assertThat(watch.notConverging(s(9), 200, 900)).isFalse();

        assertThat(watch.notConverging(s(18), 300, 950)).isFalse();
        assertThat(watch.notConverging(s(20), 400, 950)).isTrue();
    }

    @Test
    void samplesBeforeAnyDataDoNotCount() {
        assertThat(watch.notConverging(s(30), 0, 0)).isFalse();
        assertThat(watch.notConverging(s(35), 10, 1000)).isFalse();
        assertThat(watch.notConverging(s(39), 20, 1000)).isFalse();
    }

    private static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
