package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * What {@code confirm_resize} and {@code revert_resize} share: the checks, the phase written before any
 * work (so that recovery knows which end was under way), and the answer to a command re-sent after it
 * finished (the instance's last resize request is its request id).
 */
public final class ResizeEnding {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final ResizeFiles resizeFiles;

    public ResizeEnding(ComputeDriver driver, InstanceStore store, ResizeFiles resizeFiles) {
        this.driver = driver;
        this.store = store;
        this.resizeFiles = resizeFiles;
    }

    /**
     * Ends the instance's resize as {@code phase} through {@code work}.
     *
     * @param conflicting the phase of the other end: a resize in it is refused
     * @throws CommandFailedException {@code INVALID_STATE}: no resize, or it is in {@code conflicting};
     *                                {@code INSTANCE_NOT_FOUND} comes from the driver
     */
    Outcome end(Command<NoArgs> command, Phase phase, Phase conflicting,
                BiFunction<UUID, ResizeRecord, Outcome> work) {
        UUID uuid = command.instanceUuid();
        InstanceInfo info = driver.info(uuid);
        Optional<ResizeRecord> pending = resizeFiles.record(uuid);
        String name = command.name().wireName();
        if (pending.isEmpty()) {
            if (command.requestId().equals(info.metadata().annotations().get(Annotations.RESIZE_REQUEST))) {
                return Outcome.of(store.track(info));
            }
            throw refused("instance " + uuid + " has no resize to " + name.replace("_resize", ""));
        }
        ResizeRecord record = pending.get();
        if (record.phase() == conflicting
                || (phase == Phase.CONFIRMING && record.phase() != Phase.RESIZED && record.phase() != phase)) {
            throw refused("instance " + uuid + "'s resize is " + record.phase() + "; " + name + " cannot follow");
        }
        ResizeRecord ending = record.in(phase, command.requestId());
        resizeFiles.write(uuid, ending);
        return work.apply(uuid, ending);
    }

    private static CommandFailedException refused(String message) {
        return new CommandFailedException(ErrorCode.INVALID_STATE, message, false);
    }
}
