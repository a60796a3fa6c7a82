package dev.computeagent.virt;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Drives the instances of one hypervisor host.
 *
 * <p>An implementation only sees instances it created itself: domains without the agent's
 * metadata are invisible to every method here (they are neither listed nor touched).
 * Disks handed to {@link #spawn} are prepared by the caller; a driver never fetches images.
 *
 * <p>Failure semantics shared by every method: a {@link DriverException} subtype tells what
 * went wrong, {@link DriverException#retriable()} whether the same call may succeed later
 * (for example {@link HypervisorUnavailableException} while the hypervisor reconnects).
 * Methods are thread-safe; callers serialise operations on one instance themselves.
 */
public interface ComputeDriver extends AutoCloseable {

    /**
     * Defines the instance and boots it. Returns once the hypervisor reports it running.
     *
     * @throws InstanceExistsException an instance with this uuid exists already (untouched)
     * @throws InvalidSpecException    the spec cannot be honoured here (e.g. a disk is missing)
     * @throws DriverException         anything else; <b>a failed spawn leaves nothing behind</b>:
     *                                 no domain, no definition (the disks stay, they are the caller's)
     */
    void spawn(InstanceSpec spec);

    /**
     * {@link #spawn}, then the instance as it is once running, with the spec's metadata: what a
     * {@link #info} right after the spawn would say. A driver that learns the power state from the boot
     * itself answers without reading the instance back (the spawn path needs its power state, not a second
     * lookup of what it has just defined). Same failure semantics as {@link #spawn}; once the instance
     * exists, a failure to read its state is thrown as by {@link #info} and the instance stays.
     */
    default InstanceInfo spawnRunning(InstanceSpec spec) {
        spawn(spec);
        return info(spec.uuid());
    }

    /**
     * Powers on a stopped instance. Starting a running instance is a no-op.
     *
     * @throws InstanceNotFoundException no such instance
     */
    void start(UUID uuid);

    /**
     * Graceful shutdown until {@code timeout}, then forced off: the guest agent is asked first where
     * the instance has one that answers, ACPI otherwise (the request is re-sent every 10 s).
     * {@link Duration#ZERO} forces at once. Stopping a stopped instance is a no-op.
     * Returns once the instance is off; the definition is kept.
     *
     * @throws InstanceNotFoundException no such instance
     */
    void stop(UUID uuid, Duration timeout);

    /**
     * Reboots a running instance. {@link RebootType#SOFT} asks the guest to power off (as
     * {@link #stop} does: guest agent, else ACPI) and boots it again, and falls back to a hard reset
     * when the guest has not powered off within {@code softTimeout};
     * {@link RebootType#HARD} resets at once. A stopped instance is started instead.
     *
     * @throws InstanceNotFoundException no such instance
     */
    void reboot(UUID uuid, RebootType type, Duration softTimeout);

    /**
     * Gives a shut-off instance a new size (a resize, or its revert): its definition is replaced, in one
     * step, by one rendered as {@link #spawn} renders it, with {@code flavor}, {@code disks} (prepared by
     * the caller) and {@code annotations}; everything else of the current definition is kept: name, NICs
     * with their MAC addresses, console log, guest-agent channel, the agent's other metadata. The instance
     * stays shut off. A crash leaves the old definition or the new one, never a mix.
     *
     * The volumes attached through {@link dev.computeagent.virt.device.DeviceDriver#attachVolume} stay
     * attached, on their devices: they are not the caller's disks and not in {@code disks}.
     *
     * @throws InstanceNotFoundException no such instance
     * @throws InvalidSpecException      the instance is not shut off, a disk is missing, or one of
     *                                   {@code disks} takes the device of an attached volume (the definition
     *                                   is unchanged)
     */
    default void redefine(UUID uuid, Flavor flavor, List<DiskSpec> disks, Map<String, String> annotations) {
        redefine(uuid, flavor, info(uuid).metadata().imageId(), disks, annotations);
    }

    /**
     * {@link #redefine(UUID, Flavor, List, Map)} that also gives the instance a new base image id
     * ({@link InstanceMetadata#imageId}): a rebuild from another image. Same guarantees and failures.
     */
    void redefine(UUID uuid, Flavor flavor, String imageId, List<DiskSpec> disks, Map<String, String> annotations);

    /**
     * Copies the instance's root disk, its whole backing chain flattened, into a new standalone qcow2 file
     * {@code target} (replaced if present), for a snapshot image. The instance keeps its state and its
     * disks: a stopped one is copied at rest; a running one keeps running and is copied at one point in
     * time, its file systems frozen through the guest agent for that moment when it has one that answers
     * (else crash-consistent). Returns once {@code target} is complete; may take as long as copying the
     * disk takes.
     *
     * @throws InstanceNotFoundException no such instance
     * @throws DriverException           the copy failed; {@code target} is not left behind and the
     *                                   instance is as it was (its file systems thawed)
     */
    RootDiskCopy copyRootDisk(UUID uuid, Path target);

    /**
     * Undoes what a {@link #copyRootDisk} cut short (the agent or the hypervisor service died during it) may
     * have left in the instance's disk chain: a running instance left on a temporary overlay of its root disk
     * gets it committed back into the disk, as the next copy would do first, and the overlay removed. Nothing
     * left = nothing done. Afterwards no file but the instance's own disks is in its chain, so the caller may
     * remove the copy targets such a copy left. Start-up recovery runs it.
     *
     * @throws InstanceNotFoundException no such instance
     * @throws DriverException           the commit failed; the instance keeps running on the overlay, its
     *                                   content intact
     */
    void finishInterruptedCopy(UUID uuid);

    /**
     * Powers off (forced) and undefines the instance; returns once the hypervisor no longer
     * knows it. Idempotent: a missing instance is success. Disks are the caller's to remove.
     */
    void destroy(UUID uuid);

    /**
     * The instance's current state as the hypervisor sees it.
     *
     * @throws InstanceNotFoundException no such instance
     */
    InstanceInfo info(UUID uuid);

    /**
     * Pings the instance's guest agent, waiting at most about {@code timeout} for the answer. Never
     * changes the instance. May take longer than {@code timeout} while another operation holds the
     * instance (a graceful stop through the agent): callers that must not block run it on their own
     * thread.
     *
     * @throws InstanceNotFoundException no such instance
     */
    GuestAgentStatus guestAgent(UUID uuid, Duration timeout);

    /** Every instance this driver owns on the host, in no particular order. */
    List<InstanceInfo> listInstances();

    /**
     * The instance's network interfaces in the order they were defined (so spec order), each with its
     * MAC address (the one the hypervisor chose when the spec gave none) and the IP addresses known for
     * it now. Addresses come from two sources, merged by MAC address: the DHCP leases of the
     * hypervisor's own networks ({@link AddressSource#LEASE}, only for {@link NicSpec.Type#NETWORK}
     * NICs) and the guest agent ({@link AddressSource#GUEST_AGENT}), when the instance has one that
     * answers. A source that cannot answer contributes nothing and is no failure: no guest agent
     * channel, a guest agent not running (yet) or not answering within a few seconds (libvirt driver:
     * 5 s to sync, 5 s to answer), a network that no longer exists. Interfaces the guest reports that the
     * instance does not define (loopback, tunnels) are left out. A stopped instance lists its
     * interfaces without addresses. Reads only; safe to call at any time.
     *
     * @throws InstanceNotFoundException no such instance
     */
    List<InterfaceStatus> interfaces(UUID uuid);

    /**
     * Replaces the agent's annotations stored with the instance (durable, survive a restart of
     * both the agent and the hypervisor service), both on the running and the persistent definition.
     *
     * @throws InstanceNotFoundException no such instance
     */
    void updateAnnotations(UUID uuid, Map<String, String> annotations);

    /**
     * {@link #updateAnnotations(UUID, Map)} of an instance the caller read on its lane and has not changed the
     * metadata of since: {@code read}'s metadata is stored with {@code annotations} instead of being read again.
     *
     * @throws InstanceNotFoundException no such instance (any more)
     */
    default void updateAnnotations(InstanceInfo read, Map<String, String> annotations) {
        updateAnnotations(read.uuid(), annotations);
    }

    /** Capacity and identity of the host. */
    HostResources hostResources();

    /**
     * The user guest processes run as, when the hypervisor says (libvirt: its DAC security label), so the
     * caller can check that the directories it puts disks in are reachable by it; empty when the hypervisor
     * does not say or cannot be asked now.
     */
    default Optional<GuestProcessUser> guestProcessUser() {
        return Optional.empty();
    }

    /**
     * Registers a listener for lifecycle events of the instances this driver manages. Events keep flowing across
     * reconnects of the underlying hypervisor connection, but changes that happen while the
     * connection is down are not replayed: reconcile with {@link #listInstances()} once
     * {@link #connectionCount()} has changed. Events of one driver arrive in order, on a driver
     * thread; listeners must not block; an exception thrown by a listener is logged and ignored.
     *
     * @return a handle whose {@code close()} unregisters the listener
     */
    Subscription subscribe(LifecycleListener listener);

    /** Whether the hypervisor connection is currently up. Never throws. */
    boolean isConnected();

    /**
     * How many times the hypervisor connection has been established since the driver was created,
     * the first time included. A change means the connection was lost and re-established, however
     * briefly: lifecycle events of the gap were lost, so reconcile with {@link #listInstances()}.
     * Never throws.
     */
    long connectionCount();

    /** Releases the hypervisor connection and the driver's threads. Instances keep running. */
    @Override
    void close();
}
