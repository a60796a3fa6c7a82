package dev.computeagent.virt.libvirt.domain;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code <disk type='network'>}: bytes QEMU reaches itself over the network (its own iSCSI
 * initiator, librbd), not through a host path.
 *
 * @param protocol  how QEMU reaches it
 * @param name      the source name: {@code <iqn>/<lun>} for iSCSI, {@code <pool>/<image>} for RBD
 * @param hosts     the portals or monitors
 * @param auth      the credentials' reference; absent = none
 * @param format    the image format (raw for block storage)
 * @param cache     the host cache mode; absent = the hypervisor's default
 * @param targetDev the guest device name, e.g. {@code vdb}
 * @param bus       the bus the guest sees it on
 * @param readOnly  whether the guest may only read it
 */
public record NetworkDisk(DiskProtocol protocol, String name, List<DiskHost> hosts, Optional<DiskAuth> auth,
                          DiskFormat format, Optional<DiskCache> cache, String targetDev, DiskBus bus,
                          boolean readOnly) {

    public NetworkDisk {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(name, "name");
        hosts = List.copyOf(hosts);
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(targetDev, "targetDev");
        Objects.requireNonNull(bus, "bus");
    }
}
