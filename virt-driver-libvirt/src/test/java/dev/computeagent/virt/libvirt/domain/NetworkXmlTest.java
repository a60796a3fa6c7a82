package dev.computeagent.virt.libvirt.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.libvirt.domain.LibvirtNetwork.ForwardMode;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The typed network XML: round trip, what libvirt adds is ignored, and libvirt's schema accepts every kind. */
class NetworkXmlTest {

    private static final UUID UUID_1 = UUID.fromString("6975eee0-9b9d-4c20-9203-6c49314034aa");
    private static final Ipv4Subnet SUBNET = Ipv4Subnet.of("10.251.7.0/24", "10.251.7.10", "10.251.7.100");

    @TempDir
    Path dir;

    static Stream<LibvirtNetwork> networks() {
        return Stream.of(
                new LibvirtNetwork("nat-1", UUID_1, Optional.of(ForwardMode.NAT), Optional.empty(), Optional.of(SUBNET)),
                new LibvirtNetwork("iso-1", UUID_1, Optional.empty(), Optional.empty(), Optional.of(SUBNET)),
                new LibvirtNetwork("br-1", UUID_1, Optional.of(ForwardMode.BRIDGE), Optional.of("cabr0"),
                        Optional.empty()));
    }

    @ParameterizedTest
    @MethodSource("networks")
    void everyKindSurvivesRenderAndParse(LibvirtNetwork network) {
        String xml = NetworkXml.render(network);

        assertThat(NetworkXml.parse(xml)).isEqualTo(network);
        assertThat(NetworkXml.render(NetworkXml.parse(xml))).isEqualTo(xml);
    }

    @ParameterizedTest
    @MethodSource("networks")
    void everyKindIsValidForLibvirtsSchema(LibvirtNetwork network) throws Exception {
        Prerequisites.requireVirtXmlValidate();
        Path file = Files.createTempFile(dir, "network-", ".xml");
        Files.writeString(file, NetworkXml.render(network));

        ProcessResult result = validate(file);

        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    }

    @Test
    void validatorRejectsAnElementLibvirtDoesNotKnow() throws Exception {
        Prerequisites.requireVirtXmlValidate();
        Path file = Files.createTempFile(dir, "invalid-", ".xml");
        Files.writeString(file, NetworkXml.render(networks().findFirst().orElseThrow())
                .replace("<forward", "<frobnicator/><forward"));

        assertThat(validate(file).exitCode()).isNotZero();
    }

    @Test
    void whatLibvirtAddsIsIgnoredAndTheNetmaskBecomesThePrefix() {
        String dumped = """
                <network>
                  <name>ca-probe-nat1</name>
                  <uuid>6975eee0-9b9d-4c20-9203-6c49314034aa</uuid>
                  <forward mode='nat'>
                    <nat>
                      <port start='1024' end='65535'/>
                    </nat>
                  </forward>
                  <bridge name='virbr1' stp='on' delay='0'/>
                  <mac address='52:54:00:a0:61:44'/>
                  <ip address='10.251.7.1' netmask='255.255.255.0'>
                    <dhcp>
                      <range start='10.251.7.10' end='10.251.7.100'/>
                    </dhcp>
                  </ip>
                </network>
                """;

        LibvirtNetwork parsed = NetworkXml.parse(dumped);

        assertThat(parsed).isEqualTo(new LibvirtNetwork("ca-probe-nat1", UUID_1, Optional.of(ForwardMode.NAT),
                Optional.of("virbr1"), Optional.of(SUBNET)));
    }

    @Test
    void aForwardModeTheModelDoesNotKnowIsRefused() {
        assertThatThrownBy(() -> NetworkXml.parse("<network><name>n</name><uuid>" + UUID_1
                + "</uuid><forward mode='hostdev'/></network>"))
                .isInstanceOf(DomainXmlException.class).hasMessageContaining("hostdev");
    }

    private static ProcessResult validate(Path file) {
        return new ProcessRunner().run(List.of("virt-xml-validate", file.toString(), "network"), 20, 2L << 30,
                Duration.ofSeconds(20));
    }
}
