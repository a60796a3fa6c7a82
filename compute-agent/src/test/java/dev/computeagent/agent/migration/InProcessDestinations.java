package dev.computeagent.agent.migration;

import dev.computeagent.agent.amqp.AgentJson;
import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.command.Validation;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.execution.ErrorMapper;
import dev.computeagent.agent.message.CommandName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link DestinationClient} that hands each internal command to the destination's
 * {@link IncomingMigrations} as the agent would: serialised, validated by the destination's
 * {@link CommandValidator}, authenticated as sent by its {@code source_host} (what a valid signature
 * proves), then handled with the executor's error mapping; it records what was sent. Hosts not
 * registered are unknown, like a host without a command queue.
 */
final class InProcessDestinations implements DestinationClient {

    private final Map<String, IncomingMigrations> agents = new ConcurrentHashMap<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final java.util.Set<CommandName> unanswered = ConcurrentHashMap.newKeySet();

    InProcessDestinations register(String host, IncomingMigrations incoming) {
        agents.put(host, incoming);
        return this;
    }

    /** The next {@code command} is lost on its way (the destination's agent is down): no answer. */
    InProcessDestinations loseNext(CommandName command) {
        unanswered.add(command);
        return this;
    }

    /** {@code host:command} of every call, in order. */
    List<String> sent() {
        return List.copyOf(sent);
    }

    @Override
    public MigrationReply call(String destination, CommandName command, String requestId, UUID instanceUuid,
                               InternalArgs args, Duration timeout) {
        sent.add(destination + ":" + command.wireName());
        IncomingMigrations incoming = agents.get(destination);
        if (incoming == null) {
            throw new DestinationUnreachableException("unknown destination " + destination, true);
        }
        if (unanswered.remove(command)) {
            throw new DestinationUnreachableException("no answer from " + destination + " to " + command.wireName(),
                    false);
        }
        CommandEnvelope envelope = new CommandEnvelope(1, requestId, command.wireName(), instanceUuid.toString(),
                AgentJson.mapper().valueToTree(args));
        Validation validation = new CommandValidator(destination, AgentJson.mapper())
                .validate(AgentJson.mapper().writeValueAsBytes(envelope), "compute." + destination);
        if (validation instanceof Validation.Rejected rejected) {
            return new MigrationReply(Map.of(), new ErrorBody(ErrorCode.INVALID_COMMAND, rejected.reason(), false));
        }
        Command.Internal internal = ((Command.Internal) ((Validation.Accepted) validation).command())
                .sentBy(args.sourceHost());
        try {
            return MigrationReply.ok(InternalMigrationHandler.of(command, incoming).handle(internal).payload());
        } catch (RuntimeException e) {
            return new MigrationReply(Map.of(), ErrorMapper.toError(e));
        }
    }
}
