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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's view of the hypervisor, and the host-ownership collaborator: only the instances this host
 * owns. The owner is the {@value #OWNER_HOST} annotation when set (written by {@link #claim} when a
 * migrated instance is adopted), else the metadata's {@link InstanceMetadata#ownerHost()} (set at spawn).
 * Another agent's instance — on a hypervisor two agents share, or one migrating in and not adopted yet —
 * is treated as absent by every method: not listed, {@link InstanceNotFoundException} for
 * info/start/stop/reboot/interfaces/annotations/guest agent, a no-op for destroy. Events are passed
 * through; their consumers look the instance up. ("Owned by this host" is not the driver's "managed by
 * the agent", which tells the agent's domains from any other domain on the hypervisor.) An instance this host
 * {@link #release released} is absent too, though its stale definition still names this host.
 */
public final class OwnedInstancesDriver implements ComputeDriver {

    /** Annotation that overrides the metadata's owner after a migration. */
    public static final String OWNER_HOST = "owner_host";

    private static final Logger log = LoggerFactory.getLogger(OwnedInstancesDriver.class);

    private final ComputeDriver delegate;
    private final String host;
    private final ReleasedInstances released;

    /** Ownership without a durable record of released instances (kept in memory). */
    public OwnedInstancesDriver(ComputeDriver delegate, String host) {
        this(delegate, host, ReleasedInstances.inMemory());
    }

    public OwnedInstancesDriver(ComputeDriver delegate, String host, ReleasedInstances released) {
        this.delegate = delegate;
        this.host = host;
        this.released = released;
    }

    /**
     * Lets go of {@code uuid}, which another host owns now, while its stale definition stays here (libvirt blocks its
     * removal): from now on it is absent to every method, durably. {@link #removeReleased} removes the copy once
     * libvirt allows it.
     *
     * @throws java.io.UncheckedIOException the release could not be recorded
     */
    public void release(UUID uuid) {
        released.add(uuid);
    }

    /**
     * Tries to remove the stale copy of every released instance (destroy and undefine); blocks while libvirt makes
     * each wait (its state-change lock: 30 s). The copy is removed whatever its state: it must never run again
     * (its memory is stale, the destination writes its disk). A released instance whose copy is gone, or whose
     * domain here is no longer this host's (an arrival of it), is forgotten; one libvirt still refuses stays
     * released for the next try.
     */
    public void removeReleased() {
        for (UUID uuid : released.all()) {
            InstanceInfo info;
            try {
                info = delegate.info(uuid);
            } catch (InstanceNotFoundException gone) {
                released.remove(uuid);
                continue;
            } catch (RuntimeException e) {
                log.info("the stale copy of {} here cannot be read yet: {}", uuid, e.getMessage());
                continue;
            }
            if (!host.equals(owner(info.metadata()))) {
                // an arrival of the same instance, which could not have arrived over the stale copy
                released.remove(uuid);
            } else {
                try {
                    delegate.destroy(uuid);
                    released.remove(uuid);
                    log.info("removed the stale copy of {}, which another host owns", uuid);
                } catch (RuntimeException e) {
                    log.info("the stale copy of {} here cannot be removed yet (tried again after the next reconnect "
                            + "and at start-up; virsh undefine instance-{} once libvirtd restarted): {}", uuid, uuid,
                            e.getMessage());
                }
            }
        }
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
        arrivedOrOwned(uuid, from);
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
        InstanceInfo info = arrivedOrOwned(uuid, from);
        return claim(info, annotations.apply(info));
    }

    /**
     * Claims {@code found}, as {@link #arrivedOrOwned} just read it, storing {@code annotations} with the owner in
     * one write (none when nothing changes).
     *
     * @return the instance as claimed
     */
    public InstanceInfo claim(InstanceInfo found, Map<String, String> annotations) {
        if (released.contains(found.uuid())) {
            // an arrival, so the stale copy it could not have arrived over is gone
            released.remove(found.uuid());
        }
        Map<String, String> next = new HashMap<>(annotations);
        if (!owner(found.metadata()).equals(host)) {
            next.put(OWNER_HOST, host);
        }
        if (next.equals(found.metadata().annotations())) {
            return found;
        }
        // the instance was just read: written without a second read
        delegate.updateAnnotations(found, next);
        return found.withAnnotations(next);
    }

    /**
     * {@code uuid} as found when it is this host's or arrived from {@code from}, never a released stale copy.
     *
     * @throws InstanceNotFoundException as {@link #claim(UUID, String)}
     */
    public InstanceInfo arrivedOrOwned(UUID uuid, String from) {
        InstanceInfo info = delegate.info(uuid);
        String owner = owner(info.metadata());
        if (!owner.equals(host) && !owner.equals(from)) {
            throw new InstanceNotFoundException("instance " + uuid + " here belongs to " + owner + ", not to " + from);
        }
        if (owner.equals(host) && released.contains(uuid)) {
            throw new InstanceNotFoundException("instance " + uuid + " here is the stale copy this host let go after "
                    + "a failed migration, not an arrival");
        }
        return info;
    }

    private boolean owned(InstanceInfo info) {
        return host.equals(owner(info.metadata())) && !released.contains(info.uuid());
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
