package dev.computeagent.agent.runcycle;

import dev.computeagent.agent.amqp.CommandListener;
import dev.computeagent.agent.execution.BackgroundTasks;
import dev.computeagent.agent.execution.InstanceLanes;
import dev.computeagent.agent.heartbeat.Heartbeat;
import dev.computeagent.agent.journal.FileRequestJournal;
import dev.computeagent.agent.power.PowerStateSync;
import dev.computeagent.agent.power.ReconnectResync;
import dev.computeagent.agent.recovery.StartupReconciler;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.SmartLifecycle;

/**
 * The agent's run cycle. Start: reconcile with libvirt, prune the journal, start the power-state
 * sync (events, a periodic pass, and a pass whenever the hypervisor connection comes back, with the
 * clean-ups an outage cut short) and the heartbeat, then consume {@code compute.<host>}. Stop (graceful shutdown): stop
 * taking commands, let running ones finish within the shutdown timeout (queued ones go back to the
 * broker), then close the consumer.
 *
 * <p>The listener container is owned here rather than being a bean, so the consumer channel stays
 * open until in-flight commands are acknowledged.
 */
public final class RunCycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RunCycle.class);
    static final Duration JOURNAL_RETENTION = Duration.ofDays(7);
    /** How soon a hypervisor connection that came back is noticed (and every instance re-checked). */
    static final Duration RECONNECT_CHECK = Duration.ofSeconds(2);

    private final SimpleMessageListenerContainer container;
    private final CommandListener listener;
    private final InstanceLanes lanes;
    private final StartupReconciler reconciler;
    private final FileRequestJournal journal;
    private final PowerStateSync powerSync;
    private final Heartbeat heartbeat;
    private final Runnable reconnectResync;
    // one thread each: a libvirt call hanging in the power sync must not delay host.status
    private final ScheduledExecutorService heartbeatScheduler = BackgroundTasks.daemonScheduler("agent-heartbeat");
    private final ScheduledExecutorService powerSyncScheduler = BackgroundTasks.daemonScheduler("agent-power-sync");
    private final Duration heartbeatInterval;
    private final Duration powerSyncInterval;
    private final Duration shutdownTimeout;
    private volatile boolean running;

    /**
     * @param reconnectResync run every {@link #RECONNECT_CHECK}: acts once the hypervisor connection is back
     */
    public RunCycle(ConnectionFactory connectionFactory, String queue, int prefetch, CommandListener listener,
                         InstanceLanes lanes, StartupReconciler reconciler, FileRequestJournal journal,
                         PowerStateSync powerSync, ReconnectResync reconnectResync, Heartbeat heartbeat,
                         Duration heartbeatInterval, Duration powerSyncInterval, Duration shutdownTimeout) {
        this.listener = listener;
        this.lanes = lanes;
        this.reconciler = reconciler;
        this.journal = journal;
        this.powerSync = powerSync;
        this.heartbeat = heartbeat;
        this.reconnectResync = reconnectResync;
        this.heartbeatInterval = heartbeatInterval;
        this.powerSyncInterval = powerSyncInterval;
        this.shutdownTimeout = shutdownTimeout;
        this.container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(queue);
        container.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        // one consumer keeps arrival order; the work itself runs on the instance lanes
        container.setConcurrentConsumers(1);
        container.setPrefetchCount(prefetch);
        container.setMessageListener(listener);
        container.setMissingQueuesFatal(false);
        container.setRecoveryInterval(1000L);
        container.setAutoStartup(false);
        container.afterPropertiesSet();
    }

    @Override
    public void start() {
        try {
            reconciler.reconcile();
        } catch (RuntimeException e) {
            // the hypervisor may be down: the periodic sync fills the view once it is back
            log.error("start-up reconciliation failed; continuing, the power-state sync will catch up", e);
        }
        journal.prune(JOURNAL_RETENTION);
        try {
            powerSync.start();
        } catch (RuntimeException e) {
            log.error("cannot subscribe to lifecycle events; relying on the periodic sync", e);
        }
        heartbeatScheduler.scheduleAtFixedRate(BackgroundTasks.neverDying("heartbeat", heartbeat), 0, heartbeatInterval.toMillis(),
                TimeUnit.MILLISECONDS);
        powerSyncScheduler.scheduleWithFixedDelay(BackgroundTasks.neverDying("power-state sync", powerSync::syncAll),
                powerSyncInterval.toMillis(), powerSyncInterval.toMillis(), TimeUnit.MILLISECONDS);
        powerSyncScheduler.scheduleWithFixedDelay(BackgroundTasks.neverDying("reconnect re-sync", reconnectResync),
                RECONNECT_CHECK.toMillis(), RECONNECT_CHECK.toMillis(), TimeUnit.MILLISECONDS);
        container.start();
        running = true;
        log.info("consuming {}", (Object) container.getQueueNames());
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        log.info("shutting down: no new commands, waiting up to {} for running ones", shutdownTimeout);
        listener.stopAccepting();
        boolean finished = lanes.shutdown(shutdownTimeout);
        if (!finished) {
            log.warn("commands still running after {}; their messages will be redelivered", shutdownTimeout);
        }
        heartbeatScheduler.shutdownNow();
        powerSyncScheduler.shutdownNow();
        powerSync.stop();
        container.stop();
        container.destroy();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // stops before the web server and the connection factory go away
        return Integer.MAX_VALUE - 4096;
    }
}
