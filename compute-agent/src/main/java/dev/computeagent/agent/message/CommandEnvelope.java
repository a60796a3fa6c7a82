package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A command as a sender writes it (AsyncAPI {@code CommandEnvelope}): the operator CLI and a source
 * agent talking to a destination build one from the typed arguments; the receiving agent reads the
 * JSON through its validator, never into this record.
 *
 * @param args the command's arguments; null = none (not written)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CommandEnvelope(
        @JsonProperty("version") int version,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("command") String command,
        @JsonProperty("instance_uuid") String instanceUuid,
        @JsonProperty("args") @Nullable CommandArgs args) {

    /** The envelope version this agent speaks. */
    public static final int VERSION = 1;

    /**
     * {@code command} with its arguments.
     *
     * @throws IllegalArgumentException {@code args} are not of {@code command}'s type
     */
    public static CommandEnvelope of(CommandName command, String requestId, UUID instanceUuid, CommandArgs args) {
        if (!command.argsType().isInstance(args)) {
            throw new IllegalArgumentException(command.wireName() + " takes " + command.argsType().getSimpleName()
                    + ", not " + args.getClass().getSimpleName());
        }
        return new CommandEnvelope(VERSION, requestId, command.wireName(), instanceUuid.toString(),
                Objects.requireNonNull(args, "args"));
    }
}
