package dev.computeagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The default operation concurrency follows the host's cores and memory within its bounds. */
class OperationConcurrencyTest {

    @ParameterizedTest(name = "{0} cores, {1} GiB -> {2}")
    @CsvSource({
            "2,   24,   16", // this project's test machine: a burst of 10 spawns runs at once
            "1,    2,    8", // small hosts keep the former fixed default
            "4,    6,    8",
            "4,   64,   32",
            "16,  24,   24", // memory bounds the guests started at once
            "64, 512,   64",
            "0,    0,    8",
    })
    void sizedFromTheHost(int cores, long memoryGib, int expected) {
        assertThat(OperationConcurrency.forHost(cores, memoryGib << 30)).isEqualTo(expected);
    }

    @Test
    void thisHostGetsAValueTheConfigurationAccepts() {
        assertThat(OperationConcurrency.forThisHost()).isBetween(OperationConcurrency.MIN, OperationConcurrency.MAX);
    }
}
