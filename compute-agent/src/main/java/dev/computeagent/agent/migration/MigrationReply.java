package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.ErrorBody;
import java.util.Map;
import java.util.Optional;

/**
 * What a destination agent answered to an internal {@code migration.*} command: the payload of its
 * {@code instance.migration.<step>.end}, or the error of its {@code .error}.
 *
 * @param payload the reply's payload (empty on error)
 * @param error   the destination's error, null on success
 */
public record MigrationReply(Map<String, Object> payload, @org.jspecify.annotations.Nullable ErrorBody error) {

    public MigrationReply {
        payload = payload == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(payload));
    }

    public static MigrationReply ok(Map<String, Object> payload) {
        return new MigrationReply(payload, null);
    }

    public boolean failed() {
        return error != null;
    }

    public Optional<String> string(String key) {
        Object v = payload.get(key);
        return v instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
    }

    public boolean flag(String key) {
        return Boolean.TRUE.equals(payload.get(key));
    }

    /** A string of the reply's {@link dev.computeagent.agent.message.EventMessage#REPLY_ONLY} part. */
    public Optional<String> replyOnly(String key) {
        Object part = payload.get(dev.computeagent.agent.message.EventMessage.REPLY_ONLY);
        return part instanceof Map<?, ?> map && map.get(key) instanceof String s && !s.isEmpty()
                ? Optional.of(s) : Optional.empty();
    }
}
