package dev.computeagent.virt.device;

import java.util.Set;

/**
 * The devices an instance has now that {@link DeviceDriver} manages: the running guest's when it
 * runs, else its definition's.
 *
 * @param disks the guest device names of its disks ({@code vda}, {@code vdb}…)
 * @param macs  the MAC addresses of its network interfaces, lower case
 */
public record AttachedDevices(Set<String> disks, Set<String> macs) {

    public AttachedDevices {
        disks = Set.copyOf(disks);
        macs = Set.copyOf(macs);
    }
}
