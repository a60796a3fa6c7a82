package dev.computeagent.agent.recovery;

import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes spawns whose domain exists but was never recorded {@code ACTIVE}: a spawn is rolled forward, never
 * back, once its domain is defined (docs/lifecycle.md). Such a spawn was cut by an agent kill, or its
 * {@code ACTIVE} record failed after the spawn was announced (libvirtd lost in the milliseconds after it
 * started the guest: {@code handler.SpawnCompletion}). The domain is started when it does not run, recorded
 * {@code ACTIVE} and its directory marked complete; when that fails the instance is recorded {@code ERROR} with
 * the reason. A spawn that failed and is waiting for its domain's removal ({@link FailedSpawnCleanup}) is not
 * touched.
 *
 * <p>Runs at start-up, before commands are taken, and after every reconnect of the hypervisor, each instance
 * on its lane, behind any command of it in flight (so never beside the spawn that made it).
 */
public final class InterruptedSpawns {

    private static final Logger log = LoggerFactory.getLogger(InterruptedSpawns.class);

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final InstanceLanes lanes;

    public InterruptedSpawns(ComputeDriver driver, InstanceStore store, InstanceFiles files, InstanceLanes lanes) {
        this.driver = driver;
        this.store = store;
        this.files = files;
        this.lanes = lanes;
    }

    /** Queues the finish of every {@code BUILDING} instance not marked failed on its lane. Never throws. */
    public void resumeAll() {
        try {
            for (InstanceInfo info : driver.listInstances()) {
                if (interrupted(info)) {
                    lanes.submit(info.uuid(), () -> resume(info.uuid()));
                }
            }
        } catch (RuntimeException e) {
            log.warn("cannot look for interrupted spawns to finish: {}", e.toString());
        }
    }

    /** On the instance's lane: still interrupted (nothing finished it meanwhile), it is finished. Never throws. */
    void resume(UUID uuid) {
        try {
            Optional<InstanceInfo> info = store.find(uuid);
            if (info.isPresent() && interrupted(info.get())) {
                finish(info.get());
            }
        } catch (RuntimeException e) {
            log.warn("interrupted spawn of {} must wait ({})", uuid, e.toString());
        }
    }

    private boolean interrupted(InstanceInfo info) {
        return Annotations.state(info.metadata(), info.powerState()) == InstanceState.BUILDING
                && !files.spawnFailed(info.uuid());
    }

    /** Finishes one interrupted spawn; the caller holds its lane (or no command runs yet). */
    public void finish(InstanceInfo info) {
        UUID uuid = info.uuid();
        try {
            if (info.powerState() != PowerState.RUNNING) {
                driver.start(uuid);
            }
            store.record(uuid, InstanceState.ACTIVE, null);
            files.markSpawnComplete(uuid);
            log.info("finished the interrupted spawn of {}", uuid);
        } catch (RuntimeException e) {
            log.warn("interrupted spawn of {} cannot be finished", uuid, e);
            store.record(uuid, InstanceState.ERROR, "interrupted spawn could not be finished: " + e.getMessage());
        }
    }
}
