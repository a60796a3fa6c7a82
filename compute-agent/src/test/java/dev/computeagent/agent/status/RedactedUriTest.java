package dev.computeagent.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactedUriTest {

    @Test
    void plainUriIsShownAsIs() {
        assertThat(RedactedUri.of("qemu:///system")).isEqualTo("qemu:///system");
        assertThat(RedactedUri.of("qemu+tcp://hv1:16509/system")).isEqualTo("qemu+tcp://hv1:16509/system");
    }

    @Test
    void userInfoAndQueryAreDropped() {
        assertThat(RedactedUri.of("qemu+ssh://admin:s3cret@hv1/system?keyfile=/root/.ssh/id"))
                .isEqualTo("qemu+ssh://hv1/system");
    }

    @Test
    void unparsableTextIsNotEchoed() {
        assertThat(RedactedUri.of("qemu://a b@c/ s3cret")).doesNotContain("s3cret");
        assertThat(RedactedUri.of(null)).isNull();
    }
}
