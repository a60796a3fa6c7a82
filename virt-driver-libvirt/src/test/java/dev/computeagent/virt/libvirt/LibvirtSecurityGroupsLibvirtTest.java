package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.domain.DomainNames;
import dev.computeagent.virt.libvirt.domain.NwFilterXml;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.SecurityRule;
import dev.computeagent.virt.network.SecurityRule.Direction;
import dev.computeagent.virt.network.SecurityRule.Ethertype;
import dev.computeagent.virt.network.SecurityRule.Protocol;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Security groups as libvirt nwfilters on the real libvirtd, with the tiny guest on a NAT network of the test's
 * own: the filter is libvirt-schema-valid, the guest's NIC references it and is bound to it with anti-spoofing in
 * place, a redefinition replaces the running guest's rules without a restart, and the filter goes once the guest
 * is gone, a NIC hot plugged later is filtered like the others. (The tiny guest sends no packet, so libvirt never learns its IP and never instantiates the IP-level
 * rules: what they do to traffic needs the real guest.)
 */
class LibvirtSecurityGroupsLibvirtTest {

    private final String network = "ca-t-sg-" + Long.toHexString(ThreadLocalRandom.current().nextLong(0x100000L,
            0xffffffL));
    private final UUID uuid = UUID.randomUUID();
    private LibvirtComputeDriver compute;
    private LibvirtSecurityGroups groups;
    private GuestDisks disks;

    @BeforeEach
    void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        compute = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        groups = new LibvirtSecurityGroups(compute.connectionManager());
        disks = new GuestDisks();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        new LibvirtNetworkDriver(compute.connectionManager()).ensure(NetworkDefinition.nat(network,
                Ipv4Subnet.of("10." + random.nextInt(200, 250) + "." + random.nextInt(0, 256) + ".0/24", "", "")));
    }

    @AfterEach
    void cleanUp() {
        if (compute != null) {
            compute.destroy(uuid);
            groups.remove(uuid);
            Commands.run(Duration.ofSeconds(20), "virsh", "-c", Virsh.SYSTEM, "net-destroy", network);
            Commands.run(Duration.ofSeconds(20), "virsh", "-c", Virsh.SYSTEM, "net-undefine", network);
            compute.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    void theInstancesWithAFilterAreListedFromLibvirtsFiltersOnly() {
        groups.apply(uuid, List.of(ssh()));
        UUID other = UUID.randomUUID();
        groups.apply(other, List.of());
        try {
            // libvirt's own filters (clean-traffic and the rest) are no instance's
            assertThat(Virsh.run("nwfilter-list")).contains("clean-traffic", DomainNames.securityGroupFilter(other));
            assertThat(groups.filteredInstances()).contains(uuid, other)
                    .allSatisfy(u -> assertThat(Virsh.run("nwfilter-list")).contains(DomainNames.securityGroupFilter(u)));
        } finally {
            groups.remove(other);
        }
        assertThat(groups.filteredInstances()).contains(uuid).doesNotContain(other);
    }

    @Test
    void filterIsValidForLibvirtsSchema() throws Exception {
        Prerequisites.requireVirtXmlValidate();
        Path file = disks.root().resolve("filter.xml");
        Files.writeString(file, NwFilterXml.render(LibvirtSecurityGroups.filter(
                uuid, List.of(ssh(), icmpFrom("192.168.0.0/16"), new SecurityRule(Direction.EGRESS, Protocol.UDP,
                        Optional.of(53), Optional.of(53), Optional.of("2001:db8::/32"), Ethertype.IPV6)))));

        ProcessResult result = new ProcessRunner().run(List.of("virt-xml-validate", file.toString(), "nwfilter"),
                Duration.ofSeconds(20));

        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    }

    @Test
    void rulesReachTheRunningGuestsTapAndChangeLiveAndTheFilterGoesWithTheGuest() {
        groups.apply(uuid, List.of(ssh()));
        compute.spawn(new InstanceSpec(uuid, new InstanceMetadata("sg", new Flavor(1, 64, 1, 0), "tiny", "test-host",
                Map.of(), Map.of()), List.of(disks.overlay(uuid)), List.of(NicSpec.network(network)),
                disks.consoleLog(uuid), false, false, true));

        String domain = Virsh.run("dumpxml", uuid.toString());
        String filter = LibvirtSecurityGroups.filterName(uuid);
        assertThat(domain).contains("<filterref filter='" + filter + "'");
        String tap = domain.replaceAll("(?s).*<target dev='([^']+)'.*", "$1");
        String mac = domain.replaceAll("(?s).*<mac address='([^']+)'.*", "$1");
        assertThat(Virsh.run("nwfilter-binding-list")).containsPattern(tap + "\\s+" + filter);
        // anti-spoofing follows the tap's binding within moments (libvirt instantiates it on its own thread); the
        // IP-level rules only once libvirt has learnt the guest's address
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Commands.check(Duration.ofSeconds(20),
                "ebtables", "-t", "nat", "-L")).contains("-i " + tap).contains("-s ! " + mac + " -j DROP"));
        assertThat(Virsh.run("nwfilter-dumpxml", filter)).contains("dstportstart='22'");

        groups.apply(uuid, List.of(new SecurityRule(Direction.INGRESS, Protocol.TCP, Optional.of(8080),
                Optional.of(8080), Optional.empty(), Ethertype.IPV4)));

        assertThat(Virsh.run("nwfilter-dumpxml", filter)).contains("dstportstart='8080'")
                .doesNotContain("dstportstart='22'");
        assertThat(Virsh.run("nwfilter-binding-list")).containsPattern(tap + "\\s+" + filter);
        assertThat(Virsh.domstate(uuid)).isEqualTo("running");
        assertThatThrownBy(() -> groups.remove(uuid)).as("in use by the running guest")
                .isInstanceOf(DriverException.class);

        compute.destroy(uuid);
        groups.remove(uuid);
        groups.remove(uuid);

        assertThat(Virsh.run("nwfilter-list")).doesNotContain(LibvirtSecurityGroups.filterName(uuid));
    }

    @Test
    void aNicHotPluggedIntoAFilteredInstanceIsFilteredLikeItsOthers() {
        groups.apply(uuid, List.of(ssh()));
        compute.spawn(new InstanceSpec(uuid, new InstanceMetadata("sg-plug", new Flavor(1, 64, 1, 0), "tiny",
                "test-host", Map.of(), Map.of()), List.of(disks.overlay(uuid)), List.of(NicSpec.network(network)),
                disks.consoleLog(uuid), false, false, true));
        String filter = LibvirtSecurityGroups.filterName(uuid);

        new LibvirtDeviceDriver(compute).attachInterface(uuid, new NicSpec(NicSpec.Type.NETWORK, Optional.of(network),
                Optional.of("fa:16:3e:5a:00:01"), "virtio"));

        String live = Virsh.run("dumpxml", uuid.toString());
        String persistent = Virsh.run("dumpxml", "--inactive", uuid.toString());
        assertThat(live).contains("fa:16:3e:5a:00:01");
        assertThat(live.split("<filterref filter='" + filter + "'", -1)).as("both NICs of the running guest")
                .hasSize(3);
        assertThat(persistent.split("<filterref filter='" + filter + "'", -1)).as("both NICs of its definition")
                .hasSize(3);
        String plugged = live.replaceAll("(?s).*<mac address='fa:16:3e:5a:00:01'/>.*?<target dev='([^']+)'.*", "$1");
        assertThat(Virsh.run("nwfilter-binding-list")).containsPattern(plugged + "\\s+" + filter);
    }

    private static SecurityRule ssh() {
        return new SecurityRule(Direction.INGRESS, Protocol.TCP, Optional.of(22), Optional.of(22),
                Optional.of("10.0.0.0/8"), Ethertype.IPV4);
    }

    private static SecurityRule icmpFrom(String cidr) {
        return new SecurityRule(Direction.INGRESS, Protocol.ICMP, Optional.empty(), Optional.empty(),
                Optional.of(cidr), Ethertype.IPV4);
    }
}
