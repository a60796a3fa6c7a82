package dev.computeagent.virt.libvirt.designer;

import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import dev.computeagent.virt.libvirt.domain.DeviceXml;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskAuth;
import dev.computeagent.virt.libvirt.domain.DiskBus;
import dev.computeagent.virt.libvirt.domain.DiskCache;
import dev.computeagent.virt.libvirt.domain.DiskDevice;
import dev.computeagent.virt.libvirt.domain.DiskFormat;
import dev.computeagent.virt.libvirt.domain.DiskHost;
import dev.computeagent.virt.libvirt.domain.DiskIo;
import dev.computeagent.virt.libvirt.domain.DiskProtocol;
import dev.computeagent.virt.libvirt.domain.DiskSourceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import dev.computeagent.virt.libvirt.domain.SecretDefinition;
import dev.computeagent.virt.libvirt.domain.SecretType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The devices hot plug adds: a volume as a virtio disk, a NIC as the spawn renders it. Volumes on
 * files and block devices take cache mode {@code none} (O_DIRECT; {@code writethrough} where the file
 * system refuses it, as for the instance's own disks); network volumes take {@code none}, QEMU's own
 * initiator having no host page cache to bypass. A volume with credentials refers to a libvirt secret
 * whose identity is derived from the instance and the volume, so a retried attach finds the same one.
 * Thread-safe.
 */
public final class DeviceDesigner {

    private static final String USAGE_PREFIX = "compute-agent:";
    private static final Pattern USAGE = Pattern.compile(Pattern.quote(USAGE_PREFIX)
            + "([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):.+");

    private final DirectIoProbe directIoProbe;

    public DeviceDesigner(DesignerOptions options) {
        this.directIoProbe = options.directIoProbe();
    }

    /** A volume's disk, as a model (for validation) and as the XML libvirt attaches. */
    public sealed interface VolumeDisk {
        String xml();

        /** The secret the disk refers to, for a volume with credentials. */
        Optional<SecretDefinition> secret();
    }

    /** A volume the host opens by path. */
    public record LocalVolumeDisk(Disk disk) implements VolumeDisk {
        @Override
        public String xml() {
            return DeviceXml.render(disk);
        }

        @Override
        public Optional<SecretDefinition> secret() {
            return Optional.empty();
        }
    }

    /** A volume QEMU reaches over the network. */
    public record NetworkVolumeDisk(NetworkDisk disk, Optional<SecretDefinition> secret) implements VolumeDisk {
        @Override
        public String xml() {
            return DeviceXml.render(disk);
        }
    }

    public VolumeDisk volume(UUID instance, VolumeAttachment volume) {
        return volume(instance, volume, secretUuid(instance, volume.volumeId()));
    }

    /**
     * A volume's disk whose credentials (if any) are in the secret {@code secret}: what the destination of a
     * live migration opens, with the secret the destination defined (see {@code DestinationVolume}).
     */
    public VolumeDisk volume(UUID instance, VolumeAttachment volume, UUID secret) {
        VolumeConnection connection = volume.connection();
        if (connection instanceof VolumeConnection.FileVolume file) {
            return local(DiskSourceType.FILE, file.path(),
                    file.format() == DiskSpec.Format.QCOW2 ? DiskFormat.QCOW2 : DiskFormat.RAW, volume);
        }
        if (connection instanceof VolumeConnection.BlockVolume block) {
            return local(DiskSourceType.BLOCK, block.device(), DiskFormat.RAW, volume);
        }
        if (connection instanceof VolumeConnection.IscsiVolume iscsi) {
            return network(instance, volume, secret, DiskProtocol.ISCSI, SecretType.ISCSI,
                    iscsi.iqn() + "/" + iscsi.lun(), List.of(host(iscsi.portal())));
        }
        VolumeConnection.RbdVolume rbd = (VolumeConnection.RbdVolume) connection;
        return network(instance, volume, secret, DiskProtocol.RBD, SecretType.CEPH, rbd.pool() + "/" + rbd.image(),
                rbd.monitors().stream().map(DeviceDesigner::host).toList());
    }

    /**
     * A NIC exactly as a spawn renders it, joining the instance's security groups: it references
     * {@code instanceFilter}, the filter the instance's other NICs reference (absent when they are not
     * filtered), unless it is a user-mode NIC, which no filter applies to.
     */
    public NetInterface nic(NicSpec nic, Optional<String> instanceFilter) {
        return NicConfigurator.nic(nic, nic.type() == NicSpec.Type.USER ? Optional.empty() : instanceFilter);
    }

    /** The identity of the secret of {@code volumeId} on {@code instance}. */
    public static UUID secretUuid(UUID instance, String volumeId) {
        return UUID.nameUUIDFromBytes(("compute-agent:volume:" + instance + ":" + volumeId)
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The start of the usage name of every volume secret of {@code instance}, unique per host in libvirt: a host
     * holds one secret per volume of an instance, whatever its identity.
     */
    public static String secretUsagePrefix(UUID instance) {
        return USAGE_PREFIX + instance + ":";
    }

    /** The instance a secret's usage name made by {@link #secretUsagePrefix} names; empty for any other usage. */
    public static Optional<UUID> instanceOfSecretUsage(String usage) {
        Matcher matcher = USAGE.matcher(usage);
        return matcher.matches() ? Optional.of(UUID.fromString(matcher.group(1))) : Optional.empty();
    }

    private VolumeDisk local(DiskSourceType type, Path path, DiskFormat format, VolumeAttachment volume) {
        Path directory = path.getParent();
        boolean direct = type == DiskSourceType.BLOCK
                || (directory != null && directIoProbe.supportsDirectIo(directory));
        return new LocalVolumeDisk(new Disk(type, DiskDevice.DISK, path, format,
                Optional.of(direct ? DiskCache.NONE : DiskCache.WRITETHROUGH),
                direct ? Optional.of(DiskIo.NATIVE) : Optional.empty(), volume.device(), DiskBus.VIRTIO,
                volume.readOnly()));
    }

    private static VolumeDisk network(UUID instance, VolumeAttachment volume, UUID secretUuid, DiskProtocol protocol,
                                      SecretType secretType, String name, List<DiskHost> hosts) {
        Optional<SecretDefinition> secret = volume.connection().credentials().map(c -> new SecretDefinition(
                secretUuid, secretType, secretUsagePrefix(instance) + volume.volumeId(),
                "volume " + volume.volumeId() + " of instance " + instance));
        Optional<DiskAuth> auth = volume.connection().credentials().flatMap(c -> secret.map(s ->
                new DiskAuth(c.username(), secretType, s.uuid())));
        return new NetworkVolumeDisk(new NetworkDisk(protocol, name, hosts, auth, DiskFormat.RAW,
                Optional.of(DiskCache.NONE), volume.device(), DiskBus.VIRTIO, volume.readOnly()), secret);
    }

    private static DiskHost host(VolumeConnection.NetworkHost host) {
        return new DiskHost(host.name(), host.port());
    }
}
