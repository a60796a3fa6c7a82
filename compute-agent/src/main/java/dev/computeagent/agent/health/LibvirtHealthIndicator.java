package dev.computeagent.agent.health;

import dev.computeagent.agent.config.AgentProperties;
import dev.computeagent.agent.status.RedactedUri;
import dev.computeagent.virt.ComputeDriver;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code libvirt}: UP while the driver's hypervisor connection is up, DOWN
 * otherwise (also when no driver exists). Part of the {@code readiness} group. Cheap: it asks the
 * driver's connection state, never the network.
 */
@Component("libvirtHealthIndicator")
public class LibvirtHealthIndicator implements HealthIndicator {

    private final ObjectProvider<ComputeDriver> driver;
    private final String uri;

    public LibvirtHealthIndicator(ObjectProvider<ComputeDriver> driver, AgentProperties properties) {
        this.driver = driver;
        this.uri = RedactedUri.of(properties.libvirt().uri());
    }

    @Override
    public Health health() {
        ComputeDriver current = driver.getIfAvailable();
        if (current == null) {
            return Health.down().withDetail("uri", uri).withDetail("reason", "no compute driver").build();
        }
        return (current.isConnected() ? Health.up() : Health.down()).withDetail("uri", uri).build();
    }
}
