package dev.computeagent.virt.migration;

import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InstanceSpec;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The hypervisor part of moving an instance to another host. Implemented by drivers that can
 * migrate; the agent drives the whole flow (checks, disk preparation, ownership hand-over).
 *
 * <p>Guarantee shared by every method: when it throws, the instance is where it was before the call
 * (running on the source for {@link #migrateLive}, stopped there for {@link #migrateStopped}; the
 * destination keeps no half-imported definition).
 */
public interface MigrationDriver {

    /**
     * Live-migrates a running instance peer to peer to {@code request.destinationUri()}: the definition
     * becomes persistent on the destination and is removed from the source. Blocks until the guest
     * runs on the destination; meanwhile a monitor samples the job every
     * {@link MigrationRequest#pollInterval()}, reports to {@code listener}, raises the allowed downtime
     * in steps up to {@link MigrationRequest#maxDowntime()} and aborts on the completion timeout or a stall.
     * The caller prepares the destination's disks first when the storage is not shared.
     *
     * @throws MigrationException the migration did not happen; the guest still runs on the source
     *                            (see {@link MigrationException#sourceStillRunning()})
     */
    MigrationResult migrateLive(UUID uuid, MigrationRequest request, MigrationListener listener);

    /**
     * Cold migration with the disks copied, on the source: moves a <em>stopped</em> instance to
     * {@code request.destinationUri()} and copies its disks' top layer into the empty overlays the
     * caller prepared there ({@link StorageMode#BLOCK_INCREMENTAL}; {@link StorageMode#SHARED} moves the
     * definition only). The guest never runs during the move: a hypervisor that can only stream the
     * disks of a running process (libvirt) starts it paused for the copy. The instance arrives on the
     * destination defined persistently, its guest not having executed (libvirt: paused), and is
     * undefined here; the destination's owner powers it off with {@code ComputeDriver.stop(uuid,
     * Duration.ZERO)} and starts it when it should run. Monitored like {@link #migrateLive} (completion
     * timeout, stall).
     *
     * @throws MigrationException the instance did not move; it is stopped and defined here as before
     *                            ({@link MigrationException.Reason#NOT_MIGRATABLE} when it is running)
     */
    MigrationResult migrateStopped(UUID uuid, MigrationRequest request, MigrationListener listener);

    /**
     * Cancels the running {@link #migrateLive} or {@link #migrateStopped} of {@code uuid} from any thread
     * (libvirt: {@code virDomainAbortJob}): that call then throws a {@link MigrationException} with
     * {@link MigrationException.Reason#ABORTED} and the guest stays here as the call's own failure
     * guarantee says. A cancel that reaches the hypervisor at switch-over may lose the race: the
     * migrating call's outcome is the truth, not this method's answer.
     *
     * @return whether a running migration of {@code uuid} was asked to stop; false when none runs through
     *         this driver now (not started yet, or already ended) or the hypervisor refused (it has no job
     *         to abort at this instant)
     */
    boolean cancelMigration(UUID uuid);

    /**
     * On the destination, before a live migration or a cold copy starts: defines here the secrets of the
     * {@code volumes} of {@code uuid} that have credentials, each under {@link DestinationVolume#secret()} (a
     * secret that exists is redefined: a repeated prepare is harmless). Volumes without credentials need nothing.
     * Credentials never appear in an exception or a log.
     *
     * @throws MigrationException {@link MigrationException.Step#PREPARE}: the hypervisor refused a secret; none of
     *                            {@code volumes}' secrets stays defined
     */
    void prepareIncomingVolumes(UUID uuid, List<DestinationVolume> volumes);

    /**
     * On the destination, when a migration prepared here will not arrive (abort, failure, expiry): removes every
     * volume secret of {@code uuid} here, unless the instance is defined here (then it arrived, and its secrets
     * are its own). Removing nothing is success.
     *
     * @throws dev.computeagent.virt.DriverException the hypervisor could not be asked or refused
     */
    void releaseIncomingVolumes(UUID uuid);

    /**
     * The instances that have volume secrets on this host (defined by an attach or by a prepared migration), whether
     * or not a domain of theirs is here.
     *
     * @throws dev.computeagent.virt.DriverException the hypervisor could not be asked
     */
    Set<UUID> instancesWithVolumeSecrets();

    /**
     * On the destination: whether the incoming migration of {@code uuid} is still arriving, has arrived or
     * failed in post-copy ({@link IncomingState}). An instance that arrived long ago is {@link IncomingState#ARRIVED}.
     * Used when the source cannot know the outcome itself (it lost its own hypervisor during post-copy, whose
     * QEMU carries on without it).
     *
     * @throws InstanceNotFoundException no such instance here
     */
    IncomingState incomingState(UUID uuid);

    /**
     * On the destination: statistics of the last completed incoming migration of {@code uuid}, if the
     * hypervisor still has them (they are lost when its service restarts).
     *
     * @throws InstanceNotFoundException no such instance here
     */
    Optional<CompletedMigration> lastIncomingMigration(UUID uuid);

    /**
     * For a cold migration over shared storage, on the source: the instance's metadata and NICs as the
     * hypervisor has them, typed and free of anything host-specific (paths, device addresses). The
     * instance is not changed.
     *
     * @throws InstanceNotFoundException no such instance
     */
    PortableInstance exportInstance(UUID uuid);

    /**
     * For a cold migration over shared storage, on the destination: defines (does not start) the
     * instance from {@code spec}, rendered by this driver exactly as
     * {@link dev.computeagent.virt.ComputeDriver#spawn} renders it, with the paths the caller chose. A
     * driver never defines a document made elsewhere. Disks must already be in place.
     *
     * @throws InstanceExistsException an instance with that uuid exists here already (untouched)
     * @throws dev.computeagent.virt.InvalidSpecException a disk or the console log directory is missing
     * @throws MigrationException      the hypervisor refused the definition
     *                                 ({@link MigrationException.Step#DEFINITION}); nothing is defined
     */
    void defineInstance(InstanceSpec spec);
}
