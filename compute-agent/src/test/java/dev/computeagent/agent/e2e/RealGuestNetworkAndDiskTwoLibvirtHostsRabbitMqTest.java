package dev.computeagent.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.GuestAgentShell;
import dev.computeagent.agent.testing.HostAgent;
import dev.computeagent.agent.testing.TestKeys;
import dev.computeagent.image.testing.GlanceStubServer;
import dev.computeagent.virt.libvirt.testing.TwoLibvirtHosts;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.Prerequisites;
import dev.computeagent.virt.testing.RealGuestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * One real Debian guest (the project's cloud image, served by the Glance stub) driven only through two real
 * agents' AMQP contract, each agent on its own real libvirt host ({@link TwoLibvirtHosts}): its NIC on a
 * libvirt NAT network this test defines on both hosts gets a DHCP lease that the guest really configures,
 * and {@code GET /v1/instances/{uuid}} shows the NIC's MAC and addresses with their sources (the lease,
 * then the guest agent too); a file written inside the guest is read back after a soft reboot, a live
 * migration to the other host (page cache dropped: from the disk copied there), a stop and start there,
 * and a live migration back. The image declares its guest agent ({@code hw_qemu_guest_agent=yes}), which
 * the test also uses to look inside the guest ({@link GuestAgentShell}); three boots in all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealGuestNetworkAndDiskTwoLibvirtHostsRabbitMqTest {

    @RegisterExtension
    static final TwoLibvirtHosts HOSTS = new TwoLibvirtHosts();

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final UUID INSTANCE = UUID.randomUUID();
    /**
     * A NAT network of this test's own, with a name and a subnet nobody else uses, on both hosts (inside their
     * network namespaces: no network of this machine is touched).
     */
    private static final String NETWORK = "ca-net-" + RUN;
    private static final String SUBNET = "10.238." + ThreadLocalRandom.current().nextInt(1, 255) + ".";
    private static final String MAC = String.format("fa:16:3e:%02x:%02x:%02x", ThreadLocalRandom.current().nextInt(256),
            ThreadLocalRandom.current().nextInt(256), ThreadLocalRandom.current().nextInt(256));
    private static final String MARKER_FILE = "/var/lib/compute-agent-test/marker";
    private static final String MARKER = "written-in-the-guest-" + UUID.randomUUID();
    /** Under TCG on a busy 2-core machine a boot to the guest agent takes 45-150 s. */
    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofMinutes(3);
    private static final Duration MIGRATION = Duration.ofMinutes(5);

    private static GlanceStubServer glance;
    private static HostAgent a;
    private static HostAgent b;
    private static String address;
    private static String bootId;
    /** The steps passed so far: each builds on the one before, so after a failure the rest do not run. */
    private static int stepsPassed;

    @BeforeAll
    static void startAgentsAndNetworks() throws Exception {
        Prerequisites.requireQemuImg();
        Path image = RealGuestImage.path();
        glance = GlanceStubServer.start();
        glance.addImage("debian-12", image).diskFormat("qcow2").property("hw_qemu_guest_agent", "yes");
        for (TwoLibvirtHosts.Host host : List.of(HOSTS.a(), HOSTS.b())) {
            Path xml = Files.writeString(host.dir().resolve(NETWORK + ".xml"), "<network><name>" + NETWORK
                    + "</name><forward mode='nat'/><bridge name='cabr" + RUN + "' stp='off'/>"
                    + "<ip address='" + SUBNET + "1' netmask='255.255.255.0'><dhcp><range start='" + SUBNET
                    + "100' end='" + SUBNET + "199'/></dhcp></ip></network>");
            // transient: destroying it (or the host going down) leaves nothing behind
            Virsh.on(host.unixUri(), "net-create", xml.toString());
        }
        // agent-to-agent commands are signed with the key both agents share
        Map<String, String> tcg = new HashMap<>(TestKeys.agentProperties());
        tcg.put("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE);
        a = HostAgent.start(HOSTS.a(), "guest-a-" + RUN, HOSTS.a().dir().resolve("state-" + RUN), glance.url(), tcg);
        b = HostAgent.start(HOSTS.b(), "guest-b-" + RUN, HOSTS.b().dir().resolve("state-" + RUN), glance.url(), tcg);
        a.awaitConsuming(Duration.ofSeconds(90));
        b.awaitConsuming(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopAgentsAndNetworks() throws Exception {
        for (HostAgent agent : new HostAgent[] {a, b}) {
            if (agent != null) {
                // the harness removes the hosts and their domains afterwards
                agent.stop();
            }
        }
        for (TwoLibvirtHosts.Host host : List.of(HOSTS.a(), HOSTS.b())) {
            try {
                Virsh.on(host.unixUri(), "net-destroy", NETWORK);
            } catch (IllegalStateException alreadyGone) {
                // not created, or gone with its host
            }
        }
        if (glance != null) {
            glance.close();
        }
    }

    @Test
    @Order(1)
    void aNicOnTheTestsNatNetworkGetsADhcpLeaseThatRestShows() throws Exception {
        continueAfterStep(0);
        JsonNode spawned = a.command(INSTANCE, "spawn", "spawn-" + RUN, "{\"name\":\"real-guest\",\"flavor\":{"
                + "\"vcpus\":1,\"memory_mb\":512,\"root_gb\":2},\"image_id\":\"debian-12\",\"nics\":[{\"type\":"
                + "\"network\",\"source\":\"" + NETWORK + "\",\"mac\":\"" + MAC + "\",\"model\":\"virtio\"}]}",
                COMMAND);
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");

        JsonNode nic = awaitNic(a, BOOT, n -> n.path("ip_address").isString());

        address = nic.path("ip_address").asString();
        assertThat(address).as("from the network's DHCP range").startsWith(SUBNET)
                .satisfies(ip -> assertThat(Integer.parseInt(ip.substring(SUBNET.length()))).isBetween(100, 199));
        assertThat(nic.path("mac").asString()).isEqualTo(MAC);
        assertThat(nic.path("type").asString()).isEqualTo("network");
        assertThat(nic.path("source").asString()).isEqualTo(NETWORK);
        assertThat(nic.path("model").asString()).isEqualTo("virtio");
        assertThat(strings(nic.path("ip_addresses"))).containsExactly(address);
        assertThat(strings(nic.path("info_source"))).as("the lease (the guest agent too once it answers)")
                .contains("lease");
        assertThat(Virsh.on(HOSTS.a().unixUri(), "net-dhcp-leases", NETWORK))
                .as("libvirt's own view").contains(MAC).contains(address);
        stepsPassed = 1;
    }

    @Test
    @Order(2)
    void insideTheGuestTheNicHoldsTheLeasedAddressAndRestNamesTheGuestAgentAsASourceToo() throws Exception {
        continueAfterStep(1);
        GuestAgentShell guest = guestOn(a);

        JsonNode nic = awaitNic(a, Duration.ofSeconds(60),
                n -> strings(n.path("info_source")).equals(List.of("lease", "guest-agent")));

        assertThat(nic.path("ip_address").asString()).as("the same lease for the same MAC").isEqualTo(address);
        String name = nic.path("interface_name").asString();
        assertThat(guest.run("ip -o -4 addr show dev " + name)).as("configured by the guest's DHCP client")
                .contains("inet " + address + "/24");
        assertThat(guest.run("cat /sys/class/net/" + name + "/address").strip()).isEqualTo(MAC);
        assertThat(strings(nic.path("ip_addresses"))).first().isEqualTo(address);
        assertThat(strings(nic.path("ip_addresses"))).as("the guest agent adds the IPv6 link-local address")
                .anyMatch(ip -> ip.startsWith("fe80:"));

        guest.run("mkdir -p " + Path.of(MARKER_FILE).getParent() + " && printf %s " + MARKER + " > " + MARKER_FILE
                + " && sync");
        bootId = bootId(guest);
        stepsPassed = 2;
    }

    @Test
    @Order(3)
    void aFileWrittenInTheGuestSurvivesASoftReboot() throws Exception {
        continueAfterStep(2);
        JsonNode rebooted = a.command(INSTANCE, "reboot", "reboot-" + RUN, "{\"hard\":false,\"timeout_s\":120}",
                COMMAND);
        assertThat(rebooted.path("event").asString()).as(rebooted.toString()).isEqualTo("instance.reboot.end");

        GuestAgentShell guest = guestOn(a).awaitAnswering(BOOT);

        assertBootedAgainWithTheFile(guest);
        stepsPassed = 3;
    }

    @Test
    @Order(4)
    void theFileSurvivesALiveMigrationToTheOtherHostAndTheGuestAgentStillReportsTheAddress() throws Exception {
        continueAfterStep(3);
        GuestAgentShell guest = liveMigrate(a, b);

        assertThat(bootId(guest)).as("a live migration does not reboot").isEqualTo(bootId);
        assertThat(readMarkerFromDisk(guest)).isEqualTo(MARKER);
        JsonNode nic = b.instance(INSTANCE).path("interfaces").path(0);
        assertThat(nic.path("mac").asString()).isEqualTo(MAC);
        assertThat(strings(nic.path("ip_addresses"))).contains(address);
        assertThat(strings(nic.path("info_source"))).as("b's DHCP server never leased it")
                .containsExactly("guest-agent");
        stepsPassed = 4;
    }

    @Test
    @Order(5)
    void theFileSurvivesAStopAndStartOnTheOtherHostWhoseNetworkLeasesAnAddressToo() throws Exception {
        continueAfterStep(4);
        GuestAgentShell guest = stopAndStart(b);

        assertBootedAgainWithTheFile(guest);
        JsonNode nic = awaitNic(b, Duration.ofSeconds(60), n -> strings(n.path("info_source")).contains("lease"));
        assertThat(nic.path("ip_address").asString()).startsWith(SUBNET);
        stepsPassed = 5;
    }

    @Test
    @Order(6)
    void theFileSurvivesALiveMigrationBack() throws Exception {
        continueAfterStep(5);
        GuestAgentShell guest = liveMigrate(b, a);

        assertThat(a.instance(INSTANCE).path("state").asString()).isEqualTo("ACTIVE");
        assertThat(bootId(guest)).isEqualTo(bootId);
        assertThat(readMarkerFromDisk(guest)).isEqualTo(MARKER);
        stepsPassed = 6;
    }

    /** Stops the instance gracefully through {@code agent}, starts it again, waits for its guest agent. */
    private static GuestAgentShell stopAndStart(HostAgent agent) throws Exception {
        JsonNode stopped = agent.command(INSTANCE, "stop", "stop-" + agent.host(), "{\"timeout_s\":120}", COMMAND);
        assertThat(stopped.path("event").asString()).as(stopped.toString()).isEqualTo("instance.stop.end");
        JsonNode started = agent.command(INSTANCE, "start", "start-" + agent.host(), "{}", COMMAND);
        assertThat(started.path("event").asString()).as(started.toString()).isEqualTo("instance.start.end");
        return guestOn(agent).awaitAnswering(BOOT);
    }

    /** Live-migrates the instance from {@code from} to {@code to} through {@code from}'s contract. */
    private static GuestAgentShell liveMigrate(HostAgent from, HostAgent to) throws Exception {
        JsonNode migrated = from.command(INSTANCE, "migrate", "migrate-" + from.host(),
                "{\"destination\":\"" + to.host() + "\"}", MIGRATION);
        assertThat(migrated.path("event").asString()).as(migrated.toString()).isEqualTo("instance.migrate.end");
        assertThat(from.instances()).doesNotContain(INSTANCE.toString());
        assertThat(to.instances()).contains(INSTANCE.toString());
        return guestOn(to);
    }

    /** The guest agent of the instance on the libvirt host {@code agent} serves. */
    private static GuestAgentShell guestOn(HostAgent agent) {
        return new GuestAgentShell((agent == a ? HOSTS.a() : HOSTS.b()).unixUri(), INSTANCE);
    }

    private static void continueAfterStep(int step) {
        Assumptions.assumeTrue(stepsPassed == step, "step " + (stepsPassed + 1) + " failed");
    }

    /** The instance's NIC as {@code agent}'s REST shows it, once it is {@code what}. */
    private static JsonNode awaitNic(HostAgent agent, Duration timeout, Predicate<JsonNode> what) {
        return await().atMost(timeout).pollInterval(Duration.ofSeconds(2))
                .until(() -> agent.instance(INSTANCE).path("interfaces").path(0), what::test);
    }

    /** The guest has a new boot id (it really booted again) and still the file; remembers the new boot id. */
    private static void assertBootedAgainWithTheFile(GuestAgentShell guest) {
        String now = bootId(guest);
        assertThat(now).as("the guest really booted again").isNotEqualTo(bootId);
        assertThat(guest.run("cat " + MARKER_FILE)).isEqualTo(MARKER);
        bootId = now;
    }

    /** The marker read after the guest wrote back and dropped its page cache: from the disk, not memory. */
    private static String readMarkerFromDisk(GuestAgentShell guest) {
        return guest.run("sync && echo 3 > /proc/sys/vm/drop_caches && cat " + MARKER_FILE);
    }

    private static String bootId(GuestAgentShell guest) {
        return guest.run("cat /proc/sys/kernel/random/boot_id").strip();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asString).toList();
    }
}
