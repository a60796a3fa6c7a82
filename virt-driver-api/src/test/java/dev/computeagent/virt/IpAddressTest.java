package dev.computeagent.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpAddressTest {

    @Test
    void addressesAreInTheirCanonicalTextForm() throws Exception {
        assertThat(of("10.231.77.48").address()).isEqualTo("10.231.77.48");
        assertThat(of("fe80:0:0:0:5054:00ff:feab:3240").address()).isEqualTo("fe80::5054:ff:feab:3240");
        assertThat(of("2001:db8:0:0:1:0:0:1").address()).as("the first of two equal runs")
                .isEqualTo("2001:db8::1:0:0:1");
        assertThat(of("2001:db8:0:1:1:1:1:1").address()).as("one zero group stays")
                .isEqualTo("2001:db8:0:1:1:1:1:1");
        assertThat(of("0:0:0:0:0:0:0:1").address()).isEqualTo("::1");
        assertThat(of("::").address()).isEqualTo("::");
        assertThat(of("fd00:0:0:0:0:0:0:0").address()).isEqualTo("fd00::");
    }

    @Test
    void aPrefixLongerThanTheAddressIsRefused() {
        assertThatThrownBy(() -> new IpAddress("10.0.0.1", 33)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new IpAddress("fe80::1", 128).prefixLength()).isEqualTo(128);
    }

    private static IpAddress of(String literal) throws Exception {
        return IpAddress.of(InetAddress.getByName(literal), 24);
    }
}
