package dev.computeagent.agent.recovery;

import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes the clean-up of spawns that failed while the hypervisor could not remove their domain (the
 * spawn marked their directory, see {@link InstanceFiles#markSpawnFailed}): once the hypervisor answers,
 * the domain is destroyed, and only then is the directory with its disks removed. A domain that may
 * still exist never loses its disks. An instance finished since (a retried spawn completed it) only
 * loses the mark.
 *
 * <p>Runs at start-up, before commands are taken, and after every reconnect of the hypervisor, each
 * instance on its lane, behind any command of it in flight.
 */
public final class FailedSpawnCleanup {

    private static final Logger log = LoggerFactory.getLogger(FailedSpawnCleanup.class);

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final InstanceLanes lanes;

    public FailedSpawnCleanup(ComputeDriver driver, InstanceStore store, InstanceFiles files, InstanceLanes lanes) {
        this.driver = driver;
        this.store = store;
        this.files = files;
        this.lanes = lanes;
    }

    /** Queues {@link #resume} for every marked instance on its lane. Never throws. */
    public void resumeAll() {
        try {
            for (UUID uuid : files.list()) {
                if (files.spawnFailed(uuid)) {
                    lanes.submit(uuid, () -> resume(uuid));
                }
            }
        } catch (RuntimeException e) {
            log.warn("cannot look for failed spawns to clean up: {}", e.toString());
        }
    }

    /**
     * Finishes the clean-up of one marked instance; the caller holds its lane (or no command runs yet).
     * Never throws: whatever cannot be done now stays for the next reconnect or start.
     */
    public void resume(UUID uuid) {
        try {
            if (!files.spawnFailed(uuid)) {
                return;
            }
            Optional<InstanceInfo> domain = store.find(uuid);
            if (domain.isPresent()) {
                InstanceState state = Annotations.state(domain.get().metadata(), domain.get().powerState());
                if (state != InstanceState.BUILDING || files.spawnComplete(uuid)) {
                    log.info("instance {} was finished after its failed spawn; dropping its clean-up mark", uuid);
                    files.clearSpawnFailed(uuid);
                    return;
                }
                driver.destroy(uuid);
            }
            store.forget(uuid);
            files.delete(uuid);
            log.info("finished the clean-up of the failed spawn of {}: domain gone, files removed", uuid);
        } catch (RuntimeException e) {
            log.warn("clean-up of the failed spawn of {} must wait ({}); its files stay", uuid, e.toString());
        }
    }
}
