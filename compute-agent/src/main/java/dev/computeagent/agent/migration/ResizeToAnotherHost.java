package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.ResizeAcrossHosts;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationResize;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.virt.InstanceInfo;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * {@link ResizeAcrossHosts} over the migration protocol. The source's move is {@link MigrateHandler}'s cold
 * migration with the disks copied ({@link ResizeLeg} adds the flavor and keeps the old disks); the
 * destination's ends reach the source with {@code migration.resize_confirm} / {@code migration.resize_revert}
 * ({@link ResizeSourceConfirmHandler}, {@link ResizeSourceRevertHandler}). Failures are
 * {@code MIGRATION_FAILED}, retriable when the other agent did not answer.
 */
public final class ResizeToAnotherHost implements ResizeAcrossHosts {

    private final MigrateHandler migrate;
    private final DestinationClient agents;
    private final ResizeFiles resizeFiles;
    private final MigrationTimeouts timeouts;
    private final String host;

    /** @param host this agent's {@code agent.host} */
    public ResizeToAnotherHost(MigrateHandler migrate, DestinationClient agents, ResizeFiles resizeFiles,
                               MigrationTimeouts timeouts, String host) {
        this.migrate = migrate;
        this.agents = agents;
        this.resizeFiles = resizeFiles;
        this.timeouts = timeouts;
        this.host = host;
    }

    @Override
    public Outcome resize(Command<ResizeArgs> command, InstanceInfo info, ResizeRecord record) {
        String destination = Objects.requireNonNull(command.args().destination(), "destination");
        MigrateArgs cold = new MigrateArgs(destination, false, null, null, null, command.args().timeoutS());
        Outcome moved = migrate.moveForResize(Command.of(command.requestId(), command.instanceUuid(),
                CommandName.MIGRATE, cold), info, new ResizeLeg(resizeFiles, record, destination));
        return named(moved.payload(), destination);
    }

    @Override
    public Outcome resume(Command<ResizeArgs> command, ResizeRecord record) {
        UUID uuid = command.instanceUuid();
        String destination = Objects.requireNonNull(record.destination(), "destination");
        if (record.phase() == Phase.RESIZING) {
            MigrationResize resize = new MigrationResize(record.newFlavor(), record.requestId());
            Map<String, Object> adopted = call(destination, CommandName.MIGRATION_ADOPT,
                    StepRequestIds.of(command.requestId(), ".adopt"), uuid,
                    new MigrationAdoptArgs(host, command.requestId(), null, record.wasRunning(), resize),
                    timeouts.adopt(), "adopt");
            resizeFiles.write(uuid, record.in(Phase.RESIZED, record.requestId()));
            return named(adopted, destination);
        }
        return named(Map.of("state", InstanceState.RESIZED.name(), "host", destination), destination);
    }

    @Override
    public Map<String, Object> confirmOnSource(UUID uuid, ResizeRecord record) {
        return call(source(record), CommandName.MIGRATION_RESIZE_CONFIRM,
                StepRequestIds.of(record.requestId(), ".source"), uuid, new MigrationResizeEndArgs(host),
                timeouts.abort(), "confirm on the source");
    }

    @Override
    public Map<String, Object> revertOnSource(UUID uuid, ResizeRecord record) {
        // the source boots the guest before it answers: the bound of a boot, plus the adopt's
        return call(source(record), CommandName.MIGRATION_RESIZE_REVERT,
                StepRequestIds.of(record.requestId(), ".source"), uuid, new MigrationResizeEndArgs(host),
                timeouts.adopt().plus(Duration.ofSeconds(60)), "revert on the source");
    }

    private static String source(ResizeRecord record) {
        return Objects.requireNonNull(record.sourceHost(), "source_host");
    }

    private Outcome named(Map<String, Object> payload, String destination) {
        Map<String, Object> p = new LinkedHashMap<>(payload);
        p.put("source", host);
        p.put("destination", destination);
        return new Outcome(p);
    }

    private Map<String, Object> call(String agent, CommandName name, String requestId, UUID uuid, InternalArgs args,
                                     Duration timeout, String step) {
        MigrationReply reply;
        try {
            reply = agents.call(agent, name, requestId, uuid, args, timeout);
        } catch (DestinationUnreachableException e) {
            throw new CommandFailedException(ErrorCode.MIGRATION_FAILED, "resize across hosts failed at step " + step
                    + ": " + e.getMessage() + "; send the command again to finish", !e.unknownHost());
        }
        if (reply.failed()) {
            throw new CommandFailedException(ErrorCode.MIGRATION_FAILED, "resize across hosts failed at step " + step
                    + ": " + agent + " refused: " + reply.error().code() + ": " + reply.error().message(),
                    reply.error().retriable());
        }
        return reply.payload();
    }
}
