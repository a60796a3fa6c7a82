package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceView;
import java.util.LinkedHashMap;
import java.util.Map;

/** The result of a successful command: the payload of its {@code .end} event. */
public record Outcome(Map<String, Object> payload) {

    public Outcome {
        payload = Map.copyOf(payload);
    }

    /** Payload of an instance in a given state: the view's fields, {@code state} and {@code power_state} first. */
    public static Outcome of(InstanceView view) {
        return new Outcome(payloadOf(view));
    }

    /** An instance that no longer exists here. */
    public static Outcome deleted() {
        return new Outcome(Map.of("state", InstanceState.DELETED.name(), "power_state", "NOSTATE"));
    }

    public static Map<String, Object> payloadOf(InstanceView view) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("state", view.state().name());
        p.put("power_state", view.powerState());
        p.put("uuid", view.uuid());
        p.put("name", view.name());
        p.put("flavor", view.flavor());
        p.put("image_id", view.imageId());
        p.put("host", view.host());
        if (view.createdAt() != null) {
            p.put("created_at", view.createdAt().toString());
        }
        if (view.lastError() != null) {
            p.put("last_error", view.lastError());
        }
        return p;
    }
}
