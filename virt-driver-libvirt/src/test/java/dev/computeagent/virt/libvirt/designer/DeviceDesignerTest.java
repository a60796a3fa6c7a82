package dev.computeagent.virt.libvirt.designer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.hostio.ProcessResult;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.device.SecretValue;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.device.VolumeCredentials;
import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.DiskAuth;
import dev.computeagent.virt.libvirt.domain.DiskBus;
import dev.computeagent.virt.libvirt.domain.DiskCache;
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskHost;
import dev.computeagent.virt.libvirt.domain.DiskProtocol;
import dev.computeagent.virt.libvirt.domain.Domain;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import dev.computeagent.virt.libvirt.domain.SecretType;
import dev.computeagent.virt.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Volumes become typed disks (iSCSI and RBD with a secret reference, never the secret) that libvirt's schema accepts. */
class DeviceDesignerTest {

    private static final UUID INSTANCE = SpecVariants.UUID_1;
    private static final String PASSWORD = "p4ss-never-rendered";
    private final DeviceDesigner designer = new DeviceDesigner(SpecVariants.options(VirtType.QEMU, true));

    @TempDir
    Path dir;

    private static VolumeAttachment iscsi() {
        return new VolumeAttachment("vol-1", "vdb", new VolumeConnection.IscsiVolume(
                new VolumeConnection.NetworkHost("192.0.2.10", 3260), "iqn.2010-10.org.openstack:volume-1", 2,
                Optional.of(new VolumeCredentials("chapuser", SecretValue.of(PASSWORD)))), false);
    }

    private static VolumeAttachment rbd() {
        return new VolumeAttachment("vol-2", "vdc", new VolumeConnection.RbdVolume("volumes", "volume-2",
                List.of(new VolumeConnection.NetworkHost("192.0.2.21", 6789),
                        new VolumeConnection.NetworkHost("192.0.2.22", 6789)),
                Optional.of(new VolumeCredentials("cinder", SecretValue.of("QVFEZ2Vu")))), true);
    }

    @Test
    void iscsiVolumeIsANetworkDiskReferringToItsSecret() {
        DeviceDesigner.VolumeDisk disk = designer.volume(INSTANCE, iscsi());

        UUID secret = DeviceDesigner.secretUuid(INSTANCE, "vol-1");
        assertThat(disk).isEqualTo(new DeviceDesigner.NetworkVolumeDisk(new NetworkDisk(DiskProtocol.ISCSI,
                "iqn.2010-10.org.openstack:volume-1/2", List.of(new DiskHost("192.0.2.10", 3260)),
                Optional.of(new DiskAuth("chapuser", SecretType.ISCSI, secret)),
                DiskFormat.RAW, Optional.of(DiskCache.NONE), "vdb",
                DiskBus.VIRTIO, false), disk.secret()));
        assertThat(disk.secret()).get().extracting(s -> s.uuid(), s -> s.type())
                .containsExactly(secret, SecretType.ISCSI);
        assertThat(disk.xml()).doesNotContain(PASSWORD);
        assertThat(disk.secret().get().render()).doesNotContain(PASSWORD).contains("private=\"yes\"");
    }

    @Test
    void secretIdentityIsStablePerInstanceAndVolume() {
        assertThat(DeviceDesigner.secretUuid(INSTANCE, "vol-1")).isEqualTo(DeviceDesigner.secretUuid(INSTANCE, "vol-1"))
                .isNotEqualTo(DeviceDesigner.secretUuid(INSTANCE, "vol-2"))
                .isNotEqualTo(DeviceDesigner.secretUuid(UUID.randomUUID(), "vol-1"));
    }

    @Test
    void aUsageNotMadeForAnInstanceNamesNone() {
        assertThat(DeviceDesigner.instanceOfSecretUsage("compute-agent:not-a-uuid-at-all-but-36-characters-long:v"))
                .isEmpty();
        assertThat(DeviceDesigner.instanceOfSecretUsage("ceph client.admin")).isEmpty();
        assertThat(DeviceDesigner.instanceOfSecretUsage("compute-agent:" + INSTANCE)).as("no volume part").isEmpty();
    }

    @Test
    void aMigrationDestinationsVolumeRefersToTheSecretItIsGivenUnderTheInstancesUsage() {
        UUID given = UUID.randomUUID();

        DeviceDesigner.VolumeDisk disk = designer.volume(INSTANCE, rbd(), given);

        assertThat(disk.secret()).get().satisfies(s -> {
            assertThat(s.uuid()).isEqualTo(given);
            assertThat(s.type()).isEqualTo(SecretType.CEPH);
            assertThat(s.usage()).startsWith(DeviceDesigner.secretUsagePrefix(INSTANCE)).endsWith("vol-2");
            assertThat(DeviceDesigner.instanceOfSecretUsage(s.usage())).contains(INSTANCE);
        });
        assertThat(disk.xml()).contains(given.toString()).doesNotContain(DeviceDesigner.secretUuid(INSTANCE, "vol-2")
                .toString()).doesNotContain("QVFEZ2Vu");
    }

    @Test
    void networkVolumesSurviveRenderAndParseInADomain() {
        Domain domain = withVolumes();

        assertThat(DomainXml.parse(DomainXml.render(domain))).isEqualTo(domain);
    }

    @Test
    void domainWithNetworkVolumesAndTheirSecretsAreValidForLibvirtsSchema() throws Exception {
        Prerequisites.requireVirtXmlValidate();
        Path domainFile = Files.writeString(dir.resolve("domain.xml"), DomainXml.render(withVolumes()));
        Path secretFile = Files.writeString(dir.resolve("secret.xml"),
                designer.volume(INSTANCE, rbd()).secret().orElseThrow().render());
        Path fileVolume = Files.writeString(dir.resolve("file-volume.xml"), "<domain type='qemu'><name>x</name>"
                + "<memory>65536</memory><os><type>hvm</type></os><devices>"
                + designer.volume(INSTANCE, new VolumeAttachment("vol-3", "vdd", new VolumeConnection.FileVolume(
                dir.resolve("v.raw"), DiskSpec.Format.RAW, false), false)).xml()
                + "</devices></domain>");

        assertThat(validate(domainFile, "domain")).isEqualTo("0");
        assertThat(validate(secretFile, "secret")).isEqualTo("0");
        assertThat(validate(fileVolume, "domain")).isEqualTo("0");
    }

    private Domain withVolumes() {
        SpecVariants.Variant variant = SpecVariants.all().get(0);
        Domain domain = new DomainDesigner(variant.options()).design(variant.spec());
        List<NetworkDisk> network = new ArrayList<>();
        for (VolumeAttachment volume : List.of(iscsi(), rbd())) {
            network.add(((DeviceDesigner.NetworkVolumeDisk) designer.volume(INSTANCE, volume)).disk());
        }
        Devices devices = domain.devices();
        return new Domain(domain.type(), domain.name(), domain.uuid(), domain.memoryKib(), domain.vcpus(), domain.os(),
                domain.features(), domain.cpu(), domain.clock(), domain.lifecycle(),
                new Devices(devices.emulator(), devices.disks(),
                        devices.interfaces(), devices.serials(), devices.consoles(), devices.channels(),
                        devices.graphics(), devices.memBalloon(), devices.rngs(), network),
                domain.agentMetadata());
    }

    /** The exit code, or the validator's output when it failed. */
    private static String validate(Path file, String schema) {
        ProcessResult result = new ProcessRunner().run(List.of("virt-xml-validate", file.toString(), schema), 20,
                2L << 30, Duration.ofSeconds(20));
        return result.exitCode() == 0 ? "0" : result.stdout() + result.stderr();
    }
}
