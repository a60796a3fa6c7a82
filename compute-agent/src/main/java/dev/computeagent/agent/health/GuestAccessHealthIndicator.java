package dev.computeagent.agent.health;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.hostio.ProcessRunner;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.GuestProcessUser;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code guestAccess}, part of the {@code readiness} group: DOWN when the user QEMU runs
 * guests as (libvirt's DAC label, {@link ComputeDriver#guestProcessUser}) cannot reach
 * {@code <agent.state-dir>/instances}, where every instance's disks and console log live: every spawn would
 * fail as QEMU opens its disk. The reason, which says what to fix, is logged at WARN whenever it changes
 * (the endpoint shows no details to anonymous callers). UP when the check passes or the user is not
 * known (the hypervisor does not say, or is down: the {@code libvirt} contributor reports that).
 */
@Component("guestAccessHealthIndicator")
public class GuestAccessHealthIndicator implements HealthIndicator {

    private static final Logger log = LoggerFactory.getLogger(GuestAccessHealthIndicator.class);

    private final ObjectProvider<ComputeDriver> driver;
    private final Path instances;
    private final GuestDirectoryAccess access = new GuestDirectoryAccess(new ProcessRunner());
    private final AtomicReference<@Nullable GuestProcessUser> user = new AtomicReference<>();
    private final AtomicReference<String> lastReason = new AtomicReference<>("");

    public GuestAccessHealthIndicator(ObjectProvider<ComputeDriver> driver, AgentProperties properties) {
        this.driver = driver;
        this.instances = properties.stateDir().resolve("instances");
    }

    @Override
    public Health health() {
        Optional<GuestProcessUser> known = guestUser();
        if (known.isEmpty()) {
            return Health.up().withDetail("guest_user", "unknown").build();
        }
        Optional<String> blocked = access.blocked(instances, known.get());
        String reason = blocked.orElse("");
        if (!Objects.equals(lastReason.getAndSet(reason), reason)) {
            if (blocked.isPresent()) {
                log.warn("not ready: {}", reason);
            } else {
                log.info("guests (uid {}) can reach {}", known.get().uid(), instances);
            }
        }
        return blocked.map(r -> Health.down().withDetail("reason", r).build()).orElseGet(() -> Health.up().build());
    }

    /** Asked of the hypervisor until it answers; the answer does not change while the agent runs. */
    private Optional<GuestProcessUser> guestUser() {
        GuestProcessUser cached = user.get();
        if (cached != null) {
            return Optional.of(cached);
        }
        ComputeDriver current = driver.getIfAvailable();
        Optional<GuestProcessUser> asked = current == null ? Optional.empty() : current.guestProcessUser();
        asked.ifPresent(user::set);
        return asked;
    }
}
