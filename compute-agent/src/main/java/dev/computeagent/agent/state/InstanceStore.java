package dev.computeagent.agent.state;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Records an instance's state durably (the driver's annotations) and in the {@link InstanceRegistry}
 * together, so the REST view and what recovery reads agree; only {@link #show} puts a state in the views
 * alone, for one that must not outlive the command of this process that holds it. Callers hold the
 * instance's lane.
 */
public final class InstanceStore {

    private final ComputeDriver driver;
    private final InstanceRegistry registry;

    public InstanceStore(ComputeDriver driver, InstanceRegistry registry) {
        this.driver = driver;
        this.registry = registry;
    }

    /** The instance as the hypervisor reports it, or empty when it does not exist. */
    public Optional<InstanceInfo> find(UUID uuid) {
        try {
            return Optional.of(driver.info(uuid));
        } catch (InstanceNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Stores {@code state} and {@code lastError} (null = none) with the instance and returns its view.
     *
     * @throws InstanceNotFoundException the instance does not exist
     */
    public InstanceView record(UUID uuid, InstanceState state, @Nullable String lastError) {
        return record(driver.info(uuid), state, lastError);
    }

    /**
     * {@link #record(UUID, InstanceState, String)} for an instance just read: its power state and
     * other annotations are taken from {@code info} instead of asking the hypervisor again.
     *
     * @throws InstanceNotFoundException the instance does not exist (any more)
     */
    public InstanceView record(InstanceInfo info, InstanceState state, @Nullable String lastError) {
        Map<String, String> annotations = Annotations.with(info.metadata().annotations(), state, lastError);
        driver.updateAnnotations(info.uuid(), annotations);
        return registry.update(info.withAnnotations(annotations), state, lastError);
    }

    /**
     * Stores {@code annotations} (the whole set) with an instance just read (on the caller's lane, its metadata not
     * changed since: the rest of it is stored as read), keeping its state, and returns its view.
     *
     * @throws InstanceNotFoundException the instance does not exist (any more)
     */
    public InstanceView recordAnnotations(InstanceInfo info, Map<String, String> annotations) {
        driver.updateAnnotations(info, annotations);
        return registry.update(info.withAnnotations(annotations));
    }

    /** Stores a failure message with an existing instance, keeping its state; a missing instance is ignored. */
    public void noteError(UUID uuid, String message) {
        find(uuid).ifPresent(info -> {
            InstanceState state = Annotations.state(info.metadata(), info.powerState());
            driver.updateAnnotations(uuid, Annotations.with(info.metadata().annotations(), state, message));
            registry.update(info, state, message);
        });
    }

    public Optional<InstanceView> view(UUID uuid) {
        return registry.find(uuid);
    }

    /** Every instance the registry knows, in uuid order. */
    public List<InstanceView> views() {
        return registry.all();
    }

    /**
     * Puts an instance that exists but is not recorded yet (a spawn whose domain was just defined)
     * into the registry with the state of its annotations, so REST shows it while it builds.
     *
     * @throws InstanceNotFoundException the instance does not exist
     */
    public InstanceView track(UUID uuid) {
        return registry.update(driver.info(uuid));
    }

    /** {@link #track(UUID)} for an instance just read, with the state its annotations record. */
    public InstanceView track(InstanceInfo info) {
        return registry.update(info);
    }

    /**
     * Shows {@code info} (an instance just read) in {@code state}, without a last error, in this agent's views
     * (REST, status, event payloads) without storing it with the instance, and returns that view: for a state that
     * lasts only while a command of this process runs ({@code MIGRATING}: a restart finds what is stored, the state
     * before it, as it would have made of that state anyway), or for an outcome announced before its state is on
     * disk (a spawn, see {@code handler.SpawnCompletion}). The command ends by recording (or forgetting) the
     * instance, or {@link #track}s what the driver still holds when that fails.
     */
    public InstanceView show(InstanceInfo info, InstanceState state) {
        return registry.update(info, state, null);
    }

    public void forget(UUID uuid) {
        registry.remove(uuid);
    }
}
