package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.binding.ReportedInterface;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterfaceReportTest {

    private static final NetInterface ON_NETWORK = new NetInterface(InterfaceType.NETWORK, Optional.of("tenant"),
            Optional.of("52:54:00:AB:32:40"), Optional.of("virtio"));
    private static final NetInterface ON_BRIDGE = new NetInterface(InterfaceType.BRIDGE, Optional.of("br0"),
            Optional.of("52:54:00:00:00:02"), Optional.empty());
    private static final IpAddress LEASED = new IpAddress("10.231.77.48", 24);
    private static final IpAddress LINK_LOCAL = new IpAddress("fe80::5054:ff:feab:3240", 64);

    @Test
    void addressesOfBothSourcesAreMergedByMacEachOnceLeaseFirst() {
        Map<AddressSource, List<ReportedInterface>> reported = Map.of(
                AddressSource.LEASE, List.of(new ReportedInterface("vnet0", Optional.of("52:54:00:ab:32:40"),
                        List.of(LEASED))),
                AddressSource.GUEST_AGENT, List.of(
                        new ReportedInterface("lo", Optional.of("00:00:00:00:00:00"),
                                List.of(new IpAddress("127.0.0.1", 8))),
                        new ReportedInterface("ens2", Optional.of("52:54:00:ab:32:40"), List.of(LINK_LOCAL, LEASED))));

        List<InterfaceStatus> nics = InterfaceReport.of(List.of(ON_NETWORK, ON_BRIDGE), reported);

        assertThat(nics).hasSize(2);
        InterfaceStatus first = nics.get(0);
        assertThat(first.mac()).isEqualTo("52:54:00:ab:32:40");
        assertThat(first.type()).isEqualTo(NicSpec.Type.NETWORK);
        assertThat(first.source()).contains("tenant");
        assertThat(first.model()).contains("virtio");
        assertThat(first.guestName()).contains("ens2");
        assertThat(first.addresses()).containsExactly(LEASED, LINK_LOCAL);
        assertThat(first.addressSources()).containsExactlyInAnyOrder(AddressSource.LEASE, AddressSource.GUEST_AGENT);
        InterfaceStatus second = nics.get(1);
        assertThat(second.type()).isEqualTo(NicSpec.Type.BRIDGE);
        assertThat(second.model()).isEmpty();
        assertThat(second.addresses()).as("the guest's loopback is no NIC of the domain").isEmpty();
        assertThat(second.addressSources()).isEmpty();
    }

    @Test
    void aGuestAgentInterfaceWithoutAddressesNamesTheNicButIsNoSource() {
        Map<AddressSource, List<ReportedInterface>> reported = Map.of(AddressSource.GUEST_AGENT,
                List.of(new ReportedInterface("ens2", Optional.of("52:54:00:ab:32:40"), List.of())));

        InterfaceStatus nic = InterfaceReport.of(List.of(ON_NETWORK), reported).get(0);

        assertThat(nic.guestName()).contains("ens2");
        assertThat(nic.addresses()).isEmpty();
        assertThat(nic.addressSources()).isEmpty();
    }

    @Test
    void withoutAnswersTheDefinedNicsAreListedWithoutAddresses() {
        List<InterfaceStatus> nics = InterfaceReport.of(List.of(ON_NETWORK, ON_BRIDGE), Map.of());

        assertThat(nics).extracting(InterfaceStatus::mac).containsExactly("52:54:00:ab:32:40", "52:54:00:00:00:02");
        assertThat(nics).allSatisfy(nic -> assertThat(nic.addresses()).isEmpty());
    }
}
