package dev.computeagent.agent.migration;

import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.EventMessage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a destination agent answered to an internal {@code migration.*} command: the payload of its
 * {@code instance.migration.<step>.end}, or the error of its {@code .error}.
 *
 * @param payload the reply's payload (empty on error)
 * @param error   the destination's error, null on success
 */
public record MigrationReply(Map<String, Object> payload, @Nullable ErrorBody error) {

    public MigrationReply {
        payload = payload == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(payload));
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
        Object part = payload.get(EventMessage.REPLY_ONLY);
        return part instanceof Map<?, ?> map && map.get(key) instanceof String s && !s.isEmpty()
                ? Optional.of(s) : Optional.empty();
    }
}
