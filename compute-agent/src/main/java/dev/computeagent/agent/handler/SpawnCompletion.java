package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.provision.Phases;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a successful spawn durable behind its announcement: once the guest runs, the instance is shown
 * {@code ACTIVE} at once (registry) and its outcome goes out, while the {@code ACTIVE} annotation (a libvirt
 * metadata write of the live and the persistent definition: two disk syncs) and the spawn-complete marker
 * (one directory sync) are written at once on threads of their own. The executor waits for both before the
 * instance's next command ({@link Outcome#recording}).
 *
 * <p>Why this keeps every guarantee: from the moment its domain is defined, a spawn is rolled forward, never
 * back. Whatever kills the agent before these writes are on disk, start-up recovery finds the domain
 * {@code BUILDING} and finishes it (started when it does not run, recorded {@code ACTIVE}, marker written:
 * {@code recovery.StartupReconciler}); a redelivery finds the journal's record (written before the final
 * event) or, before that, re-runs the spawn, which finishes the existing instance. So an announced spawn is
 * {@code ACTIVE} after any crash, and the journal keeps a second {@code .end} from going out.
 *
 * <p>Failure semantics: a write that fails here (libvirtd gone in the milliseconds after it started the
 * guest, a full disk) cannot undo the announced outcome. It is logged, the registry goes back to what
 * libvirt holds ({@code BUILDING}) when the annotation is what failed, and the instance is finished like an
 * interrupted spawn: once the hypervisor connection is back ({@code recovery.InterruptedSpawns}), by the same
 * spawn sent again, or at the agent's next start. Until then only
 * {@code spawn} and {@code delete} are allowed.
 */
final class SpawnCompletion {

    private static final Logger log = LoggerFactory.getLogger(SpawnCompletion.class);

    private final InstanceStore store;
    private final InstanceFiles files;
    private final Executor writers;

    /** {@code writers} null: a pool whose threads exist only while spawns complete. */
    SpawnCompletion(InstanceStore store, InstanceFiles files, @Nullable Executor writers) {
        this.store = store;
        this.files = files;
        this.writers = writers != null ? writers : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "spawn-completion");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Shows {@code running} (read right after its boot) {@code ACTIVE} now and starts its durable writes.
     *
     * @return the outcome to announce, its {@link Outcome#recording} the writes (never completing exceptionally)
     */
    Outcome complete(InstanceInfo running, Phases phases) {
        UUID uuid = running.uuid();
        Outcome outcome = Outcome.of(store.show(running, InstanceState.ACTIVE));
        CompletableFuture<Void> active = CompletableFuture.runAsync(() -> phases.time("record",
                () -> store.record(running, InstanceState.ACTIVE, null)), writers).exceptionally(e -> {
                    log.error("spawn of {} was announced but ACTIVE could not be recorded; it stays BUILDING until the "
                            + "hypervisor is back, the same spawn is sent again or the agent restarts", uuid, e);
                    store.track(running);
                    return null;
                });
        CompletableFuture<Void> marker = CompletableFuture.runAsync(() -> files.markSpawnComplete(uuid), writers)
                .exceptionally(e -> {
                    // the domain exists: recovery keeps its directory without the marker, and writes it
                    log.error("spawn of {} was announced but its completion marker could not be written", uuid, e);
                    return null;
                });
        CompletableFuture<Void> both = CompletableFuture.allOf(active, marker);
        return outcome.recordedBy(both);
    }
}
