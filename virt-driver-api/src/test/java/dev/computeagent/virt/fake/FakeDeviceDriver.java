package dev.computeagent.virt.fake;

import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.device.AttachedDevices;
import dev.computeagent.virt.device.DeviceDriver;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The in-memory {@link DeviceDriver} over a {@link FakeComputeDriver}'s instances; it passes the same
 * contract as the libvirt one. The instance's own disks and NICs (from its spec) count as attached.
 * Test hook: {@link #guestReleasesDevices} false makes every detach from a running instance time out
 * (a guest that ignores the unplug request), leaving the device attached.
 */
public final class FakeDeviceDriver implements DeviceDriver {

    private final FakeComputeDriver compute;
    private final Map<UUID, Map<String, VolumeAttachment>> volumes = new ConcurrentHashMap<>();
    private final Map<UUID, Map<String, NicSpec>> nics = new ConcurrentHashMap<>();
    private volatile boolean guestReleasesDevices = true;

    public FakeDeviceDriver(FakeComputeDriver compute) {
        this.compute = compute;
    }

    public FakeDeviceDriver guestReleasesDevices(boolean releases) {
        this.guestReleasesDevices = releases;
        return this;
    }

    /** The volumes attached to {@code instance}, by guest device. */
    public Map<String, VolumeAttachment> volumesOf(UUID instance) {
        return Map.copyOf(volumes.getOrDefault(instance, Map.of()));
    }

    @Override
    public synchronized VolumeAttachment attachVolume(UUID instance, Function<AttachedDevices, VolumeAttachment> choose) {
        VolumeAttachment volume = choose.apply(attached(instance));
        boolean running = running(instance);
        Map<String, VolumeAttachment> attached = volumes.computeIfAbsent(instance, k -> new ConcurrentHashMap<>());
        VolumeAttachment existing = attached.get(volume.device());
        if (existing != null && existing.equals(volume)) {
            return volume;
        }
        if (existing != null || ownDisks(instance).contains(volume.device())) {
            throw new InvalidSpecException("instance " + instance + " has a disk on " + volume.device() + " already");
        }
        if (running && volume.connection() instanceof VolumeConnection.RbdVolume) {
            throw new InvalidSpecException("no Ceph cluster reachable from this host");
        }
        attached.put(volume.device(), volume);
        return volume;
    }

    @Override
    public synchronized void detachVolume(UUID instance, String device, Duration timeout) {
        boolean running = running(instance);
        Map<String, VolumeAttachment> attached = volumes.getOrDefault(instance, Map.of());
        if (!attached.containsKey(device)) {
            return;
        }
        if (running && !guestReleasesDevices) {
            throw new OperationTimeoutException("the guest did not release " + device + " within " + timeout);
        }
        attached.remove(device);
    }

    @Override
    public synchronized void attachInterface(UUID instance, NicSpec nic) {
        running(instance);
        String mac = nic.mac().orElseThrow(() -> new InvalidSpecException("a hot-plugged NIC needs a MAC"));
        Map<String, NicSpec> plugged = nics.computeIfAbsent(instance, k -> new ConcurrentHashMap<>());
        NicSpec existing = plugged.get(mac);
        if (existing != null && existing.equals(nic)) {
            return;
        }
        if (existing != null || ownMacs(instance).contains(mac)) {
            throw new InvalidSpecException("instance " + instance + " has a NIC " + mac + " already");
        }
        plugged.put(mac, nic);
    }

    @Override
    public synchronized void detachInterface(UUID instance, String mac, Duration timeout) {
        boolean running = running(instance);
        Map<String, NicSpec> plugged = nics.getOrDefault(instance, Map.of());
        if (!plugged.containsKey(mac)) {
            return;
        }
        if (running && !guestReleasesDevices) {
            throw new OperationTimeoutException("the guest did not release NIC " + mac + " within " + timeout);
        }
        plugged.remove(mac);
    }

    @Override
    public synchronized AttachedDevices attached(UUID instance) {
        running(instance);
        Set<String> disks = new HashSet<>(ownDisks(instance));
        disks.addAll(volumes.getOrDefault(instance, Map.of()).keySet());
        Set<String> macs = new HashSet<>(ownMacs(instance));
        macs.addAll(nics.getOrDefault(instance, Map.of()).keySet());
        return new AttachedDevices(disks, macs);
    }

    /** Whether the instance runs; forgets the devices of an instance that is gone. */
    private boolean running(UUID instance) {
        try {
            return compute.info(instance).powerState() == PowerState.RUNNING;
        } catch (InstanceNotFoundException e) {
            volumes.remove(instance);
            nics.remove(instance);
            throw e;
        }
    }

    private Set<String> ownDisks(UUID instance) {
        return compute.specOf(instance).map(spec -> spec.disks().stream().map(d -> d.device())
                .collect(Collectors.toSet())).orElse(Set.of());
    }

    private Set<String> ownMacs(UUID instance) {
        return compute.interfaces(instance).stream().map(i -> i.mac()).collect(Collectors.toSet());
    }
}
