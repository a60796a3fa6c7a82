package dev.computeagent.agent.heartbeat;

import dev.computeagent.agent.events.EventSink;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.status.HostStatusService;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.type.TypeReference;

/** Publishes {@code host.status} with the body of {@code GET /v1/status}. Never throws. */
public final class Heartbeat implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final HostStatusService status;
    private final EventSink events;

    public Heartbeat(HostStatusService status, EventSink events) {
        this.status = status;
        this.events = events;
    }

    @Override
    public void run() {
        try {
            Map<String, Object> payload = AgentJson.mapper().convertValue(status.current(), new TypeReference<>() {
            });
            events.publish(events.event("host.status", null, null, payload, null));
        } catch (RuntimeException e) {
            log.warn("heartbeat failed: {}", e.toString());
        }
    }
}
