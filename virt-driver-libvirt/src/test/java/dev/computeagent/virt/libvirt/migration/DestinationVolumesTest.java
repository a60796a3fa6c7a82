package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.libvirt.domain.DeviceXml;
import dev.computeagent.virt.libvirt.domain.DiskAuth;
import dev.computeagent.virt.libvirt.domain.DiskBus;
import dev.computeagent.virt.libvirt.domain.DiskCache;
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskHost;
import dev.computeagent.virt.libvirt.domain.DiskProtocol;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import dev.computeagent.virt.libvirt.domain.SecretType;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DestinationVolumesTest {

    private static final UUID SOURCE_SECRET = UUID.fromString("11111111-2222-3333-4444-555555555555");
    private static final UUID DESTINATION_SECRET = UUID.fromString("66666666-7777-8888-9999-000000000000");

    /** As libvirt's migratable XML has it: auth inside the source, the guest's PCI address and alias. */
    private static final String LIVE = """
            <domain type='qemu'>
              <name>instance-x</name>
              <devices>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2'/>
                  <source file='/var/lib/compute-agent/instances/x/disk'/>
                  <target dev='vda' bus='virtio'/>
                </disk>
                <disk type='network' device='disk'>
                  <driver name='qemu' type='raw' cache='none'/>
                  <source protocol='iscsi' name='iqn.2026-12.dev.example:a/1'>
                    <host name='10.0.0.1' port='3260'/>
                    <auth username='alice'>
                      <secret type='iscsi' uuid='11111111-2222-3333-4444-555555555555'/>
                    </auth>
                  </source>
                  <target dev='vdb' bus='virtio'/>
                  <readonly/>
                  <alias name='virtio-disk1'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
                </disk>
              </devices>
            </domain>""";

    private static String destinationDisk() {
        return DeviceXml.render(new NetworkDisk(DiskProtocol.ISCSI, "iqn.2026-12.dev.example:b/2",
                List.of(new DiskHost("10.0.0.2", 3261)), Optional.of(new DiskAuth("bob", SecretType.ISCSI,
                DESTINATION_SECRET)), DiskFormat.RAW, Optional.of(DiskCache.NONE), "vdb", DiskBus.VIRTIO, true));
    }

    @Test
    void theVolumeOpensTheDestinationsTargetWithTheDestinationsSecretAndKeepsItsAddress() {
        String rewritten = new DestinationVolumes(Map.of("vdb", destinationDisk())).rewrite(LIVE);

        assertThat(rewritten).contains("iqn.2026-12.dev.example:b/2", "10.0.0.2", "3261", "username=\"bob\"",
                DESTINATION_SECRET.toString(), "slot=\"0x07\"", "virtio-disk1", "<readonly/>",
                "/var/lib/compute-agent/instances/x/disk");
        assertThat(rewritten).doesNotContain(SOURCE_SECRET.toString(), "10.0.0.1", "alice", "example:a/1");
    }

    /** RBD (no Ceph here): the rewritten definition names the destination's monitors and key, and libvirt's schema takes it. */
    @Test
    void anRbdVolumeIsRepointedToTheDestinationsMonitorsAndSecretInADefinitionLibvirtsSchemaAccepts(@TempDir Path dir)
            throws IOException {
        Prerequisites.requireVirtXmlValidate();
        String live = """
                <domain type='qemu'>
                  <name>instance-x</name>
                  <memory unit='KiB'>65536</memory>
                  <os><type arch='x86_64' machine='pc'>hvm</type></os>
                  <devices>
                    <disk type='network' device='disk'>
                      <driver name='qemu' type='raw' cache='none'/>
                      <source protocol='rbd' name='volumes/volume-2'>
                        <host name='192.0.2.21' port='6789'/>
                        <auth username='cinder-a'>
                          <secret type='ceph' uuid='11111111-2222-3333-4444-555555555555'/>
                        </auth>
                      </source>
                      <target dev='vdc' bus='virtio'/>
                      <address type='pci' domain='0x0000' bus='0x00' slot='0x08' function='0x0'/>
                    </disk>
                  </devices>
                </domain>""";
        String destination = DeviceXml.render(new NetworkDisk(DiskProtocol.RBD, "volumes/volume-2",
                List.of(new DiskHost("198.51.100.1", 6789), new DiskHost("198.51.100.2", 6789)),
                Optional.of(new DiskAuth("cinder-b", SecretType.CEPH, DESTINATION_SECRET)), DiskFormat.RAW,
                Optional.of(DiskCache.NONE), "vdc", DiskBus.VIRTIO, false));

        String rewritten = new DestinationVolumes(Map.of("vdc", destination)).rewrite(live);

        assertThat(rewritten).contains("198.51.100.1", "198.51.100.2", "cinder-b", DESTINATION_SECRET.toString(),
                "slot=\"0x08\"").doesNotContain("192.0.2.21", "cinder-a", SOURCE_SECRET.toString());
        Path file = Files.writeString(dir.resolve("destination.xml"), rewritten);
        ProcessResult result = new ProcessRunner().run(List.of("virt-xml-validate", file.toString(), "domain"), 20,
                2L << 30, Duration.ofSeconds(20));
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    }

    @Test
    void aDeviceTheDomainDoesNotHaveIsRefusedBeforeAnythingMoves() {
        assertThatThrownBy(() -> new DestinationVolumes(Map.of("vdc", destinationDisk())).rewrite(LIVE))
                .isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_MIGRATABLE))
                .hasMessageContaining("vdc");
    }
}
