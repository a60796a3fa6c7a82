package dev.computeagent.agent.power;

import dev.computeagent.virt.ComputeDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs what must follow an outage as soon as the hypervisor connection is back: a full power-state
 * pass (lifecycle events of the time it was down are lost, the driver's contract, and the periodic pass
 * may be many minutes away) and the clean-ups the outage cut short (failed spawns whose domain could not
 * be removed).
 * A reconnect is seen from {@link ComputeDriver#connectionCount()}, so even an outage shorter than the
 * polling interval is caught. Meant to be run every few seconds; each run is two cheap driver calls
 * that never throw.
 */
public final class ReconnectResync implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReconnectResync.class);

    private final ComputeDriver driver;
    private final Runnable syncAll;
    private boolean wasConnected;
    private long connections;

    /**
     * @param syncAll what to run after a reconnect, e.g. {@link PowerStateSync#syncAll()}; must not throw
     */
    public ReconnectResync(ComputeDriver driver, Runnable syncAll) {
        this.driver = driver;
        this.syncAll = syncAll;
        this.wasConnected = driver.isConnected();
        this.connections = driver.connectionCount();
    }

    @Override
    public synchronized void run() {
        boolean connected = driver.isConnected();
        long count = driver.connectionCount();
        if (connected && count != connections) {
            log.info("hypervisor connection is back: checking every instance for changes missed meanwhile");
            syncAll.run();
            connections = count;
        } else if (!connected && wasConnected) {
            log.warn("hypervisor connection lost: power-state changes are checked again once it is back");
        }
        wasConnected = connected;
    }
}
