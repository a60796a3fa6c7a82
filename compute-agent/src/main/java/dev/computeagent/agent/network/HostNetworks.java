package dev.computeagent.agent.network;

import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.network.NetworkDefinition;
import dev.computeagent.virt.network.NetworkDriver;
import dev.computeagent.virt.network.NetworkInUseException;
import dev.computeagent.virt.network.NetworkMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Ensures the configured networks at start-up, before the agent takes commands: a bridge network's bridge (and
 * VLAN sub-interface) first, then the network through the {@link NetworkDriver}; a network configured
 * {@code absent} is removed when no instance uses it (else kept, with a warning, and tried again at the next
 * start). While the hypervisor is unreachable the networks not yet done are tried again every
 * {@code retryInterval}; any other failure (a name another network holds, a subnet the host refuses) is logged
 * and not retried: it needs the operator. Never stops the agent: a spawn on a missing network is refused on its
 * own.
 */
public final class HostNetworks implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HostNetworks.class);

    private final List<HostNetworkPlan> pending;
    private final NetworkDriver driver;
    private final LinuxBridges bridges;
    private final Duration retryInterval;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "agent-host-networks");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;

    public HostNetworks(List<HostNetworkPlan> plans, NetworkDriver driver, LinuxBridges bridges,
                        Duration retryInterval) {
        this.pending = new ArrayList<>(plans);
        this.driver = driver;
        this.bridges = bridges;
        this.retryInterval = retryInterval;
    }

    @Override
    public void start() {
        running = true;
        if (!ensurePending()) {
            retries.scheduleWithFixedDelay(() -> {
                if (ensurePending()) {
                    retries.shutdown();
                }
            }, retryInterval.toMillis(), retryInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Works through the networks not done yet; whether none is left. */
    synchronized boolean ensurePending() {
        pending.removeIf(this::apply);
        return pending.isEmpty();
    }

    /** Whether the plan is done with (applied, or failed for a reason a retry cannot change). */
    private boolean apply(HostNetworkPlan plan) {
        try {
            if (plan.definition().isEmpty()) {
                driver.remove(plan.name());
                log.info("network {} is configured absent: removed (or was not there)", plan.name());
                return true;
            }
            NetworkDefinition definition = plan.definition().get();
            if (definition.mode() == NetworkMode.BRIDGE) {
                bridges.ensure(definition.bridge().orElseThrow(), plan.vlan());
            }
            driver.ensure(definition);
            return true;
        } catch (HypervisorUnavailableException e) {
            log.warn("network {} not ensured yet, the hypervisor is unreachable: trying again in {}", plan.name(),
                    retryInterval);
            return false;
        } catch (NetworkInUseException e) {
            log.warn("network {} is configured absent but kept: {}", plan.name(), e.getMessage());
            return true;
        } catch (RuntimeException e) {
            log.error("network {} cannot be ensured; spawns naming it will be refused: {}", plan.name(),
                    e.getMessage(), e);
            return true;
        }
    }

    @Override
    public void stop() {
        running = false;
        retries.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // before the run cycle starts consuming commands that may name these networks
        return Integer.MAX_VALUE - 8192;
    }
}
