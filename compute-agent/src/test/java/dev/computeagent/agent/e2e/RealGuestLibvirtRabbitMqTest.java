package dev.computeagent.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.GuestExec;
import dev.computeagent.agent.testing.IsolatedNetwork;
import dev.computeagent.agent.testing.SshKeys;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.RealGuestImage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The agent against a real Linux guest (the Debian 12 cloud image of {@link RealGuestImage}: Debian's
 * cloud kernel, systemd, cloud-init, qemu-guest-agent), through its contracts only: commands over
 * AMQP, replies and events back, {@code GET /v1/instances/{uuid}}; the image served by the HTTP Glance
 * stub with {@code hw_qemu_guest_agent=yes}; one NIC on a libvirt network of the test's own. One
 * instance boots once and reboots once (each boot takes a minute or more under TCG). What happened
 * inside the guest is read through its guest agent ({@link GuestExec}) and its serial console, not
 * through the agent under test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealGuestLibvirtRabbitMqTest {

    private static final Duration BOOT = Duration.ofMinutes(10);
    private static final Duration COMMAND = Duration.ofMinutes(5);
    private static final Duration EXEC = Duration.ofSeconds(60);
    private static final String IMAGE = "debian-12";
    private static final String NAME = "Real Guest <1>";
    private static final long EPHEMERAL_BYTES = 1L << 30;
    private static final int STOP_TIMEOUT_S = 180;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String uuid = UUID.randomUUID().toString();
    private final String domain = "instance-" + uuid;
    private final String marker = "REAL-GUEST-USER-DATA " + uuid;
    private AgentFixture fx;
    private IsolatedNetwork network;
    private int port;

    @BeforeAll
    void start() throws Exception {
        ConfigDrives.requireGenisoimage();
        Path image = RealGuestImage.path();
        fx = new AgentFixture();
        network = IsolatedNetwork.create();
        fx.glance.addImage(IMAGE, image).diskFormat("qcow2").property("hw_qemu_guest_agent", "yes");
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        fx.startAgent(Map.of("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE, "server.port",
                Integer.toString(port)));
    }

    @AfterAll
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    @Order(1)
    void cloudInitRunsTheUserDataAndTakesIdentityKeysAndNetworkFromTheConfigDrive() throws Exception {
        String userData = "#!/bin/sh\necho '" + marker + "' > /dev/ttyS0\n";
        String args = "{\"name\":" + AgentFixture.json(NAME) + ",\"flavor\":{\"vcpus\":1,\"memory_mb\":512,"
                + "\"root_gb\":3,\"ephemeral_gb\":1},\"image_id\":\"" + IMAGE + "\",\"nics\":[{\"type\":\"network\","
                + "\"source\":\"" + network.name() + "\"}],\"metadata\":{\"role\":\"db\"},\"user_data\":\""
                + Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8))
                + "\",\"public_keys\":{\"ci\":\"" + SshKeys.ED25519 + "\"}}";
        long published = System.nanoTime();
        JsonNode spawned = call("spawn", args);
        assertThat(spawned.path("event").asString()).as(spawned.toString()).isEqualTo("instance.spawn.end");
        long ended = System.nanoTime();
        await().atMost(BOOT).pollInterval(Duration.ofSeconds(2)).until(() -> console().contains(marker));
        report("spawn published -> spawn.end", published, ended);
        report("spawn.end -> user_data marker on the console", ended, System.nanoTime());

        assertThat(exec("hostname").strip()).isEqualTo("real-guest-1");
        assertThat(exec("cat /var/lib/cloud/data/instance-id").strip()).isEqualTo(uuid);
        assertThat(exec("cat /var/lib/cloud/instance/datasource")).contains("DataSourceConfigDrive");
        assertThat(exec("blockdev --getsize64 /dev/vdb").strip()).isEqualTo(Long.toString(EPHEMERAL_BYTES));
        assertThat(exec("cat /home/debian/.ssh/authorized_keys")).contains(SshKeys.ED25519);

        // the config drive: an IDE CD-ROM labelled config-2 the guest cannot write, with Nova's files
        assertThat(exec("blkid -o value -s LABEL /dev/sr0").strip()).isEqualTo("config-2");
        assertThat(exec("readlink -f /sys/block/sr0/device")).contains("/ata");
        assertThat(exec("blockdev --getro /dev/sr0").strip()).isEqualTo("1");
        assertThat(GuestExec.sh(domain, "dd if=/dev/zero of=/dev/sr0 bs=2048 count=1", EXEC).exitCode())
                .as("a write to the config drive").isNotZero();
        String vendorData = exec("d=$(mktemp -d) && mount -o ro /dev/sr0 $d && "
                + "cat $d/openstack/latest/vendor_data.json; umount $d");
        assertThat(AgentJson.mapper().readTree(vendorData).isObject()).as(vendorData).isTrue();

        // network_data.json: cloud-init configured the NIC with the MAC the agent chose, by DHCP
        String mac = macOfTheNic();
        assertThat(mac).startsWith("fa:16:3e:");
        String nic = exec("for n in /sys/class/net/*; do if [ \"$(cat $n/address)\" = '" + mac + "' ]; then "
                + "basename $n; fi; done").strip();
        assertThat(nic).as("the guest has a NIC with " + mac).isNotEmpty();
        assertThat(exec("cat /etc/network/interfaces.d/50-cloud-init")).contains("iface " + nic + " inet dhcp");
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(exec("ip -4 -o addr show dev " + nic))
                .contains("inet " + network.prefix() + "."));

        assertThat(rest().path("guest_agent").asString()).isEqualTo("RESPONSIVE");
    }

    @Test
    @Order(2)
    void aSoftRebootThroughAcpiKeepsWhatWasWrittenAndBootsTheGuestAgain() throws Exception {
        String bootId = exec("cat /proc/sys/kernel/random/boot_id").strip();
        exec("echo " + uuid + " > /root/before-reboot && sync");
        // without its guest agent the guest can only be asked through ACPI, which systemd must honour
        exec("systemd-run --on-active=2 systemctl stop qemu-guest-agent");
        await().atMost(Duration.ofMinutes(1))
                .until(() -> rest().path("guest_agent").asString().equals("NOT_RESPONDING"));

        long sent = System.nanoTime();
        JsonNode rebooted = call("reboot", "{\"timeout_s\":" + STOP_TIMEOUT_S + "}");
        assertThat(rebooted.path("event").asString()).as(rebooted.toString()).isEqualTo("instance.reboot.end");
        report("soft reboot (ACPI) published -> reboot.end", sent, System.nanoTime());
        assertThat(console()).as("the guest powered itself off").contains("reboot: Power down");

        await().atMost(BOOT).pollInterval(Duration.ofSeconds(2))
                .until(() -> rest().path("guest_agent").asString().equals("RESPONSIVE"));
        report("soft reboot published -> guest agent answers again", sent, System.nanoTime());
        assertThat(exec("cat /proc/sys/kernel/random/boot_id").strip()).as("a new boot").isNotEqualTo(bootId);
        assertThat(exec("cat /root/before-reboot").strip()).isEqualTo(uuid);
    }

    @Test
    @Order(3)
    void stopAsksTheGuestAgentAndTheGuestShutsItselfDown() throws Exception {
        // the guest now ignores ACPI's power button: only its guest agent can stop it gracefully
        exec("mkdir -p /etc/systemd/logind.conf.d && printf '[Login]\\nHandlePowerKey=ignore\\n' "
                + "> /etc/systemd/logind.conf.d/ignore-power-key.conf && systemctl restart systemd-logind");

        long sent = System.nanoTime();
        JsonNode stopped = call("stop", "{\"timeout_s\":" + STOP_TIMEOUT_S + "}");
        Duration took = Duration.ofNanos(System.nanoTime() - sent);
        report("stop (guest agent) published -> stop.end", sent, System.nanoTime());

        assertThat(stopped.path("payload").path("state").asString()).as(stopped.toString()).isEqualTo("STOPPED");
        assertThat(stopped.path("payload").path("power_state").asString()).isEqualTo("SHUTDOWN");
        assertThat(Virsh.run("domstate", "--reason", domain).strip())
                .as("libvirt's shutoff reason").isEqualTo("shut off (shutdown)");
        assertThat(took).as("well inside the timeout").isLessThan(Duration.ofSeconds(STOP_TIMEOUT_S / 2));
    }

    @Test
    @Order(4)
    void deleteRemovesTheInstance() {
        assertThat(call("delete", "{}").path("payload").path("state").asString()).isEqualTo("DELETED");
        assertThat(Virsh.allDomains()).doesNotContain(domain);
        assertThat(fx.instanceDir(uuid)).doesNotExist();
    }

    private JsonNode call(String command, String args) {
        return fx.call(uuid, command, args, COMMAND);
    }

    private String exec(String script) {
        return GuestExec.output(domain, script, EXEC);
    }

    private String console() throws IOException {
        return fx.console(uuid);
    }

    private String macOfTheNic() {
        Matcher mac = Pattern.compile("<mac address='([0-9a-f:]{17})'/>")
                .matcher(Virsh.run("dumpxml", domain));
        assertThat(mac.find()).isTrue();
        return mac.group(1);
    }

    private JsonNode rest() throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/instances/" + uuid)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return AgentJson.mapper().readTree(response.body());
    }

    private static void report(String what, long fromNanos, long toNanos) {
        System.out.printf("[real guest] %s: %.1f s%n", what, (toNanos - fromNanos) / 1e9);
    }
}
