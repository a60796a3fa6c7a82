package dev.computeagent.virt;

/**
 * The user and group the hypervisor runs guest processes as (libvirt's DAC label of QEMU, e.g. Debian's
 * {@code libvirt-qemu}): every directory above an instance's disks must be searchable by it.
 *
 * @param uid numeric user id
 * @param gid numeric primary group id
 */
public record GuestProcessUser(int uid, int gid) {
}
