package dev.computeagent.virt.libvirt.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

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

    @Test
    void aDeviceTheDomainDoesNotHaveIsRefusedBeforeAnythingMoves() {
        assertThatThrownBy(() -> new DestinationVolumes(Map.of("vdc", destinationDisk())).rewrite(LIVE))
                .isInstanceOfSatisfying(MigrationException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_MIGRATABLE))
                .hasMessageContaining("vdc");
    }
}
