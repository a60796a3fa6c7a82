package dev.computeagent.agent.recovery;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.RebuildRecovery;
import dev.computeagent.agent.handler.ResizeRecovery;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStateMachine;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles the agent with libvirt before it takes commands (docs/architecture.md, "Where state lives"):
 * <ul>
 *   <li>a spawn that failed while its domain could not be removed is cleaned up now
 *       ({@link FailedSpawnCleanup});</li>
 *   <li>a spawn interrupted after its domain was defined ({@code BUILDING}) is finished: the
 *       domain is started; when that fails the instance is marked {@code ERROR} with the reason
 *       ({@link InterruptedSpawns}, which also runs after every reconnect of the hypervisor);</li>
 *   <li>an idle state ({@code ACTIVE}, {@code STOPPED}, {@code PAUSED}; {@code SUSPENDED} when its guest
 *       runs again) follows the actual power state ({@code InstanceStateMachine.current});</li>
 *   <li>{@code MIGRATING} left by a migration that died with a previous agent of a version that stored it
 *       (none can be in flight before commands are consumed; agents now only show it while migrating)
 *       becomes the state of the power state, with {@code last_error} saying the migration was interrupted;</li>
 *   <li>a resize, or its confirmation or revert, cut by the restart is finished or rolled back
 *       ({@link ResizeRecovery});</li>
 *   <li>a rebuild cut by the restart is rolled back (its new disks were not complete) or finished
 *       ({@link RebuildRecovery});</li>
 *   <li>the root disk copies of snapshots cut by the restart are removed, once the driver has undone what the
 *       copy left in the disk chain ({@link SnapshotLeftovers});</li>
 *   <li>an instance directory without a domain and without a completed spawn is removed when this host created
 *       it and the hypervisor has no domain of it for any host (a spawn, or a migration prepared here, that died
 *       before its domain was defined; a redelivered command starts it again). Another host's directory (the
 *       instances directory is shared: that host may be spawning it right now) and one an arriving migration
 *       writes into are left as they are;</li>
 *   <li>the security groups' filter and the volume secrets of an instance without a domain here for any host are
 *       removed ({@link HostLeftovers});</li>
 *   <li>the state of every instance is published ({@code instance.power_state.update} with
 *       {@code payload.reason = "recovery"}).</li>
 * </ul>
 * Only the driver's own instances are seen, so foreign domains are never touched.
 */
public final class StartupReconciler {

    private static final Logger log = LoggerFactory.getLogger(StartupReconciler.class);

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceRegistry registry;
    private final InstanceFiles files;
    private final FailedSpawnCleanup failedSpawns;
    private final InterruptedSpawns spawns;
    private final ResizeRecovery resizes;
    private final RebuildRecovery rebuilds;
    private final SnapshotLeftovers snapshots;
    private final EventSink events;
    private final Predicate<UUID> onHypervisor;
    private final HostLeftovers leftovers;

    /**
     * @param onHypervisor whether the hypervisor has a domain of the instance, whichever host owns it (an arrival
     *                     not yet adopted is another host's)
     */
    public StartupReconciler(ComputeDriver driver, InstanceStore store, InstanceRegistry registry,
                             InstanceFiles files, FailedSpawnCleanup failedSpawns, InterruptedSpawns spawns,
                             ResizeRecovery resizes,
                             RebuildRecovery rebuilds, SnapshotLeftovers snapshots, EventSink events,
                             Predicate<UUID> onHypervisor, HostLeftovers leftovers) {
        this.onHypervisor = onHypervisor;
        this.leftovers = leftovers;
        this.driver = driver;
        this.store = store;
        this.registry = registry;
        this.files = files;
        this.failedSpawns = failedSpawns;
        this.spawns = spawns;
        this.resizes = resizes;
        this.rebuilds = rebuilds;
        this.snapshots = snapshots;
        this.events = events;
    }

    /** Runs the reconciliation once; returns the views of all instances afterwards. */
    public List<InstanceView> reconcile() {
        List<InstanceInfo> instances = driver.listInstances();
        Set<UUID> present = new HashSet<>();
        for (InstanceInfo info : instances) {
            present.add(info.uuid());
            try {
                reconcile(info);
            } catch (RuntimeException e) {
                log.error("recovery of instance {} failed", info.uuid(), e);
                registry.update(info);
            }
        }
        registry.retainOnly(present);
        for (UUID orphan : files.list()) {
            if (!present.contains(orphan)) {
                reconcileDirectoryWithoutDomain(orphan);
            }
        }
        leftovers.removeAll(present);
        List<InstanceView> views = registry.all();
        for (InstanceView view : views) {
            Map<String, Object> payload = new LinkedHashMap<>(Outcome.payloadOf(view));
            payload.put("reason", "recovery");
            try {
                events.publish(events.event("instance.power_state.update", null, view.uuid(), payload, null));
            } catch (RuntimeException e) {
                log.warn("recovery state of {} cannot be published: {}", view.uuid(), e.toString());
            }
        }
        return views;
    }

    private void reconcileDirectoryWithoutDomain(UUID orphan) {
        if (!files.spawnComplete(orphan)) {
            if (!files.createdHere(orphan)) {
                log.info("instance directory {} has no domain here and no completed spawn, but no record that this "
                        + "host created it (another host sharing the directory may be spawning it); left as it is",
                        orphan);
            } else if (onHypervisor.test(orphan)) {
                log.info("instance directory {} belongs to a domain this host does not own yet (an arriving "
                        + "migration); left as it is", orphan);
            } else {
                log.info("removing instance directory {} left by a spawn that never defined its domain", orphan);
                files.delete(orphan);
            }
        } else if (files.ownedElsewhere(orphan)) {
            log.debug("instance directory {} holds another host's instance (a shared instances directory)", orphan);
        } else if (resizes.keptForAnotherHost(orphan)) {
            log.info("instance directory {} keeps the old disks of a resize to another host until it is "
                    + "confirmed or reverted there", orphan);
        } else {
            log.warn("instance directory {} has no domain but a completed spawn; left for the operator", orphan);
        }
    }

    private void reconcile(InstanceInfo info) {
        UUID uuid = info.uuid();
        if (files.ownedElsewhere(uuid)) {
            // claimed here, its shared directory not recorded yet (an agent that wrote the claim first stopped between
            // the two): the host it came from must not remove it
            log.info("instance {} is this host's but its directory names another host: recorded as this host's", uuid);
            files.recordOwner(uuid);
        }
        snapshots.clean(uuid);
        if (rebuilds.recover(info) || resizes.recover(info)) {
            return;
        }
        InstanceState recorded = Annotations.state(info.metadata(), info.powerState());
        switch (recorded) {
            case BUILDING -> {
                if (files.spawnFailed(uuid)) {
                    // reported failed, its domain could not be removed then: now it can
                    failedSpawns.resume(uuid);
                } else {
                    spawns.finish(info);
                }
            }
            case ACTIVE, STOPPED, PAUSED, SUSPENDED -> {
                InstanceState actual = InstanceStateMachine.current(recorded, info.powerState());
                if (actual != recorded) {
                    log.info("instance {} was {} and is now {}", uuid, recorded, actual);
                    store.record(uuid, actual, info.metadata().annotations().get(Annotations.LAST_ERROR));
                } else {
                    registry.update(info);
                }
            }
            case MIGRATING -> {
                // reconciliation runs before any command is consumed, so no migration of this process
                // is in flight: the one that set MIGRATING died with the previous agent. A redelivered
                // migrate starts over from the state set here.
                InstanceState actual = Annotations.fromPower(info.powerState());
                log.warn("instance {} was left MIGRATING by an interrupted migration; it is {} here", uuid, actual);
                store.record(uuid, actual, "migration interrupted by an agent restart; the instance stayed on this host");
            }
            default -> registry.update(info);
        }
    }
}
