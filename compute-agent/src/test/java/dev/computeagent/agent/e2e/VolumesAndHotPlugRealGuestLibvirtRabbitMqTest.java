package dev.computeagent.agent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.computeagent.agent.testing.ConfigDrives;
import dev.computeagent.agent.testing.IsolatedNetwork;
import dev.computeagent.hostio.testing.Commands;
import dev.computeagent.virt.libvirt.testing.Virsh;
import dev.computeagent.virt.testing.IscsiTarget;
import dev.computeagent.virt.testing.RealGuestImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * Volumes and hot plug in the real Linux guest, through the AMQP contract only, in one boot: an iSCSI
 * volume (QEMU's own initiator logging in to a private {@code tgtd} with CHAP) and a file volume appear in
 * the guest as new virtio disks and take its writes; detached (the guest releases them), they keep what
 * was written; a NIC plugged into a libvirt network of the test's own appears in the guest, which gets a
 * DHCP lease on it, and goes again when unplugged. What the guest sees it reports on its serial console
 * (a script its user data starts), so nothing depends on its guest agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VolumesAndHotPlugRealGuestLibvirtRabbitMqTest {

    private static final Duration BOOT = Duration.ofMinutes(15);
    private static final Duration COMMAND = Duration.ofMinutes(6);
    private static final Duration GUEST = Duration.ofMinutes(3);
    private static final String NIC_MAC = "52:54:00:7e:57:01";
    private static final String IMAGE = "debian-12";
    private static final String PASSWORD = "chap-Real-Guest-42";
    private static final long VOLUME_BYTES = 16L << 20;

    private final String uuid = UUID.randomUUID().toString();
    private final String domain = "instance-" + uuid;
    private AgentFixture fx;
    private IsolatedNetwork network;
    private IscsiTarget target;
    private Path fileVolume;

    @BeforeAll
    void start() throws Exception {
        ConfigDrives.requireGenisoimage();
        IscsiTarget.require();
        Path image = RealGuestImage.path();
        fx = new AgentFixture();
        network = IsolatedNetwork.create();
        target = IscsiTarget.start(fx.root, VOLUME_BYTES, PASSWORD);
        fileVolume = fx.root.resolve("file-volume.raw");
        Commands.check("qemu-img", "create", "-q", "-f", "raw", fileVolume.toString(), Long.toString(VOLUME_BYTES));
        Files.setPosixFilePermissions(fileVolume, PosixFilePermissions.fromString("rw-rw-rw-"));
        fx.glance.addImage(IMAGE, image).diskFormat("qcow2").property("hw_qemu_guest_agent", "yes");
        fx.startAgent(Map.of("agent.libvirt.virt-type", RealGuestImage.VIRT_TYPE));
    }

    @AfterAll
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (target != null) {
            target.close();
        }
        if (network != null) {
            network.close();
        }
    }

    /**
     * What the guest does, as a transient systemd unit started by its user data (so it outlives cloud-init):
     * waits for each hot-plugged device, writes to the volumes, takes a DHCP lease on the NIC, and reports
     * each step and the devices' disappearance on its serial console, which the test reads.
     */
    private static String guestScript() {
        return "say() { echo \"VOLTEST $*\" > /dev/ttyS0; }\n"
                + "say READY\n"
                + "for d in vdb vdc; do while [ ! -b /dev/$d ]; do sleep 1; done\n"
                + "  printf \"MARKER-$d\" | dd of=/dev/$d bs=512 count=1 conv=sync,fsync 2>/dev/null\n"
                + "  say WROTE $d $(cat /sys/block/$d/size); done\n"
                + "while [ -e /dev/vdb ] || [ -e /dev/vdc ]; do sleep 1; done; say VOLUMES-GONE\n"
                + "nic=''; while [ -z \"$nic\" ]; do sleep 1; for n in /sys/class/net/*; do\n"
                + "  [ \"$(cat $n/address)\" = '" + NIC_MAC + "' ] && nic=$(basename $n); done; done\n"
                + "ip link set $nic up; dhclient -1 $nic; say LEASE $(ip -4 -o addr show dev $nic | awk '{print $4}')\n"
                + "while [ -e /sys/class/net/$nic ]; do sleep 1; done; say NIC-GONE\n";
    }

    @Test
    @Order(1)
    void theGuestBoots() {
        String userData = "#!/bin/sh\nsystemd-run --unit=voltest /bin/sh -c '" + guestScript().replace("'", "'\\''")
                + "'\n";
        String args = "{\"name\":\"volumes\",\"flavor\":{\"vcpus\":1,\"memory_mb\":512,\"root_gb\":3},"
                + "\"image_id\":\"" + IMAGE + "\",\"nics\":[{\"type\":\"network\",\"source\":\"" + network.name()
                + "\"}],\"user_data\":\"" + Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8))
                + "\"}";
        assertThat(call("spawn", args).path("event").asString()).isEqualTo("instance.spawn.end");
        awaitConsole("VOLTEST READY", BOOT);
    }

    @Test
    @Order(2)
    void attachedVolumesAppearInTheGuestAndTakeItsWrites() {
        JsonNode iscsi = call("attach_volume", "{\"volume_id\":\"vol-iscsi\",\"connection_info\":{"
                + "\"driver_volume_type\":\"iscsi\",\"data\":{\"target_portal\":\"127.0.0.1:" + target.port()
                + "\",\"target_iqn\":\"" + IscsiTarget.IQN + "\",\"target_lun\":1,\"auth_method\":\"CHAP\","
                + "\"auth_username\":\"" + IscsiTarget.USER + "\",\"auth_password\":\"" + PASSWORD + "\"}}}");
        assertThat(iscsi.path("event").asString()).as(iscsi.toString()).isEqualTo("instance.attach_volume.end");
        assertThat(iscsi.toString()).doesNotContain(PASSWORD);
        assertThat(iscsi.path("payload").path("device").asString()).isEqualTo("vdb");
        awaitConsole("VOLTEST WROTE vdb " + VOLUME_BYTES / 512, GUEST);
        JsonNode file = call("attach_volume", "{\"volume_id\":\"vol-file\",\"connection_info\":{"
                + "\"driver_volume_type\":\"file\",\"data\":{\"path\":\"" + fileVolume + "\",\"format\":\"raw\"}}}");
        assertThat(file.path("payload").path("device").asString()).as(file.toString()).isEqualTo("vdc");
        awaitConsole("VOLTEST WROTE vdc " + VOLUME_BYTES / 512, GUEST);
        assertThat(Virsh.run("dumpxml", "--security-info", domain)).contains("protocol='iscsi'")
                .doesNotContain(PASSWORD);
    }

    @Test
    @Order(3)
    void detachedVolumesAreReleasedByTheGuestAndKeepTheirData() throws IOException {
        for (String volume : new String[] {"vol-iscsi", "vol-file"}) {
            JsonNode detached = call("detach_volume", "{\"volume_id\":\"" + volume + "\",\"timeout_s\":300}");
            assertThat(detached.path("event").asString()).as(detached.toString())
                    .isEqualTo("instance.detach_volume.end");
        }

        awaitConsole("VOLTEST VOLUMES-GONE", GUEST);
        assertThat(firstBytes(target.lunFile(), 10)).isEqualTo("MARKER-vdb");
        assertThat(firstBytes(fileVolume, 10)).isEqualTo("MARKER-vdc");
        assertThat(Virsh.run("dumpxml", "--inactive", domain)).doesNotContain("protocol='iscsi'")
                .doesNotContain(fileVolume.toString());
    }

    @Test
    @Order(4)
    void aHotPluggedNicAppearsInTheGuestGetsALeaseAndGoesWhenUnplugged() {
        JsonNode plugged = call("attach_interface", "{\"nic\":{\"type\":\"network\",\"source\":\"" + network.name()
                + "\",\"mac\":\"" + NIC_MAC + "\"}}");
        assertThat(plugged.path("event").asString()).as(plugged.toString()).isEqualTo("instance.attach_interface.end");
        assertThat(plugged.path("payload").path("mac").asString()).isEqualTo(NIC_MAC);

        awaitConsole("VOLTEST LEASE " + network.prefix() + ".", GUEST);

        JsonNode unplugged = call("detach_interface", "{\"mac\":\"" + NIC_MAC + "\",\"timeout_s\":300}");
        assertThat(unplugged.path("event").asString()).as(unplugged.toString())
                .isEqualTo("instance.detach_interface.end");
        awaitConsole("VOLTEST NIC-GONE", GUEST);
    }

    @Test
    @Order(5)
    void deleteRemovesTheInstance() {
        assertThat(call("delete", "{}").path("payload").path("state").asString()).isEqualTo("DELETED");
        assertThat(Virsh.allDomains()).doesNotContain(domain);
    }

    private JsonNode call(String command, String args) {
        return fx.call(uuid, command, args, COMMAND);
    }

    private void awaitConsole(String line, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofSeconds(1)).until(() -> console().contains(line));
    }

    private String console() throws IOException {
        return fx.console(uuid);
    }

    private static String firstBytes(Path file, int count) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(count), StandardCharsets.US_ASCII);
        }
    }
}
