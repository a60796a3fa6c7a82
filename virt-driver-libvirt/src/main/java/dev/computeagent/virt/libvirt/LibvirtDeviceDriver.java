package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.device.AttachedDevices;
import dev.computeagent.virt.device.DeviceDriver;
import dev.computeagent.virt.device.VolumeAttachment;
import dev.computeagent.virt.device.VolumeCredentials;
import dev.computeagent.virt.libvirt.binding.DeviceRemovals;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.designer.DeviceDesigner;
import dev.computeagent.virt.libvirt.domain.DeviceXml;
import dev.computeagent.virt.libvirt.domain.Devices;
import dev.computeagent.virt.libvirt.domain.Disk;
import dev.computeagent.virt.libvirt.domain.DiskAuth;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import dev.computeagent.virt.libvirt.domain.NetworkDisk;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The production {@link DeviceDriver}: {@code virDomainAttachDeviceFlags} / {@code DetachDeviceFlags}
 * on the agent's domains, with the credentials of network volumes in libvirt secrets (private,
 * persistent, named after the instance and the volume). A detach from a running guest is a request
 * the guest must answer: it waits for libvirt's device-removed event (or sees the device gone) until
 * its deadline, and only then removes the device from the persistent definition.
 */
public final class LibvirtDeviceDriver implements DeviceDriver {

    private final ConnectionManager connections;
    private final ManagedDomains managed;
    private final DeviceDesigner designer;

    /** The device driver of the instances {@code compute} manages, on its connection. */
    public LibvirtDeviceDriver(LibvirtComputeDriver compute) {
        this.connections = compute.connectionManager();
        this.managed = compute.managedDomains();
        this.designer = new DeviceDesigner(compute.settings().designerOptions());
    }

    /** One read of the domain serves the caller's choice of device, the check of that device and the state. */
    @Override
    public VolumeAttachment attachVolume(UUID instance, Function<AttachedDevices, VolumeAttachment> choose) {
        return withDomain(instance, (connection, domain) -> {
            boolean active = domain.isActive();
            Devices current = devices(domain, active);
            VolumeAttachment volume = choose.apply(attachedOf(current));
            DeviceDesigner.VolumeDisk designed = designer.volume(instance, volume);
            Optional<String> existing = diskSource(current, volume.device());
            if (existing.isPresent()) {
                if (existing.equals(source(designed))) {
                    return volume;
                }
                throw new InvalidSpecException("instance " + instance + " has a disk on " + volume.device()
                        + " already");
            }
            Optional<VolumeCredentials> credentials = volume.connection().credentials();
            designed.secret().ifPresent(secret -> connection.defineSecret(secret.render(),
                    credentials.orElseThrow().secret().reveal().getBytes(StandardCharsets.UTF_8)));
            try {
                domain.attachDevice(designed.xml(), active);
            } catch (RuntimeException e) {
                designed.secret().ifPresent(secret -> undefineQuietly(connection, secret.uuid(), e));
                throw e;
            }
            return volume;
        });
    }

    @Override
    public void detachVolume(UUID instance, String device, Duration timeout) {
        withDomain(instance, (connection, domain) -> {
            Set<UUID> secrets = new HashSet<>();
            if (domain.isActive()) {
                Optional<String> xml = diskXml(devices(domain, true), device, secrets);
                if (xml.isPresent()) {
                    detachLive(domain, xml.get(), timeout, d -> diskSource(d, device).isEmpty(),
                            "disk " + device);
                }
            }
            diskXml(devices(domain, false), device, secrets).ifPresent(domain::detachDeviceConfig);
            secrets.forEach(connection::undefineSecret);
            return null;
        });
    }

    @Override
    public void attachInterface(UUID instance, NicSpec nic) {
        String mac = nic.mac().orElseThrow(() -> new InvalidSpecException("a hot-plugged NIC needs a MAC"));
        withDomain(instance, (connection, domain) -> {
            boolean active = domain.isActive();
            Devices current = devices(domain, active);
            // a NIC plugged into an instance with security groups is filtered like its others
            Optional<String> filter = current.interfaces().stream().flatMap(n -> n.filter().stream()).findFirst();
            NetInterface designed = designer.nic(nic, filter);
            Optional<NetInterface> existing = nicWithMac(current, mac);
            if (existing.isPresent()) {
                if (existing.get().type() == designed.type() && existing.get().source().equals(designed.source())) {
                    return null;
                }
                throw new InvalidSpecException("instance " + instance + " has a NIC " + mac + " already");
            }
            domain.attachDevice(DeviceXml.render(designed), active);
            return null;
        });
    }

    @Override
    public void detachInterface(UUID instance, String mac, Duration timeout) {
        withDomain(instance, (connection, domain) -> {
            if (domain.isActive()) {
                Optional<NetInterface> live = nicWithMac(devices(domain, true), mac);
                if (live.isPresent()) {
                    detachLive(domain, DeviceXml.render(live.get()), timeout,
                            d -> nicWithMac(d, mac).isEmpty(), "NIC " + mac);
                }
            }
            nicWithMac(devices(domain, false), mac).ifPresent(n -> domain.detachDeviceConfig(DeviceXml.render(n)));
            return null;
        });
    }

    @Override
    public AttachedDevices attached(UUID instance) {
        return withDomain(instance, (connection, domain) -> attachedOf(devices(domain, domain.isActive())));
    }

    private static AttachedDevices attachedOf(Devices devices) {
        Set<String> disks = new HashSet<>();
        devices.disks().forEach(d -> disks.add(d.targetDev()));
        devices.networkDisks().forEach(d -> disks.add(d.targetDev()));
        Set<String> macs = new HashSet<>();
        devices.interfaces().forEach(n -> n.mac().ifPresent(macs::add));
        return new AttachedDevices(disks, macs);
    }

    /**
     * Asks the running guest to release the device and waits until its live definition no longer has
     * it; the event wakes the wait, the definition decides.
     */
    private static void detachLive(DomainHandle domain, String deviceXml, Duration timeout,
                                   Function<Devices, Boolean> gone, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (DeviceRemovals removals = domain.watchDeviceRemovals()) {
            domain.detachDeviceLive(deviceXml);
            while (!gone.apply(devices(domain, true))) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new OperationTimeoutException("the guest of " + domain.name() + " did not release its "
                            + what + " within " + timeout.toSeconds() + " s; it stays attached (retry the detach)");
                }
                removals.awaitRemoval(Duration.ofNanos(left));
            }
        }
    }

    private static Devices devices(DomainHandle domain, boolean live) {
        try {
            return DomainXml.parse(live ? domain.xml() : domain.persistentXml()).devices();
        } catch (DomainXmlException e) {
            throw new HypervisorException(domain.name() + ": libvirt's definition cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /** What the disk on {@code device} reads: its path, or protocol and name; empty when there is none. */
    private static Optional<String> diskSource(Devices devices, String device) {
        Optional<String> local = devices.disks().stream().filter(d -> d.targetDev().equals(device))
                .map(d -> d.source().toString()).findFirst();
        return local.or(() -> devices.networkDisks().stream().filter(d -> d.targetDev().equals(device))
                .map(d -> d.protocol().xmlName() + ":" + d.name()).findFirst());
    }

    private static Optional<String> source(DeviceDesigner.VolumeDisk designed) {
        if (designed instanceof DeviceDesigner.LocalVolumeDisk local) {
            return Optional.of(local.disk().source().toString());
        }
        NetworkDisk network = ((DeviceDesigner.NetworkVolumeDisk) designed).disk();
        return Optional.of(network.protocol().xmlName() + ":" + network.name());
    }

    /** The XML of the disk on {@code device}, collecting the secret it refers to. */
    private static Optional<String> diskXml(Devices devices, String device, Set<UUID> secrets) {
        Optional<Disk> local = devices.disks().stream().filter(d -> d.targetDev().equals(device)).findFirst();
        if (local.isPresent()) {
            return Optional.of(DeviceXml.render(local.get()));
        }
        return devices.networkDisks().stream().filter(d -> d.targetDev().equals(device)).findFirst().map(d -> {
            d.auth().map(DiskAuth::secret).ifPresent(secrets::add);
            return DeviceXml.render(d);
        });
    }

    private static Optional<NetInterface> nicWithMac(Devices devices, String mac) {
        return devices.interfaces().stream().filter(n -> n.mac().map(mac::equalsIgnoreCase).orElse(false))
                .findFirst();
    }

    private static void undefineQuietly(LibvirtConnection connection, UUID secret, RuntimeException failure) {
        try {
            connection.undefineSecret(secret);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    @FunctionalInterface
    private interface DomainAction<T> {
        T apply(LibvirtConnection connection, DomainHandle domain);
    }

    private <T> T withDomain(UUID instance, DomainAction<T> action) {
        return connections.call(connection -> {
            try (DomainHandle domain = managed.require(connection, instance)) {
                return action.apply(connection, domain);
            }
        });
    }
}
