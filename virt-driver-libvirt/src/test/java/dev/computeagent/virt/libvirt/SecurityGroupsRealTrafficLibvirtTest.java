package dev.computeagent.virt.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.IpAddress;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.network.Ipv4Subnet;
import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.SecurityRule;
import dev.computeagent.virt.network.SecurityRule.Direction;
import dev.computeagent.virt.network.SecurityRule.Ethertype;
import dev.computeagent.virt.network.SecurityRule.Protocol;
import dev.computeagent.virt.testing.RealGuestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Security groups with real traffic, one boot of the real Linux guest (Debian 12, TCG): the guest on a NAT
 * network of the test's own, its NIC filtered; from a network namespace the test creates and plugs into that
 * network's bridge, a TCP port is reachable (the guest's kernel answers a connection to a closed port with a
 * reset) when a rule allows it and unreachable (dropped, no answer) when not, ICMP echo likewise, and
 * {@code apply} flips both on the running guest; a guest that adds another IP or changes its MAC (through its guest
 * agent) gets nothing through with them. Nothing but the test's own namespace, veth pair and network
 * carries traffic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityGroupsRealTrafficLibvirtTest {

    /** ~1 min on an idle 2-core machine under TCG; far longer when dozens of other guests share it. */
    private static final Duration BOOT = Duration.ofMinutes(35);
    private static final String SUFFIX = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    private static final String NETWORK = "ca-t-sgr-" + SUFFIX;
    private static final String NAMESPACE = "ca-t-sgr-" + SUFFIX;
    private static final String VETH = "catr" + SUFFIX;
    private static final UUID GUEST = UUID.randomUUID();

    private static LibvirtComputeDriver compute;
    private static LibvirtSecurityGroups groups;
    private static GuestDisks disks;
    private static String prefix;
    private static String guestIp;

    @BeforeAll
    static void bootTheGuestFiltered() {
        LibvirtTestSupport.requireLibvirtAndQemuImg();
        compute = LibvirtComputeDriver.connect(LibvirtDriverSettings.defaults(LibvirtTestSupport.URI, VirtType.QEMU));
        groups = new LibvirtSecurityGroups(compute.connectionManager());
        disks = new GuestDisks();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        prefix = "10." + random.nextInt(200, 250) + "." + random.nextInt(0, 256) + ".";
        String bridge = new LibvirtNetworkDriver(compute.connectionManager()).ensure(NetworkDefinition.nat(NETWORK,
                new Ipv4Subnet(prefix + "1", 24, prefix + "10", prefix + "100"))).bridge().orElseThrow();

        groups.apply(GUEST, List.of(tcp(22)));
        Path image = copy(RealGuestImage.path(), disks.root().resolve("debian-12.qcow2"));
        compute.spawn(new InstanceSpec(GUEST, new InstanceMetadata("sg traffic", new Flavor(1, 512, 2, 0),
                "debian-12", "test-host", Map.of(), Map.of()), List.of(disks.overlayOn(image, "qcow2", GUEST)),
                List.of(NicSpec.network(NETWORK)), disks.consoleLog(GUEST), false, true, true));

        // the namespace: a veth pair, one end on the network's bridge, the other in the namespace with an address
        // outside the DHCP range
        ip("netns", "add", NAMESPACE);
        ip("link", "add", VETH, "type", "veth", "peer", "name", VETH + "n");
        ip("link", "set", VETH + "n", "netns", NAMESPACE);
        ip("link", "set", VETH, "master", bridge, "up");
        ip("-n", NAMESPACE, "addr", "add", prefix + "250/24", "dev", VETH + "n");
        ip("-n", NAMESPACE, "link", "set", VETH + "n", "up");
        ip("-n", NAMESPACE, "link", "set", "lo", "up");

        await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).until(() -> leasedAddress().isPresent());
        guestIp = leasedAddress().orElseThrow();
        // libvirt instantiates the IP-level rules (iptables chains named after the tap) only once it has learnt
        // the guest's address from its DHCP exchange: until then nothing but anti-spoofing filters its traffic
        String tap = Virsh.run("dumpxml", GUEST.toString()).replaceAll("(?s).*<target dev='([^']+)'.*", "$1");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> Commands.check(Duration.ofSeconds(20), "iptables-save").contains(":FO-" + tap + " "));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> tcpAnswers(22));
    }

    @AfterAll
    static void removeEverything() {
        Commands.run(Duration.ofSeconds(20), "ip", "link", "del", VETH);
        Commands.run(Duration.ofSeconds(20), "ip", "netns", "del", NAMESPACE);
        if (compute != null) {
            compute.destroy(GUEST);
            groups.remove(GUEST);
            Commands.run(Duration.ofSeconds(20), "virsh", "-c", Virsh.SYSTEM, "net-destroy", NETWORK);
            Commands.run(Duration.ofSeconds(20), "virsh", "-c", Virsh.SYSTEM, "net-undefine", NETWORK);
            compute.close();
        }
        if (disks != null) {
            disks.close();
        }
    }

    @Test
    @Order(1)
    void anAllowedTcpPortIsReachableAnotherOneAndIcmpAreNot() {
        assertThat(tcpAnswers(22)).as("tcp 22 allowed: the guest answers").isTrue();
        assertThat(tcpAnswers(8080)).as("tcp 8080 not allowed: dropped").isFalse();
        assertThat(pingAnswers()).as("no icmp rule: dropped").isFalse();
    }

    @Test
    @Order(2)
    void newRulesFlipWhatIsReachableOnTheRunningGuest() {
        groups.apply(GUEST, List.of(tcp(8080), new SecurityRule(Direction.INGRESS, Protocol.ICMP, Optional.empty(),
                Optional.empty(), Optional.of(prefix + "0/24"), Ethertype.IPV4)));

        await().atMost(Duration.ofSeconds(30)).until(() -> tcpAnswers(8080));
        assertThat(tcpAnswers(22)).as("tcp 22 no longer allowed").isFalse();
        assertThat(pingAnswers()).as("icmp from the namespace's subnet allowed").isTrue();
        assertThat(compute.info(GUEST).powerState()).isEqualTo(PowerState.RUNNING);
    }

    // --- spoofing (issue 15): the guest changes its IP or MAC through its guest agent -------------------------

    /**
     * After {@link #newRulesFlipWhatIsReachableOnTheRunningGuest} (ICMP from the namespace's subnet and tcp 8080
     * allowed): a second address added inside the guest, or a changed MAC, gets nothing through (the guest's
     * answers leave with the spoofed source and are dropped), while the real ones work before and after.
     */
    @Test
    @Order(3)
    void aGuestThatSpoofsAnotherIpOrMacGetsNothingThrough() {
        String mac = compute.interfaces(GUEST).get(0).mac();
        String nic = guestShell("ip -o link | grep -i '" + mac + "' | cut -d: -f2 | tr -d ' '").strip();
        assertThat(nic).as("the guest's interface with " + mac).isNotEmpty();
        assertThat(pingAnswers(guestIp)).as("control: the real addresses get through").isTrue();
        assertThat(tcpAnswers(guestIp, 8080)).isTrue();

        // another IP in the guest; the namespace sends straight to the guest's MAC, no ARP needed
        String spoofedIp = prefix + "77";
        guestShell("ip addr add " + spoofedIp + "/24 dev " + nic);
        assertThat(guestShell("ip -o addr show dev " + nic)).contains(spoofedIp);
        ip("-n", NAMESPACE, "neigh", "replace", spoofedIp, "lladdr", mac, "dev", VETH + "n");
        assertThat(pingAnswers(spoofedIp)).as("icmp answered from the spoofed ip").isFalse();
        assertThat(tcpAnswers(spoofedIp, 8080)).as("tcp answered from the spoofed ip").isFalse();
        assertThat(pingAnswers(guestIp)).as("the real ip still gets through").isTrue();
        guestShell("ip addr del " + spoofedIp + "/24 dev " + nic);

        // another MAC on the guest's NIC; the namespace sends to it
        String spoofedMac = "52:54:00:5a:5a:5a";
        guestShell("ip link set dev " + nic + " address " + spoofedMac);
        ip("-n", NAMESPACE, "neigh", "replace", guestIp, "lladdr", spoofedMac, "dev", VETH + "n");
        assertThat(guestShell("ip -o link show dev " + nic)).contains(spoofedMac);
        assertThat(pingAnswers(guestIp)).as("icmp answered from the spoofed mac").isFalse();
        assertThat(tcpAnswers(guestIp, 8080)).as("tcp answered from the spoofed mac").isFalse();

        guestShell("ip link set dev " + nic + " address " + mac);
        ip("-n", NAMESPACE, "neigh", "replace", guestIp, "lladdr", mac, "dev", VETH + "n");
        await().atMost(Duration.ofSeconds(30)).until(() -> pingAnswers(guestIp));
        assertThat(tcpAnswers(guestIp, 8080)).as("the real mac gets through again").isTrue();
    }

    private static boolean pingAnswers(String address) {
        return Commands.run(Duration.ofSeconds(20), "ip", "netns", "exec", NAMESPACE, "perl", "-MNet::Ping", "-e",
                "exit(Net::Ping->new('icmp', 2)->ping($ARGV[0]) ? 0 : 1)", address).exitCode() == 0;
    }

    private static boolean tcpAnswers(String address, int port) {
        ProcessResult r = Commands.run(Duration.ofSeconds(20), "ip", "netns", "exec", NAMESPACE, "timeout", "3",
                "bash", "-c", "exec 3<>/dev/tcp/" + address + "/" + port);
        return r.exitCode() == 0 || r.stderr().contains("Connection refused");
    }

    /**
     * Runs {@code script} with {@code /bin/sh -c} in the guest through its QEMU guest agent ({@code guest-exec},
     * {@code virsh qemu-agent-command}); its standard output. Fails the test on a non-zero exit.
     */
    private static String guestShell(String script) {
        String exec = "{\"execute\":\"guest-exec\",\"arguments\":{\"path\":\"/bin/sh\",\"capture-output\":true,"
                + "\"arg\":[\"-c\",\"" + script.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]}}";
        String started = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                .until(() -> Virsh.run("qemu-agent-command", GUEST.toString(), exec), out -> out.contains("\"pid\""));
        String pid = started.replaceAll("(?s).*\"pid\"\\s*:\\s*(\\d+).*", "$1");
        String status = "{\"execute\":\"guest-exec-status\",\"arguments\":{\"pid\":" + pid + "}}";
        String done = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> Virsh.run("qemu-agent-command", GUEST.toString(), status),
                        out -> out.contains("\"exited\":true"));
        String code = done.replaceAll("(?s).*\"exitcode\"\\s*:\\s*(-?\\d+).*", "$1");
        assertThat(code).as("'" + script + "' in the guest: " + done).isEqualTo("0");
        return decoded(done, "out-data");
    }

    private static String decoded(String answer, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"([^\"]*)\"").matcher(answer);
        return m.find() ? new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8) : "";
    }

    // --- end of spoofing ---------------------------------------------------------------------------------------

    private static SecurityRule tcp(int port) {
        return new SecurityRule(Direction.INGRESS, Protocol.TCP, Optional.of(port), Optional.of(port),
                Optional.empty(), Ethertype.IPV4);
    }

    private static Optional<String> leasedAddress() {
        return compute.interfaces(GUEST).stream().flatMap(nic -> nic.addresses().stream()).map(IpAddress::address)
                .filter(a -> a.startsWith(prefix)).findFirst();
    }

    /**
     * Whether a TCP connection from the namespace gets an answer within 3 s: accepted, or refused with a reset
     * (nothing listens there), as opposed to no answer at all (dropped).
     */
    private static boolean tcpAnswers(int port) {
        ProcessResult r = Commands.run(Duration.ofSeconds(20), "ip", "netns", "exec", NAMESPACE, "timeout", "3",
                "bash", "-c", "exec 3<>/dev/tcp/" + guestIp + "/" + port);
        return r.exitCode() == 0 || r.stderr().contains("Connection refused");
    }

    /** Whether an ICMP echo from the namespace is answered within 2 s (perl's core Net::Ping, as root). */
    private static boolean pingAnswers() {
        return Commands.run(Duration.ofSeconds(20), "ip", "netns", "exec", NAMESPACE, "perl", "-MNet::Ping", "-e",
                "exit(Net::Ping->new('icmp', 2)->ping($ARGV[0]) ? 0 : 1)", guestIp).exitCode() == 0;
    }

    private static void ip(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "ip";
        System.arraycopy(args, 0, command, 1, args.length);
        Commands.check(Duration.ofSeconds(20), command);
    }

    private static Path copy(Path from, Path to) {
        try {
            return Files.copy(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
