package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.AddressSource;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.GuestProcessUser;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.LifecycleListener;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.PowerOperations;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.Subscription;
import dev.computeagent.virt.libvirt.binding.DomainHandle;
import dev.computeagent.virt.libvirt.binding.DomainStatus;
import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.binding.NodeFacts;
import dev.computeagent.virt.libvirt.binding.ReportedInterface;
import dev.computeagent.virt.libvirt.designer.DomainDesigner;
import dev.computeagent.virt.libvirt.domain.AgentMetadata;
import dev.computeagent.virt.libvirt.domain.Channel;
import dev.computeagent.virt.libvirt.domain.DacBaseLabel;
import dev.computeagent.virt.libvirt.domain.DomainXml;
import dev.computeagent.virt.libvirt.domain.DomainXmlException;
import dev.computeagent.virt.libvirt.domain.InterfaceType;
import dev.computeagent.virt.libvirt.domain.NetInterface;
import java.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The production {@link ComputeDriver}: KVM/QEMU through libvirt.
 *
 * <p>Instances are domains named {@code instance-<uuid>} carrying the agent's metadata element;
 * every other domain is invisible and never touched. The driver keeps one libvirt connection with
 * keepalive and reconnects on its own; while it is down every call throws
 * {@link dev.computeagent.virt.HypervisorUnavailableException}. Construction never fails because
 * libvirtd is unreachable (the agent must start anyway): see {@link #connect}.
 */
public final class LibvirtComputeDriver implements ComputeDriver {

    private final LibvirtDriverSettings settings;
    private final ManagedDomains managed = new ManagedDomains();
    private final LifecycleEventDispatcher events;
    private final ConnectionManager connections;
    private final PowerControl power;
    private final SpawnOperation spawner;
    private final LibvirtPowerOperations powerOperations;
    private final RootDiskCopier copier = new RootDiskCopier();
    private volatile NodeSnapshot node;

    private LibvirtComputeDriver(LibvirtDriverSettings settings) {
        this.settings = settings;
        this.events = new LifecycleEventDispatcher(managed, Clock.systemUTC());
        this.connections = new ConnectionManager(settings, events);
        this.events.attach(connections);
        this.power = new PowerControl(settings.stopResendInterval(), settings.operationTimeout());
        this.spawner = new SpawnOperation(connections, managed, new DomainDesigner(settings.designerOptions()), power);
        this.powerOperations = new LibvirtPowerOperations(connections, managed);
    }

    /**
     * A driver for {@code settings.uri()}. Tries to connect once before returning; when libvirtd is
     * unreachable the driver still returns, reports {@link #isConnected()} false and keeps
     * reconnecting in the background with backoff.
     */
    public static LibvirtComputeDriver connect(LibvirtDriverSettings settings) {
        LibvirtComputeDriver driver = new LibvirtComputeDriver(settings);
        driver.connections.start();
        return driver;
    }

    /** The connection manager, for other parts of this module (migration) that need the connection. */
    public ConnectionManager connectionManager() {
        return connections;
    }

    public LibvirtDriverSettings settings() {
        return settings;
    }

    /** Pause, unpause, suspend and resume of this driver's instances, on its connection. */
    public PowerOperations powerOperations() {
        return powerOperations;
    }

    /** Which domains are the agent's, for the device driver on the same connection. */
    ManagedDomains managedDomains() {
        return managed;
    }

    @Override
    public void spawn(InstanceSpec spec) {
        spawner.spawn(spec);
    }

    /** The state libvirt reports on the handle that started the domain; the metadata is the spec's, as rendered. */
    @Override
    public InstanceInfo spawnRunning(InstanceSpec spec) {
        DomainStatus status = spawner.spawn(spec);
        return new InstanceInfo(spec.uuid(), status.powerState(), status.cpuTimeNs(), status.memoryKb(), status.vcpus(),
                spec.metadata());
    }

    /**
     * Defines the instance without starting it, rendered exactly as {@link #spawn} renders it (the
     * destination of a cold migration defines only what it rendered itself).
     *
     * @throws dev.computeagent.virt.InstanceExistsException an instance with this uuid exists already
     * @throws dev.computeagent.virt.InvalidSpecException    a disk or the console log directory is missing
     */
    public void define(InstanceSpec spec) {
        spawner.defineOnly(spec);
    }

    @Override
    public void start(UUID uuid) {
        withManaged(uuid, domain -> {
            if (!domain.isActive()) {
                domain.create();
            }
            return null;
        });
    }

    @Override
    public void stop(UUID uuid, Duration timeout) {
        withManaged(uuid, domain -> {
            power.stop(domain, timeout);
            return null;
        });
    }

    @Override
    public void reboot(UUID uuid, RebootType type, Duration softTimeout) {
        withManaged(uuid, domain -> {
            if (!domain.isActive()) {
                domain.create();
            } else if (type == RebootType.HARD) {
                domain.reset();
            } else if (power.shutdownGracefully(domain, softTimeout) || !domain.isActive()) {
                // like Nova's soft reboot: the guest powered off on request (maybe just at the deadline), boot it again
                domain.create();
            } else {
                domain.reset();
            }
            return null;
        });
    }

    /** See {@link RootDiskCopier} for how and why. */
    @Override
    public RootDiskCopy copyRootDisk(UUID uuid, Path target) {
        return withManaged(uuid, domain -> copier.copy(domain, target));
    }

    @Override
    public void finishInterruptedCopy(UUID uuid) {
        withManaged(uuid, domain -> {
            copier.finishInterrupted(domain);
            return null;
        });
    }

    @Override
    public void redefine(UUID uuid, Flavor flavor, List<DiskSpec> disks, Map<String, String> annotations) {
        spawner.redefine(uuid, flavor, Optional.empty(), disks, annotations);
    }

    @Override
    public void redefine(UUID uuid, Flavor flavor, String imageId, List<DiskSpec> disks,
                         Map<String, String> annotations) {
        spawner.redefine(uuid, flavor, Optional.of(imageId), disks, annotations);
    }

    @Override
    public void destroy(UUID uuid) {
        connections.call(connection -> {
            Optional<DomainHandle> found = managed.find(connection, uuid);
            if (found.isEmpty()) {
                return null;
            }
            Set<UUID> secrets;
            try (DomainHandle domain = found.get()) {
                secrets = volumeSecrets(domain);
                power.forceOff(domain);
                try {
                    domain.undefine();
                } catch (InstanceNotFoundException e) {
                    return null;
                }
            }
            // the credentials of the volumes still attached go with the instance (a detach removes its own)
            secrets.forEach(connection::undefineSecret);
            long deadline = System.nanoTime() + settings.operationTimeout().toNanos();
            if (!PowerControl.waitUntil(() -> lookupGone(connection, uuid), deadline)) {
                throw new OperationTimeoutException(
                        "instance " + uuid + " is still defined after undefine");
            }
            return null;
        });
    }

    @Override
    public InstanceInfo info(UUID uuid) {
        return withManaged(uuid, domain -> managed.infoOf(domain)
                .orElseThrow(() -> new InstanceNotFoundException("no instance " + uuid)));
    }

    /**
     * {@code guest-ping} through libvirt when the domain has the agent's channel and runs. Any refusal
     * of the ping (channel not connected, no answer in time, libvirt busy with another agent call) is
     * {@link GuestAgentStatus#NOT_RESPONDING}; a lost connection and a vanished domain are thrown.
     */
    @Override
    public GuestAgentStatus guestAgent(UUID uuid, Duration timeout) {
        return withManaged(uuid, domain -> {
            boolean channel = DomainXml.parse(domain.xml()).devices().channels().stream()
                    .anyMatch(c -> Channel.QEMU_GUEST_AGENT.equals(c.targetName()));
            if (!channel) {
                return GuestAgentStatus.NOT_CONFIGURED;
            }
            if (!domain.isActive()) {
                return GuestAgentStatus.NOT_RESPONDING;
            }
            try {
                domain.pingGuestAgent(timeout);
                return GuestAgentStatus.RESPONSIVE;
            } catch (HypervisorUnavailableException | InstanceNotFoundException e) {
                throw e;
            } catch (DriverException e) {
                return GuestAgentStatus.NOT_RESPONDING;
            }
        });
    }

    @Override
    public List<InstanceInfo> listInstances() {
        return connections.call(connection -> {
            List<InstanceInfo> result = new ArrayList<>();
            for (DomainHandle domain : connection.listAll()) {
                try (domain) {
                    managed.infoOf(domain).ifPresent(result::add);
                } catch (InstanceNotFoundException e) {
                    // vanished while we looked at it
                }
            }
            return result;
        });
    }

    /**
     * The live definition's interfaces (the persistent one's when stopped). Sources are asked only when
     * the domain runs and has an interface they could know: leases for NICs on libvirt networks.
     */
    @Override
    public List<InterfaceStatus> interfaces(UUID uuid) {
        return withManaged(uuid, domain -> {
            boolean active = domain.isActive();
            List<NetInterface> defined;
            try {
                defined = DomainXml.parse(domain.xml()).devices().interfaces();
            } catch (DomainXmlException e) {
                throw new HypervisorException("instance " + uuid + ": libvirt's definition cannot be read: "
                        + e.getMessage(), e);
            }
            Map<AddressSource, List<ReportedInterface>> reported = new EnumMap<>(AddressSource.class);
            if (active && !defined.isEmpty()) {
                if (defined.stream().anyMatch(nic -> nic.type() == InterfaceType.NETWORK)) {
                    reported.put(AddressSource.LEASE, domain.interfaceAddresses(AddressSource.LEASE));
                }
                reported.put(AddressSource.GUEST_AGENT, domain.interfaceAddresses(AddressSource.GUEST_AGENT));
            }
            return InterfaceReport.of(defined, reported);
        });
    }

    @Override
    public void updateAnnotations(UUID uuid, Map<String, String> annotations) {
        withManaged(uuid, domain -> {
            InstanceMetadata metadata = managed.metadataOf(domain)
                    .orElseThrow(() -> new InstanceNotFoundException("no instance " + uuid))
                    .withAnnotations(annotations);
            domain.setMetadataElement(AgentMetadata.renderElement(metadata), AgentMetadata.PREFIX,
                    AgentMetadata.NAMESPACE);
            return null;
        });
    }

    @Override
    public void updateAnnotations(InstanceInfo read, Map<String, String> annotations) {
        withManaged(read.uuid(), domain -> {
            domain.setMetadataElement(AgentMetadata.renderElement(read.metadata().withAnnotations(annotations)),
                    AgentMetadata.PREFIX, AgentMetadata.NAMESPACE);
            return null;
        });
    }

    /** Read once per connection: the host's size and identity do not change while it is up. */
    @Override
    public HostResources hostResources() {
        long connection = connections.connectCount();
        NodeSnapshot known = node;
        NodeFacts facts;
        if (known != null && known.connection() == connection && connections.isConnected()) {
            facts = known.facts();
        } else {
            facts = connections.call(LibvirtConnection::node);
            node = new NodeSnapshot(connection, facts);
        }
        return new HostResources(facts.hostname(), facts.cpus(), facts.memoryKb() / 1024, facts.hypervisorType(),
                facts.hypervisorVersion(), settings.virtType().xmlName(), settings.uri());
    }

    /** libvirt's DAC label for guests of this driver's virt type; empty when libvirt does not say or cannot be asked. */
    @Override
    public Optional<GuestProcessUser> guestProcessUser() {
        try {
            String capabilities = connections.call(LibvirtConnection::capabilitiesXml);
            return DacBaseLabel.fromCapabilities(capabilities, settings.virtType().xmlName())
                    .map(label -> new GuestProcessUser(label.uid(), label.gid()));
        } catch (DriverException | DomainXmlException e) {
            return Optional.empty();
        }
    }

    /** What {@code virNodeGetInfo} and friends said on connection number {@code connection}. */
    private record NodeSnapshot(long connection, NodeFacts facts) {
    }

    @Override
    public Subscription subscribe(LifecycleListener listener) {
        return events.subscribe(listener);
    }

    @Override
    public boolean isConnected() {
        return connections.isConnected();
    }

    @Override
    public long connectionCount() {
        return connections.connectCount();
    }

    @Override
    public void close() {
        connections.close();
        events.close();
    }

    private <T> T withManaged(UUID uuid, Function<DomainHandle, T> action) {
        return connections.call(connection -> {
            try (DomainHandle domain = managed.require(connection, uuid)) {
                return action.apply(domain);
            }
        });
    }

    /** The libvirt secrets the instance's network volumes refer to (they were defined for it by the device driver). */
    private static Set<UUID> volumeSecrets(DomainHandle domain) {
        try {
            Set<UUID> secrets = new HashSet<>();
            DomainXml.parse(domain.persistentXml()).devices().networkDisks()
                    .forEach(disk -> disk.auth().ifPresent(auth -> secrets.add(auth.secret())));
            return secrets;
        } catch (DomainXmlException e) {
            return Set.of();
        }
    }

    private static boolean lookupGone(LibvirtConnection connection, UUID uuid) {
        Optional<DomainHandle> still = connection.lookup(uuid);
        still.ifPresent(DomainHandle::close);
        return still.isEmpty();
    }
}
