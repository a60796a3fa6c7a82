package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.command.CommandValidator;
import dev.computeagent.agent.command.Validation;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.HandlerRegistry;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandArgs;
import dev.computeagent.agent.message.CommandEnvelope;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.testing.TestCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link DestinationClient} that hands each internal command to the destination's handlers as the
 * agent would: serialised, validated by the destination's
 * {@link CommandValidator}, authenticated as sent by its {@code source_host} (what a valid signature
 * proves), then handled with the executor's error mapping; it records what was sent. Hosts not
 * registered are unknown, like a host without a command queue.
 */
final class InProcessDestinations implements DestinationClient {

    private final Map<String, HandlerRegistry> agents = new ConcurrentHashMap<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final Set<CommandName> unanswered = ConcurrentHashMap.newKeySet();
    /** The prefix of a source's in-process reply address. */
    private static final String REPLY = "reply:";
    /** Notices awaited, by correlation id; each waits at its source's in-process reply address. */
    private final Map<String, CompletableFuture<MigrationReply>> notices = new ConcurrentHashMap<>();
    private volatile boolean losingNotices;
    private volatile boolean noticesReceived = true;

    /** Makes {@code host} reachable, answering with its given internal handlers (any other fails). */
    InProcessDestinations register(String host, List<CommandHandler<?>> destinationHandlers) {
        List<CommandHandler<?>> all = new ArrayList<>(destinationHandlers);
        Set<CommandName> given = new HashSet<>();
        destinationHandlers.forEach(h -> given.add(h.command()));
        for (CommandName name : CommandName.values()) {
            if (!name.internal()) {
                all.add(TestCommands.handler(name, c -> {
                    throw new IllegalStateException(name.wireName() + " is not an agent-to-agent command");
                }));
            } else if (!given.contains(name)) {
                all.add(TestCommands.handler(name, c -> {
                    throw new IllegalStateException(name.wireName() + " is not handled by this test's " + host);
                }));
            }
        }
        agents.put(host, new HandlerRegistry(all));
        return this;
    }

    /** The next {@code command} is lost on its way (the destination's agent is down): no answer. */
    InProcessDestinations loseNext(CommandName command) {
        unanswered.add(command);
        return this;
    }

    /** Sources from now on cannot receive notices, so ask for none ({@link ExpectedNotice#NONE}). */
    InProcessDestinations withoutNotices() {
        noticesReceived = false;
        return this;
    }

    /** Every notice from now on is lost on its way (the source's channel closed): sources adopt. */
    InProcessDestinations loseNotices() {
        losingNotices = true;
        return this;
    }

    /**
     * What {@code from}'s adopt handler tells sources with; each notice sent is {@code notice from <from>} in
     * {@link #sent}.
     */
    ArrivalNotices notices(String from) {
        return (notice, uuid, payload) -> {
            sent.add("notice from " + from);
            CompletableFuture<MigrationReply> waiting = notices.get(notice.correlationId());
            if (losingNotices || waiting == null || !notice.replyTo().startsWith(REPLY)) {
                return false;
            }
            waiting.complete(MigrationReply.ok(payload));
            return true;
        };
    }

    private static String replyAddress(String host) {
        return REPLY + host;
    }

    @Override
    public ExpectedNotice expectNotice() {
        if (!noticesReceived) {
            return ExpectedNotice.NONE;
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<MigrationReply> notice = new CompletableFuture<>();
        notices.put(id, notice);
        return new ExpectedNotice(id, notice, () -> notices.remove(id));
    }

    /** {@code host:command} of every call, in order. */
    List<String> sent() {
        return List.copyOf(sent);
    }

    @Override
    public MigrationReply call(String destination, CommandName command, String requestId, UUID instanceUuid,
                               InternalArgs args, Duration timeout) {
        sent.add(destination + ":" + command.wireName());
        HandlerRegistry handlers = agents.get(destination);
        if (handlers == null) {
            throw new DestinationUnreachableException("unknown destination " + destination, true);
        }
        if (unanswered.remove(command)) {
            throw new DestinationUnreachableException("no answer from " + destination + " to " + command.wireName(),
                    false);
        }
        CommandEnvelope envelope = CommandEnvelope.of(command, requestId, instanceUuid, args);
        Validation validation = new CommandValidator(destination, AgentJson.mapper())
                .validate(AgentJson.mapper().writeValueAsBytes(envelope), "compute." + destination);
        if (validation instanceof Validation.Rejected rejected) {
            return new MigrationReply(Map.of(), new ErrorBody(ErrorCode.INVALID_COMMAND, rejected.reason(), false));
        }
        Command<?> internal = ((Validation.Accepted) validation).command().sentBy(args.sourceHost(),
                replyAddress(args.sourceHost()));
        try {
            return MigrationReply.ok(handle(handlers, internal).payload());
        } catch (RuntimeException e) {
            return new MigrationReply(Map.of(), ErrorMapper.toError(e));
        }
    }

    private static <A extends CommandArgs> Outcome handle(HandlerRegistry handlers, Command<A> command) {
        return handlers.of(command).handle(command);
    }
}
