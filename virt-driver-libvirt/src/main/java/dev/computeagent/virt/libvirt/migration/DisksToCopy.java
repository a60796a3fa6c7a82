package dev.computeagent.virt.libvirt.migration;

import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskDevice;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.util.List;
import java.util.Set;

/**
 * Which disks of a domain a block migration copies ({@code VIR_MIGRATE_PARAM_MIGRATE_DISKS}) when some of its
 * disks are volumes both hosts reach: every writable host-file or block disk except the kept ones. Without the
 * list libvirt would mirror a shared volume onto itself on the destination.
 *
 * <p>Also refuses, for any migration, a domain with a network volume that authenticates through a libvirt
 * secret of this host when the request does not say how the destination opens it
 * ({@link dev.computeagent.virt.migration.MigrationRequest#destinationVolumes}): the secret is private to this host
 * (libvirt never gives its value back), so the destination could not open the volume; nothing has moved when this
 * is thrown.
 */
final class DisksToCopy {

    private DisksToCopy() {
    }

    /**
     * @param devices the running domain's devices
     * @param kept    guest devices of the disks that stay where they are
     * @param repointed guest devices of the volumes the destination opens through its own connection and secret
     * @return the target devices to copy; empty when nothing is kept (libvirt's default: every writable disk)
     * @throws MigrationException {@link Step#PREPARE}, {@link Reason#NOT_MIGRATABLE}: a volume with credentials
     *                            not repointed, or a kept device the domain does not have
     */
    static List<String> of(Devices devices, Set<String> kept, Set<String> repointed, String subject) {
        for (NetworkDisk disk : devices.networkDisks()) {
            if (disk.auth().isPresent() && !repointed.contains(disk.targetDev())) {
                throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, subject + ": the volume on "
                        + disk.targetDev() + " authenticates with a secret of this host, and its connection on the "
                        + "destination was not given with the migration's destination volumes; nothing moved", null);
            }
        }
        if (kept.isEmpty()) {
            return List.of();
        }
        for (String device : kept) {
            boolean present = devices.disks().stream().anyMatch(d -> d.targetDev().equals(device))
                    || devices.networkDisks().stream().anyMatch(d -> d.targetDev().equals(device));
            if (!present) {
                throw new MigrationException(Step.PREPARE, Reason.NOT_MIGRATABLE, subject + ": no disk on "
                        + device + " to keep in place", null);
            }
        }
        return devices.disks().stream()
                .filter(d -> !d.readOnly() && d.device() != DiskDevice.CDROM && !kept.contains(d.targetDev()))
                .map(Disk::targetDev).toList();
    }
}
