package dev.computeagent.agent.migration;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.LifecycleEvent;
import dev.computeagent.virt.Subscription;
import java.util.UUID;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * On the destination: when the hypervisor reports that a live migration prepared here brought its instance and runs
 * it ({@link LifecycleEvent.Type#ARRIVED}: resumed here, so the migration can no longer go back to the source), the
 * instance is claimed at once on its lane ({@link MigrationAdoptHandler#claimOnArrival}) rather than when the
 * source's adopt comes. The claim's hypervisor writes then run while the source's hypervisor still ends its side
 * of the migration, and an arrival whose source died before adopting it is this host's all the same. The same event
 * of an instance no migration is awaited for here (a source's guest resumed after a cancel) is ignored. An arrival
 * whose event is lost (the connection dropped) or whose early claim fails is claimed by the adopt, as before.
 * Subscribed while the agent runs.
 */
public final class ArrivalClaims implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ArrivalClaims.class);

    private final ComputeDriver events;
    private final IncomingMigrations incoming;
    private final MigrationAdoptHandler adopt;
    private final BiConsumer<UUID, Runnable> onLane;
    private @Nullable Subscription subscription;

    /**
     * @param events the driver whose lifecycle events tell arrivals
     * @param onLane runs a task on the instance's lane (after any command of it in flight)
     */
    public ArrivalClaims(ComputeDriver events, IncomingMigrations incoming, MigrationAdoptHandler adopt,
                         BiConsumer<UUID, Runnable> onLane) {
        this.events = events;
        this.incoming = incoming;
        this.adopt = adopt;
        this.onLane = onLane;
    }

    @Override
    public synchronized void start() {
        if (subscription == null) {
            subscription = events.subscribe(this::onEvent);
        }
    }

    @Override
    public synchronized void stop() {
        if (subscription != null) {
            subscription.close();
            subscription = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return subscription != null;
    }

    private void onEvent(LifecycleEvent event) {
        UUID uuid = event.uuid();
        if (event.type() != LifecycleEvent.Type.ARRIVED || incoming.awaitedLiveArrival(uuid).isEmpty()) {
            return;
        }
        try {
            onLane.accept(uuid, () -> adopt.claimOnArrival(uuid));
        } catch (RuntimeException e) {
            // the agent is stopping: the adopt claims it
            log.info("cannot queue the claim of {} on its arrival: {}", uuid, e.toString());
        }
    }
}
