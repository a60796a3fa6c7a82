package dev.computeagent.agent.handler;

import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * The wait for a guest the agent just started (spawn, resize, rescue, unrescue, resize recovery, a resize reverted to its source host) until the
 * hypervisor reports it running.
 */
public final class GuestBoot {

    /** How long a started guest may take to be reported running: retriable {@code TIMEOUT} after it. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private GuestBoot() {
    }

    /**
     * Polls the driver until {@code uuid} runs; returns the domain as last read.
     *
     * @throws CommandFailedException {@code TIMEOUT} (retriable) when it does not within {@link #TIMEOUT}
     */
    public static InstanceInfo awaitRunning(ComputeDriver driver, UUID uuid) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        InstanceInfo info;
        while ((info = driver.info(uuid)).powerState() != PowerState.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new CommandFailedException(ErrorCode.TIMEOUT,
                        "instance " + uuid + " did not reach RUNNING within " + TIMEOUT.toSeconds() + " s", true);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        return info;
    }
}
