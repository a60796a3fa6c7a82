package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event on {@code compute.events} (routing key = {@link #event}), also the body of a reply.
 * {@code request_id}, {@code instance_uuid} and {@code error} are always present, null when not
 * applicable; {@code payload} is an object (possibly empty). {@code timestamp} is written in UTC with
 * exactly three fraction digits ({@code 2026-11-22T10:00:01.000Z}) whatever the Instant's precision,
 * so consumers can parse it with one fixed pattern.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record EventMessage(
        @JsonProperty("version") int version,
        @JsonProperty("event") String event,
        @JsonProperty("host") String host,
        @JsonProperty("timestamp")
        @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSX", timezone = "UTC")
        Instant timestamp,
        @JsonProperty("request_id") @Nullable String requestId,
        @JsonProperty("instance_uuid") @Nullable String instanceUuid,
        @JsonProperty("payload") @Nullable Map<String, Object> payload,
        @JsonProperty("error") @Nullable ErrorBody error) {

    public static final int VERSION = 1;
    /**
     * A payload entry for the requester only: sent in the reply ({@code reply_to}, private to the
     * requester) and kept in the journal, never published on {@code compute.events}, where anyone who
     * may read events would see it (the destination's state directory, answering {@code migration.check}).
     */
    public static final String REPLY_ONLY = "reply_only";

    public EventMessage {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(timestamp, "timestamp");
        payload = payload == null ? Map.of() : payload;
    }

    public boolean isError() {
        return error != null;
    }

    /** This event without the payload's {@link #REPLY_ONLY} entry: what {@code compute.events} may carry. */
    public EventMessage withoutReplyOnly() {
        if (!payload.containsKey(REPLY_ONLY)) {
            return this;
        }
        Map<String, Object> shown = new LinkedHashMap<>(payload);
        shown.remove(REPLY_ONLY);
        return new EventMessage(version, event, host, timestamp, requestId, instanceUuid, shown, error);
    }
}
