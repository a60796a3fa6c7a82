package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkConflictException;
import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.NetworkInUseException;
import dev.computeagent.virt.network.NetworkMode;
import dev.computeagent.virt.network.NetworkStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The libvirt network driver against the real libvirtd: NAT, isolated and bridge networks ensured idempotently,
 * another's network of the same name never touched, a network in use never removed. Every network and bridge
 * here has a name of its own and is removed afterwards; {@code default} and the host's interfaces are never
 * touched.
 */
class LibvirtNetworkDriverLibvirtTest {

    private final String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong(0x100000L, 0xffffffL));
    private final List<String> networks = new ArrayList<>();
    private final List<String> bridges = new ArrayList<>();
    private LibvirtComputeDriver compute;
    private LibvirtNetworkDriver driver;
    private GuestDisks disks;

    @BeforeEach
    void connect() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        compute = LibvirtComputeDriver.connect(LibvirtTestSupport.settings());
        driver = new LibvirtNetworkDriver(compute.connectionManager());
        disks = new GuestDisks();
    }

    @AfterEach
    void cleanUp() {
        for (String name : networks) {
            Commands.run(Duration.ofSeconds(20), "virsh", "-c", Virsh.SYSTEM, "net-destroy", name);
            Commands.run(Duration.ofSeconds(20), "virsh", "-c", Virsh.SYSTEM, "net-undefine", name);
        }
        for (String bridge : bridges) {
            Commands.run(Duration.ofSeconds(20), "ip", "link", "del", bridge);
        }
        if (compute != null) {
            compute.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    void natNetworkIsCreatedStartedAutostartedAndEnsuringItAgainChangesNothing() {
        NetworkDefinition nat = NetworkDefinition.nat(name("nat"), subnet());

        NetworkStatus first = driver.ensure(nat);
        String bridge = first.bridge().orElseThrow();
        NetworkStatus again = driver.ensure(nat);

        assertThat(first.definition()).isEqualTo(nat);
        assertThat(first.active()).isTrue();
        assertThat(again).isEqualTo(first);
        String info = Virsh.run("net-info", nat.name());
        assertThat(info).containsPattern("Active:\\s+yes").containsPattern("Autostart:\\s+yes")
                .containsPattern("Bridge:\\s+" + bridge);
        assertThat(Virsh.run("net-dumpxml", nat.name())).contains("<forward mode='nat'")
                .contains("<range start='" + nat.subnet().orElseThrow().dhcpStart() + "'");
        assertThat(driver.list()).contains(first);
        assertThat(driver.isActive(nat.name())).isTrue();
    }

    @Test
    void isolatedNetworkHasNoForwardAndAStoppedOneIsStartedAgain() {
        NetworkDefinition isolated = NetworkDefinition.isolated(name("iso"), subnet());
        driver.ensure(isolated);
        Virsh.run("net-destroy", isolated.name());
        assertThat(driver.isActive(isolated.name())).isFalse();

        NetworkStatus status = driver.ensure(isolated);

        assertThat(status.active()).isTrue();
        assertThat(status.definition().mode()).isEqualTo(NetworkMode.ISOLATED);
        assertThat(Virsh.run("net-dumpxml", isolated.name())).doesNotContain("<forward");
    }

    @Test
    void bridgeNetworkPlugsIntoTheHostsBridge() {
        String bridge = "catb" + suffix;
        Commands.check(Duration.ofSeconds(20), "ip", "link", "add", "name", bridge, "type", "bridge");
        bridges.add(bridge);
        NetworkDefinition bridged = NetworkDefinition.bridged(name("br"), bridge);

        NetworkStatus status = driver.ensure(bridged);

        assertThat(status.active()).isTrue();
        assertThat(status.bridge()).contains(bridge);
        assertThat(status.definition()).isEqualTo(bridged);
        assertThat(Virsh.run("net-dumpxml", bridged.name())).contains("<forward mode='bridge'/>")
                .contains("<bridge name='" + bridge + "'/>");
    }

    @Test
    void aNetworkOfTheSameNameTheAgentDidNotCreateIsLeftAsItIs() throws Exception {
        String name = name("foreign");
        Path xml = disks.root().resolve("foreign.xml");
        Files.writeString(xml, "<network><name>" + name + "</name></network>");
        Virsh.run("net-define", xml.toString());
        String before = Virsh.run("net-dumpxml", name);

        assertThatThrownBy(() -> driver.ensure(NetworkDefinition.isolated(name, subnet())))
                .isInstanceOf(NetworkConflictException.class).hasMessageContaining(name);
        assertThatThrownBy(() -> driver.remove(name)).isInstanceOf(NetworkConflictException.class);

        assertThat(Virsh.run("net-dumpxml", name)).isEqualTo(before);
        assertThat(driver.list()).noneMatch(s -> s.definition().name().equals(name));
    }

    @Test
    void aNetworkAnInstanceUsesIsNotRemovedNorRecreatedUntilTheInstanceIsGone() {
        NetworkDefinition nat = NetworkDefinition.nat(name("used"), subnet());
        driver.ensure(nat);
        UUID uuid = UUID.randomUUID();
        compute.define(new InstanceSpec(uuid, new InstanceMetadata("net-user", new Flavor(1, 64, 1, 0), "tiny",
                "test-host", Map.of(), Map.of()), List.of(disks.overlay(uuid)), List.of(NicSpec.network(nat.name())),
                disks.consoleLog(uuid), false));
        try {
            assertThatThrownBy(() -> driver.remove(nat.name())).isInstanceOf(NetworkInUseException.class)
                    .hasMessageContaining(uuid.toString());
            NetworkDefinition changed = NetworkDefinition.nat(nat.name(), otherRange(nat.subnet().orElseThrow()));
            assertThat(driver.ensure(changed).definition()).as("in use: kept as it is").isEqualTo(nat);
            assertThat(driver.list()).filteredOn(s -> s.definition().name().equals(nat.name()))
                    .singleElement().satisfies(s -> assertThat(s.instances()).containsExactly(uuid));
        } finally {
            compute.destroy(uuid);
        }

        NetworkDefinition changed = NetworkDefinition.nat(nat.name(), otherRange(nat.subnet().orElseThrow()));
        assertThat(driver.ensure(changed).definition()).as("unused: recreated").isEqualTo(changed);
        driver.remove(nat.name());
        driver.remove(nat.name());

        assertThat(Virsh.run("net-list", "--all", "--name")).doesNotContain(nat.name());
        assertThat(driver.isActive(nat.name())).isFalse();
    }

    private String name(String kind) {
        String name = "ca-t-" + kind + "-" + suffix;
        networks.add(name);
        return name;
    }

    /** A /24 in 10.200-249.x.0 that no other network of this test run holds. */
    private static Ipv4Subnet subnet() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Ipv4Subnet.of("10." + random.nextInt(200, 250) + "." + random.nextInt(0, 256) + ".0/24", "", "");
    }

    private static Ipv4Subnet otherRange(Ipv4Subnet subnet) {
        String prefix = subnet.gateway().substring(0, subnet.gateway().lastIndexOf('.') + 1);
        return new Ipv4Subnet(subnet.gateway(), subnet.prefix(), prefix + "50", prefix + "60");
    }
}
