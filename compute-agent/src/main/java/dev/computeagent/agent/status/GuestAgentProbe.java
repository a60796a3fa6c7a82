package dev.computeagent.agent.status;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.GuestAgentStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Whether an instance's QEMU guest agent answers, for {@code GET /v1/instances/{uuid}}, without ever
 * holding a request thread for long: the ping ({@link ComputeDriver#guestAgent}) runs on a pool of its
 * own; a caller waits for it at most {@link #WAIT}; callers asking about one instance share one ping,
 * and an answer younger than {@link #FRESH} is given again. The ping itself may take much longer (libvirt
 * serialises agent calls per domain: a graceful stop through the agent holds it): callers then get no
 * answer, never a late one. Thread-safe; never throws.
 */
@Service
public class GuestAgentProbe implements AutoCloseable {

    /** How long a caller waits for a ping. */
    static final Duration WAIT = Duration.ofSeconds(2);
    /** How long an answer is given again instead of pinging anew. */
    static final Duration FRESH = Duration.ofSeconds(5);
    /** How long libvirt waits for the agent's answer (whole seconds). */
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(GuestAgentProbe.class);

    private final ObjectProvider<ComputeDriver> driver;
    private final Map<UUID, Ping> pings = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "guest-agent-ping");
        thread.setDaemon(true);
        return thread;
    });

    public GuestAgentProbe(ObjectProvider<ComputeDriver> driver) {
        this.driver = driver;
    }

    /** The guest agent's state, or empty when the ping failed or did not answer within {@link #WAIT}. */
    public Optional<GuestAgentStatus> status(UUID uuid) {
        long now = System.nanoTime();
        Ping ping = pings.compute(uuid, (id, last) -> last != null && last.usable(now) ? last : start(id, now));
        try {
            return Optional.of(ping.answer().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            log.debug("guest agent of {} could not be pinged: {}", uuid, e.getCause().toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            pings.values().removeIf(p -> !p.usable(now));
        }
    }

    private Ping start(UUID uuid, long now) {
        ComputeDriver current = driver.getIfAvailable();
        CompletableFuture<GuestAgentStatus> answer = current == null
                ? CompletableFuture.failedFuture(new IllegalStateException("no hypervisor driver"))
                : CompletableFuture.supplyAsync(() -> current.guestAgent(uuid, PING_TIMEOUT), pool);
        return new Ping(answer, now);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /**
     * One ping and when it was sent; usable while running, and for {@link #FRESH} after it was sent
     * when it got an answer (a failure, e.g. an instance the driver does not know yet, is asked again).
     */
    private record Ping(CompletableFuture<GuestAgentStatus> answer, long sentNanos) {
        boolean usable(long now) {
            return !answer.isDone() || !answer.isCompletedExceptionally() && now - sentNanos < FRESH.toNanos();
        }
    }
}
