package dev.computeagent.agent.migration;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.GuestProcessUser;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.LifecycleListener;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * The agent's view of the hypervisor, and the host-ownership collaborator: only the instances this host
 * owns. The owner is the {@value #OWNER_HOST} annotation when set (written by {@link #claim} when a
 * migrated instance is adopted), else the metadata's {@link InstanceMetadata#ownerHost()} (set at spawn).
 * Another agent's instance — on a hypervisor two agents share, or one migrating in and not adopted yet —
 * is treated as absent by every method: not listed, {@link InstanceNotFoundException} for
 * info/start/stop/reboot/interfaces/annotations/guest agent, a no-op for destroy. Events are passed
 * through; their consumers look the instance up. ("Owned by this host" is not the driver's "managed by
 * the agent", which tells the agent's domains from any other domain on the hypervisor.)
 */
public final class OwnedInstancesDriver implements ComputeDriver {

    /** Annotation that overrides the metadata's owner after a migration. */
    public static final String OWNER_HOST = "owner_host";

    private final ComputeDriver delegate;
    private final String host;

    public OwnedInstancesDriver(ComputeDriver delegate, String host) {
        this.delegate = delegate;
        this.host = host;
    }

    /** The owner recorded with an instance. */
    public static String owner(InstanceMetadata metadata) {
        String claimed = metadata.annotations().get(OWNER_HOST);
        return claimed == null || claimed.isEmpty() ? metadata.ownerHost() : claimed;
    }

    /** Whether the hypervisor has {@code uuid}, whichever host owns it (a cold arrival already defined). */
    public boolean existsForAnyHost(UUID uuid) {
        try {
            delegate.info(uuid);
            return true;
        } catch (InstanceNotFoundException e) {
            return false;
        }
    }

    /** Removes {@code uuid} whichever host owns it: only what this agent itself just defined and failed to claim. */
    public void destroyForAnyHost(UUID uuid) {
        delegate.destroy(uuid);
    }

    /**
     * Powers off (forced) {@code uuid} before it is claimed: an arrival from {@code from} whose hypervisor job
     * blocks every change to it until its process is gone (libvirt keeps a failed post-copy's migration job).
     *
     * @throws InstanceNotFoundException no such instance, or it belongs to a host other than this one and {@code from}
     */
    public void powerOffArrival(UUID uuid, String from) {
        String owner = owner(delegate.info(uuid).metadata());
        if (!owner.equals(host) && !owner.equals(from)) {
            throw new InstanceNotFoundException("instance " + uuid + " here belongs to " + owner + ", not to " + from);
        }
        delegate.stop(uuid, Duration.ZERO);
    }

    /**
     * Makes {@code uuid} this host's (after a migration from {@code from} brought it here), keeping its
     * other annotations. Claiming an instance this host owns already is a no-op.
     *
     * @throws InstanceNotFoundException the hypervisor has no such instance, or it belongs to a host other
     *                                   than {@code from} (never taken from a third agent)
     */
    public void claim(UUID uuid, String from) {
        claim(uuid, from, info -> info.metadata().annotations());
    }

    /**
     * {@link #claim(UUID, String)} that stores further annotations in the same write: {@code annotations}
     * gives, from the instance as found, the annotations to keep (the owner is added to them).
     *
     * @return the instance as claimed (its metadata with the annotations written)
     * @throws InstanceNotFoundException as {@link #claim(UUID, String)}
     */
    public InstanceInfo claim(UUID uuid, String from, Function<InstanceInfo, Map<String, String>> annotations) {
        InstanceInfo info = delegate.info(uuid);
        String owner = owner(info.metadata());
        if (!owner.equals(host) && !owner.equals(from)) {
            throw new InstanceNotFoundException("instance " + uuid + " here belongs to " + owner + ", not to " + from);
        }
        Map<String, String> next = new HashMap<>(annotations.apply(info));
        if (!owner.equals(host)) {
            next.put(OWNER_HOST, host);
        }
        if (next.equals(info.metadata().annotations())) {
            return info;
        }
        delegate.updateAnnotations(uuid, next);
        return info.withAnnotations(next);
    }

    private boolean owned(InstanceInfo info) {
        return host.equals(owner(info.metadata()));
    }

    private InstanceInfo owned(UUID uuid) {
        InstanceInfo info = delegate.info(uuid);
        if (!owned(info)) {
            throw new InstanceNotFoundException("no instance " + uuid + " owned by " + host);
        }
        return info;
    }

    @Override
    public void spawn(InstanceSpec spec) {
        delegate.spawn(spec);
    }

    @Override
    public InstanceInfo spawnRunning(InstanceSpec spec) {
        return delegate.spawnRunning(spec);
    }

    @Override
    public void start(UUID uuid) {
        owned(uuid);
        delegate.start(uuid);
    }

    @Override
    public void stop(UUID uuid, Duration timeout) {
        owned(uuid);
        delegate.stop(uuid, timeout);
    }

    @Override
    public void finishInterruptedCopy(UUID uuid) {
        owned(uuid);
        delegate.finishInterruptedCopy(uuid);
    }

    @Override
    public RootDiskCopy copyRootDisk(UUID uuid, Path target) {
        owned(uuid);
        return delegate.copyRootDisk(uuid, target);
    }

    @Override
    public void reboot(UUID uuid, RebootType type, Duration softTimeout) {
        owned(uuid);
        delegate.reboot(uuid, type, softTimeout);
    }

    @Override
    public void destroy(UUID uuid) {
        try {
            owned(uuid);
        } catch (InstanceNotFoundException absentOrForeign) {
            return;
        }
        delegate.destroy(uuid);
    }

    @Override
    public void redefine(UUID uuid, Flavor flavor, String imageId, List<DiskSpec> disks,
                         Map<String, String> annotations) {
        owned(uuid);
        delegate.redefine(uuid, flavor, imageId, disks, annotations);
    }

    @Override
    public InstanceInfo info(UUID uuid) {
        return owned(uuid);
    }

    @Override
    public GuestAgentStatus guestAgent(UUID uuid, Duration timeout) {
        owned(uuid);
        return delegate.guestAgent(uuid, timeout);
    }

    @Override
    public List<InstanceInfo> listInstances() {
        return delegate.listInstances().stream().filter(this::owned).toList();
    }

    @Override
    public List<InterfaceStatus> interfaces(UUID uuid) {
        owned(uuid);
        return delegate.interfaces(uuid);
    }

    @Override
    public void updateAnnotations(UUID uuid, Map<String, String> annotations) {
        owned(uuid);
        delegate.updateAnnotations(uuid, annotations);
    }

    /** {@code read} was found owned when it was read; the caller's lane kept it so. */
    @Override
    public void updateAnnotations(InstanceInfo read, Map<String, String> annotations) {
        if (!owned(read)) {
            throw new InstanceNotFoundException("no instance " + read.uuid() + " owned by " + host);
        }
        delegate.updateAnnotations(read, annotations);
    }

    @Override
    public HostResources hostResources() {
        return delegate.hostResources();
    }

    @Override
    public Optional<GuestProcessUser> guestProcessUser() {
        return delegate.guestProcessUser();
    }

    @Override
    public Subscription subscribe(LifecycleListener listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public long connectionCount() {
        return delegate.connectionCount();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
