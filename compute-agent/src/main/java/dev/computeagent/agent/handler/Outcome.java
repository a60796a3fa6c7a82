package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.state.InstanceView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The result of a successful command: the payload of its {@code .end} event, and what the handler still
 * {@linkplain #recording records} of it.
 *
 * @param payload   the final event's payload
 * @param recording completes when the handler's last durable writes are done (already complete for almost
 *                  every command). The executor announces the outcome first and waits for it before the
 *                  instance's lane takes the next command; it never completes exceptionally (the handler
 *                  deals with its own failures, see {@link SpawnHandler}).
 */
public record Outcome(Map<String, Object> payload, CompletableFuture<Void> recording) {

    private static final CompletableFuture<Void> RECORDED = CompletableFuture.completedFuture(null);

    public Outcome {
        payload = Map.copyOf(payload);
        Objects.requireNonNull(recording, "recording");
    }

    /** An outcome whose every write is done. */
    public Outcome(Map<String, Object> payload) {
        this(payload, RECORDED);
    }

    /** This outcome, with {@code recording} still running after it is announced. */
    public Outcome recordedBy(CompletableFuture<Void> recording) {
        return new Outcome(payload, recording);
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
