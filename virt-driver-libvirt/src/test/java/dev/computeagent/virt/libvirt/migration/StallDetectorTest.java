package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StallDetectorTest {

    private final StallDetector detector = new StallDetector(Duration.ofSeconds(10));

    @Test
    void shrinkingRemainderIsProgress() {
        assertThat(detector.stalled(seconds(0), 100, 1000)).isFalse();
        assertThat(detector.stalled(seconds(8), 200, 900)).isFalse();
        assertThat(detector.stalled(seconds(16), 300, 800)).isFalse();
        assertThat(detector.stalled(seconds(25), 400, 700)).isFalse();
    }

    @Test
    void aRemainderThatNeverShrinksForTheWindowIsAStall() {
        assertThat(detector.stalled(seconds(0), 100, 1000)).isFalse();
        // the guest dirties memory as fast as it is sent: processed grows only when remaining does too
        assertThat(detector.stalled(seconds(5), 100, 1000)).isFalse();
        assertThat(detector.stalled(seconds(10), 100, 1200)).isFalse();
        assertThat(detector.stalled(seconds(11), 100, 1100)).isTrue();
    }

    @Test
    void moreDataProcessedCountsAsProgressEvenWhenTheRemainderGrows() {
        assertThat(detector.stalled(seconds(0), 100, 1000)).isFalse();
        assertThat(detector.stalled(seconds(9), 500, 1500)).isFalse();
        assertThat(detector.stalled(seconds(18), 900, 2000)).isFalse();
    }

    @Test
    void setupWithoutAnyDataDoesNotCountAgainstTheWindow() {
        assertThat(detector.stalled(seconds(0), 0, 0)).isFalse();
        assertThat(detector.stalled(seconds(30), 0, 0)).isFalse();
        assertThat(detector.stalled(seconds(35), 10, 1000)).isFalse();
        assertThat(detector.stalled(seconds(44), 10, 1000)).isFalse();
        assertThat(detector.stalled(seconds(46), 10, 1000)).isTrue();
    }

    private static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
