package dev.computeagent.agent.power;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceRegistry;
import dev.computeagent.agent.state.InstanceStateMachine;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.Subscription;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects power-state changes made behind the agent's back (the guest shut down or crashed, an
 * operator used virsh) from the driver's lifecycle events, from a periodic full pass and from a pass
 * when the hypervisor connection comes back (events of the outage are lost), and publishes
 * {@code instance.power_state.update}. Every check runs on the instance's lane, after any command in
 * flight, so a command's own effects are never reported as out-of-band.
 */
public final class PowerStateSync {

    private static final Logger log = LoggerFactory.getLogger(PowerStateSync.class);

    private final ComputeDriver driver;
    private final InstanceLanes lanes;
    private final InstanceStore store;
    private final InstanceRegistry registry;
    private final EventSink events;
    private final Predicate<UUID> migrating;
    private volatile Subscription subscription;

    public PowerStateSync(ComputeDriver driver, InstanceLanes lanes, InstanceStore store, InstanceRegistry registry,
                          EventSink events) {
        this(driver, lanes, store, registry, events, uuid -> false);
    }

    /**
     * @param migrating instances being migrated right now: their hypervisor events are the migration's
     *                  own doing (the source sees the guest stop and vanish, the destination sees it
     *                  arrive), never reported as out-of-band changes
     */
    public PowerStateSync(ComputeDriver driver, InstanceLanes lanes, InstanceStore store, InstanceRegistry registry,
                          EventSink events, Predicate<UUID> migrating) {
        this.driver = driver;
        this.lanes = lanes;
        this.store = store;
        this.registry = registry;
        this.events = events;
        this.migrating = migrating;
    }

    public void start() {
        subscription = driver.subscribe(this::onEvent);
    }

    public void stop() {
        Subscription s = subscription;
        if (s != null) {
            s.close();
        }
    }

    private void onEvent(LifecycleEvent event) {
        lanes.submit(event.uuid(), () -> check(event.uuid()));
    }

    /** One full pass over all instances; never throws. */
    public void syncAll() {
        try {
            Set<UUID> seen = new HashSet<>();
            for (InstanceInfo info : driver.listInstances()) {
                seen.add(info.uuid());
                lanes.submit(info.uuid(), () -> check(info.uuid()));
            }
            for (InstanceView view : registry.all()) {
                UUID uuid = UUID.fromString(view.uuid());
                if (!seen.contains(uuid)) {
                    lanes.submit(uuid, () -> check(uuid));
                }
            }
        } catch (RuntimeException e) {
            log.warn("power-state sync pass failed: {}", e.toString());
        }
    }

    /** Compares one instance with what the agent last recorded; publishes a change. Runs on the lane. */
    void check(UUID uuid) {
        if (migrating.test(uuid)) {
            return;
        }
        try {
            Optional<InstanceView> known = registry.find(uuid);
            Optional<InstanceInfo> actual = store.find(uuid);
            if (actual.isEmpty()) {
                if (known.isPresent()) {
                    registry.remove(uuid);
                    publish(uuid, Map.of("state", InstanceState.DELETED.name(), "power_state", "NOSTATE"),
                            known.get().powerState());
                }
                return;
            }
            InstanceInfo info = actual.get();
            String previousPower = known.map(InstanceView::powerState).orElse(null);
            if (info.powerState().name().equals(previousPower)) {
                return;
            }
            InstanceState recorded = Annotations.state(info.metadata(), info.powerState());
            InstanceState next = InstanceStateMachine.current(recorded, info.powerState());
            String lastError = info.metadata().annotations().get(Annotations.LAST_ERROR);
            InstanceView view = next != recorded ? store.record(uuid, next, lastError)
                    : registry.update(info, next, lastError);
            publish(uuid, Outcome.payloadOf(view), previousPower);
        } catch (RuntimeException e) {
            log.warn("power-state check of {} failed: {}", uuid, e.toString());
        }
    }

    private void publish(UUID uuid, Map<String, Object> payload, String previousPower) {
        Map<String, Object> p = new LinkedHashMap<>(payload);
        if (previousPower != null) {
            p.put("previous_power_state", previousPower);
        }
        events.publish(events.event("instance.power_state.update", null, uuid.toString(), p, null));
    }
}
