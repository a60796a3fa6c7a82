package dev.computeagent.agent.migration;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StepRequestIdsTest {

    /** The contract's request id: 1-128 characters of these. */
    private static final String REQUEST_ID = "[A-Za-z0-9._:-]{1,128}";

    @Test
    void aStepOfAnIdWithRoomForItsSuffixIsTheIdAndTheSuffix() {
        assertThat(StepRequestIds.of("req-1", ".prepare")).isEqualTo("req-1.prepare");
        String fits = "r".repeat(128 - ".adopt".length());
        assertThat(StepRequestIds.of(fits, ".adopt")).isEqualTo(fits + ".adopt").hasSize(128);
    }

    @Test
    void aStepOfAnIdWithoutRoomIsADigestOfItTheSameEveryTimeAndAnotherForAnotherId() {
        String longest = "r".repeat(128);
        String step = StepRequestIds.of(longest, ".prepare-again");

        assertThat(step).matches(REQUEST_ID).startsWith("sha256:").endsWith(".prepare-again");
        assertThat(StepRequestIds.of(longest, ".prepare-again")).isEqualTo(step);
        assertThat(StepRequestIds.of("s" + "r".repeat(127), ".prepare-again")).isNotEqualTo(step);
        assertThat(StepRequestIds.of(longest, ".adopt")).isNotEqualTo(step).matches(REQUEST_ID);
    }
}
