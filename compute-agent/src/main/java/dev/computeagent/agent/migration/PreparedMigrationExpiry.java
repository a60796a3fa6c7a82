package dev.computeagent.agent.migration;

import dev.computeagent.virt.network.SecurityGroupDriver;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * On the destination: a migration prepared here that its source neither started, adopted nor aborted
 * within {@code bound} (the source died or lost the broker) is given up: what prepare created is
 * removed (its security groups' filter too) and its reservation released, as {@code migration.abort} would. An instance the hypervisor
 * has here (the transfer is running, or it arrived unadopted) is never touched: it keeps its
 * reservation and is looked at again next sweep; one claimed on its arrival ({@link ArrivalClaims}) is this host's,
 * and its migration is settled as adopted. Each expiry runs on the instance's lane, so it never
 * races an adopt or abort of the same instance. Swept every quarter of the bound (1 s to 1 min) on a
 * thread of its own while the agent runs.
 */
public final class PreparedMigrationExpiry implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PreparedMigrationExpiry.class);

    private final IncomingMigrations incoming;
    private final OwnedInstancesDriver ownership;
    private final Duration bound;
    private final BiConsumer<UUID, Runnable> onLane;
    private final SecurityGroupDriver groups;
    private @Nullable ScheduledExecutorService scheduler;

    /** @param onLane runs a task on the instance's lane */
    public PreparedMigrationExpiry(IncomingMigrations incoming, OwnedInstancesDriver ownership, Duration bound,
                                   BiConsumer<UUID, Runnable> onLane, SecurityGroupDriver groups) {
        this.groups = groups;
        this.incoming = incoming;
        this.ownership = ownership;
        this.bound = Objects.requireNonNull(bound, "bound");
        this.onLane = onLane;
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("agent.migration.prepared-expiry must be positive: " + bound);
        }
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        long period = Math.max(1_000, Math.min(60_000, bound.toMillis() / 4));
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "prepared-migration-expiry");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }

    /** Queues the expiry of every overdue prepared migration on its lane; never throws. */
    public void sweep() {
        for (UUID uuid : incoming.overdue(bound)) {
            try {
                onLane.accept(uuid, () -> expire(uuid));
            } catch (RuntimeException e) {
                log.warn("cannot queue the expiry of the prepared migration of {}", uuid, e);
            }
        }
    }

    /** On the instance's lane: still overdue (no adopt or abort meanwhile) and not here, it is undone. */
    void expire(UUID uuid) {
        if (!incoming.overdue(bound).contains(uuid)) {
            return;
        }
        if (incoming.claimedOnArrival(uuid).isPresent()) {
            // it runs here and is this host's since its arrival: only the source's adopt is missing
            log.warn("instance {} arrived from {} and was claimed here, but its source never adopted it within {} s: "
                    + "the migration is settled as adopted", uuid, incoming.preparer(uuid).orElse("?"),
                    bound.toSeconds());
            incoming.settled(uuid);
            return;
        }
        if (ownership.existsForAnyHost(uuid)) {
            log.info("prepared migration of {} is past {} s but the instance is on this hypervisor (transfer "
                    + "running, or arrived and not adopted): kept", uuid, bound.toSeconds());
            return;
        }
        log.warn("prepared migration of {} from {} neither started, adopted nor aborted within {} s: "
                + "removing what prepare created", uuid, incoming.preparer(uuid).orElse("?"), bound.toSeconds());
        incoming.undoPrepare(uuid, false);
        try {
            // prepare made it (or found none to make: removing a missing filter is success)
            groups.remove(uuid);
        } catch (RuntimeException e) {
            log.warn("expired prepared migration of {}: its security groups' filter could not be removed", uuid, e);
        }
    }
}
