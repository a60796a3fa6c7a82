package dev.computeagent.agent.provision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImagePropertiesTest {

    @ParameterizedTest
    @ValueSource(strings = {"yes", "YES", "true", "True", "1", "on", "y", "t", " yes "})
    void theTrueSpellingsOfNovaDeclareAGuestAgent(String value) {
        assertThat(ImageProperties.guestAgent(Map.of("hw_qemu_guest_agent", value))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"no", "false", "0", "off", "", "maybe"})
    void anythingElseOrNothingDoesNot(String value) {
        assertThat(ImageProperties.guestAgent(Map.of("hw_qemu_guest_agent", value))).isFalse();
        assertThat(ImageProperties.guestAgent(Map.of("os_distro", "debian"))).isFalse();
    }
}
