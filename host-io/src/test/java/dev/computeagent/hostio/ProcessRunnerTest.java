package dev.computeagent.hostio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process wrapper every external program goes through: limits, timeout, captured output. */
class ProcessRunnerTest {

    private final ProcessRunner runner = new ProcessRunner();

    @Test
    void appliesCpuAndAddressSpaceLimits() {
        ProcessResult r = runner.run(List.of("sh", "-c", "ulimit -t; ulimit -v"), 30, 1L << 30, Duration.ofSeconds(10));
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout().lines()).containsExactly("30", "1048576");
    }

    @Test
    void capturesStderrAndTheExitCode() {
        ProcessResult r = runner.run(List.of("sh", "-c", "echo broken >&2; exit 3"), 30, 1L << 30,
                Duration.ofSeconds(10));
        assertThat(r).isEqualTo(new ProcessResult(3, "", "broken"));
    }

    @Test
    void killsAProcessThatRunsPastItsTimeout() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> runner.run(List.of("sleep", "30"), 30, 1L << 30, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(ProcessException.class, e -> assertThat(e.timedOut()).isTrue())
                .hasMessageContaining("sleep 30 timed out after PT0.3S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aTimeoutOfZeroIsExpiredBeforeTheProgramStarts(@TempDir Path dir) {
        Path marker = dir.resolve("ran");
        assertThatThrownBy(() -> runner.run(List.of("touch", marker.toString()), Duration.ZERO))
                .isInstanceOfSatisfying(ProcessException.class, e -> assertThat(e.timedOut()).isTrue())
                .hasMessageContaining("timed out after PT0S");
        assertThat(marker).doesNotExist();
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() {
        ProcessResult r = runner.run(List.of("echo", "$(id)", ";", "rm -rf /"), 30, 1L << 30, Duration.ofSeconds(10));
        assertThat(r.stdout()).isEqualTo("$(id) ; rm -rf /");
    }

    @Test
    void missingProgramIsReportedThroughTheExitCodeAndStderr() {
        // prlimit itself starts; it reports the missing program through its exit code and stderr
        ProcessResult r = runner.run(List.of("no-such-program-xyz"), 30, 1L << 30, Duration.ofSeconds(10));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).contains("no-such-program-xyz");
        // without limits there is no prlimit: the program itself cannot start
        assertThatThrownBy(() -> runner.run(List.of("no-such-program-xyz"), Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ProcessException.class, e -> assertThat(e.timedOut()).isFalse())
                .hasMessageContaining("cannot start no-such-program-xyz");
    }

    @Test
    void withoutLimitsTheProgramRunsWithoutPrlimit() {
        ProcessResult r = runner.run(List.of("sh", "-c", "ulimit -t; ulimit -v"), Duration.ofSeconds(10));
        assertThat(r.stdout().lines()).containsExactly("unlimited", "unlimited");
    }

    @Test
    void addsTheGivenEnvironment() {
        ProcessResult r = runner.run(List.of("sh", "-c", "echo $MALLOC_ARENA_MAX"), 30, 1L << 30,
                Map.of("MALLOC_ARENA_MAX", "2"), Duration.ofSeconds(10));
        assertThat(r.stdout()).isEqualTo("2");
    }

    @Test
    void aProcessEndedByItsCpuLimitEndedBySignal() {
        ProcessResult r = runner.run(List.of("sh", "-c", "while :; do :; done"), 1, 0, Duration.ofSeconds(20));
        assertThat(r.endedBySignal()).as("exit %s", r.exitCode()).isTrue();
        assertThat(runner.run(List.of("sh", "-c", "exit 3"), 30, 0, Duration.ofSeconds(10)).endedBySignal()).isFalse();
    }
}
