package dev.computeagent.hostio.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.ProcessException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommandsTest {

    @Test
    void aLargeOutputNeverBlocksTheCommand() {
        // 4 MiB on stdout: a helper that waited for the exit before reading would hang until its timeout
        String out = Commands.check(Duration.ofSeconds(20), "sh", "-c", "head -c 4194304 /dev/zero | tr '\\0' x; echo");
        assertThat(out).hasSize(1 << 20).containsOnlyOnce("x".repeat(1 << 20));
    }

    @Test
    void aFailedCommandNamesItsExitCodeAndStderr() {
        assertThatThrownBy(() -> Commands.check(Duration.ofSeconds(10), "sh", "-c", "echo nope >&2; exit 4"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited 4").hasMessageContaining("nope");
        assertThat(Commands.succeeds(Duration.ofSeconds(10), "sh", "-c", "exit 4")).isFalse();
        assertThat(Commands.succeeds(Duration.ofSeconds(10), "no-such-program-xyz")).isFalse();
    }

    @Test
    void aCommandPastItsTimeoutIsKilledWithWhatItStarted() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Commands.run(Duration.ofMillis(300), "sh", "-c", "sleep 30 & wait"))
                .isInstanceOfSatisfying(ProcessException.class, e -> assertThat(e.timedOut()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
