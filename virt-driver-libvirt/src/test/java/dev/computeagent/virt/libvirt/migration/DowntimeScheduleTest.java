package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DowntimeScheduleTest {

    @Test
    void risesLinearlyFromTheInitialLimitToTheMaximum() {
        DowntimeSchedule schedule = new DowntimeSchedule(Duration.ofMillis(50), Duration.ofMillis(500), 10,
                Duration.ofSeconds(1));

        assertThat(schedule.limitAt(Duration.ZERO)).isEqualTo(Duration.ofMillis(50));
        assertThat(schedule.limitAt(Duration.ofMillis(999))).isEqualTo(Duration.ofMillis(50));
        assertThat(schedule.limitAt(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(95));
        assertThat(schedule.limitAt(Duration.ofSeconds(5))).isEqualTo(Duration.ofMillis(275));
        assertThat(schedule.limitAt(Duration.ofSeconds(10))).isEqualTo(Duration.ofMillis(500));
        assertThat(schedule.limitAt(Duration.ofHours(1))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void neverDecreasesNorPassesTheMaximum() {
        DowntimeSchedule schedule = new DowntimeSchedule(Duration.ofMillis(100), Duration.ofMillis(777), 7,
                Duration.ofMillis(300));
        Duration previous = Duration.ZERO;
        for (long ms = 0; ms < 5_000; ms += 50) {
            Duration limit = schedule.limitAt(Duration.ofMillis(ms));
            assertThat(limit).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Duration.ofMillis(777));
            previous = limit;
        }
        assertThat(previous).isEqualTo(Duration.ofMillis(777));
    }

    @Test
    void theDefaultStartsAtLibvirtsLimitAndScalesTheDelayWithMemory() {
        DowntimeSchedule small = DowntimeSchedule.forMemory(Duration.ofMillis(500), 64);
        DowntimeSchedule large = DowntimeSchedule.forMemory(Duration.ofMillis(500), 8192);

        // at least 2 GiB counted: 150 s per step for a tiny guest, 600 s for 8 GiB
        assertThat(small.limitAt(Duration.ZERO)).isEqualTo(Duration.ofMillis(300));
        assertThat(small.limitAt(Duration.ofSeconds(149))).isEqualTo(Duration.ofMillis(300));
        assertThat(small.limitAt(Duration.ofSeconds(150))).isEqualTo(Duration.ofMillis(320));
        assertThat(large.limitAt(Duration.ofSeconds(599))).isEqualTo(Duration.ofMillis(300));
        assertThat(large.limitAt(Duration.ofSeconds(600))).isEqualTo(Duration.ofMillis(320));
        assertThat(large.limitAt(Duration.ofHours(5))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aMaximumBelowLibvirtsDefaultIsUsedThroughout() {
        DowntimeSchedule tight = DowntimeSchedule.forMemory(Duration.ofMillis(40), 64);

        assertThat(tight.limitAt(Duration.ZERO)).isEqualTo(Duration.ofMillis(40));
        assertThat(tight.limitAt(Duration.ofHours(1))).isEqualTo(Duration.ofMillis(40));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new DowntimeSchedule(Duration.ofMillis(1), Duration.ZERO, 10, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DowntimeSchedule(Duration.ofMillis(50), Duration.ofMillis(500), 0,
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DowntimeSchedule(Duration.ofMillis(600), Duration.ofMillis(500), 10,
                Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
