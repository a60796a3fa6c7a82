package dev.computeagent.agent.metrics;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.status.HostStatusService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * Gauge {@code agent.instances} tagged {@code state}: the agent's instances per state, one series
 * for every state of the contract (0 included), read from the instance directory at scrape time.
 */
@Component
public class InstanceMetrics implements MeterBinder {

    private final HostStatusService status;

    public InstanceMetrics(HostStatusService status) {
        this.status = status;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (InstanceState state : InstanceState.values()) {
            Gauge.builder("agent.instances", status, s -> s.countByState().getOrDefault(state, 0L))
                    .tag("state", state.name()).description("Instances of this agent by state").register(registry);
        }
    }
}
