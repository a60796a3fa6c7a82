package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.OperationTimeoutException;
import dev.computeagent.virt.libvirt.binding.DomainPower;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Powering a domain off: gracefully (a shutdown request, through the guest agent where the domain has
 * one, else ACPI, re-sent every {@code resendInterval} until the deadline, then forced) or forced at
 * once, always waiting until libvirt reports it inactive. A request libvirt is still working on is not
 * sent again, and never holds the caller past its deadline.
 */
final class PowerControl {

    private static final Logger log = LoggerFactory.getLogger(PowerControl.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final Duration resendInterval;
    private final Duration forcedTimeout;

    PowerControl(Duration resendInterval, Duration forcedTimeout) {
        this.resendInterval = resendInterval;
        this.forcedTimeout = forcedTimeout;
    }

    /**
     * Asks the guest to power off until {@code timeout}; returns whether it did (false: still running).
     */
    boolean shutdownGracefully(DomainPower domain, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Future<?> pending = null;
        while (domain.isActive()) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return false;
            }
            if (pending == null || pending.isDone()) {
                logRefusal(domain, pending);
                try {
                    pending = domain.requestShutdown();
                } catch (HypervisorException e) {
                    // it may have gone off between the check and the request; otherwise retry next round
                    log.debug("shutdown request for {} not sent: {}", domain.name(), e.getMessage());
                }
            }
            long roundEnd = Math.min(deadline, now + resendInterval.toNanos());
            waitUntil(() -> !domain.isActive(), roundEnd);
        }
        return true;
    }

    private static void logRefusal(DomainPower domain, Future<?> answered) {
        if (answered == null) {
            return;
        }
        try {
            answered.get();
        } catch (ExecutionException e) {
            log.debug("shutdown request for {} refused: {}", domain.name(), e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationTimeoutException("interrupted while stopping " + domain.name(), e);
        }
    }

    /** Graceful until {@code timeout}, then forced. Returns once the domain is inactive. */
    void stop(DomainPower domain, Duration timeout) {
        if (timeout.isZero() || !shutdownGracefully(domain, timeout)) {
            forceOff(domain);
        }
    }

    /** {@code virDomainDestroy}, then waits until libvirt reports the domain inactive. */
    void forceOff(DomainPower domain) {
        if (!domain.isActive()) {
            return;
        }
        try {
            domain.destroy();
        } catch (HypervisorException e) {
            if (domain.isActive()) {
                throw e;
            }
        }
        long deadline = System.nanoTime() + forcedTimeout.toNanos();
        if (!waitUntil(() -> !domain.isActive(), deadline)) {
            throw new OperationTimeoutException(domain.name() + " is still running " + forcedTimeout
                    + " after it was forced off");
        }
    }

    /** Polls {@code condition} until true or {@code deadlineNanos}; returns its last value. */
    static boolean waitUntil(BooleanSupplier condition, long deadlineNanos) {
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return true;
                }
            } catch (InstanceNotFoundException e) {
                return true;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(POLL.toMillis(), left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperationTimeoutException("interrupted while waiting for a domain", e);
            }
        }
    }
}
