package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.ResizeArgs;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.virt.InstanceInfo;
import java.util.Map;
import java.util.UUID;

/**
 * The part of a resize to another host that talks to the other agent (implemented by the migration
 * package over the migration protocol; the handlers here keep the local decisions). Source side:
 * {@link #resize} and {@link #resume}; destination side: {@link #confirmOnSource} and {@link #revertOnSource}.
 * Every method fails with a {@link dev.computeagent.agent.failure.CommandFailedException}
 * ({@code MIGRATION_FAILED}, retriable when the other agent did not answer) and can be called again.
 */
public interface ResizeAcrossHosts {

    /**
     * On the source: moves the instance, stopped, with its disks copied, to {@code command}'s destination,
     * which gives it the new flavor and keeps it {@code RESIZED}; this host keeps the old disks and the old
     * definition (as {@code record.instance()}) until confirm or revert. A failure before the move leaves
     * the instance here as it was.
     *
     * @param record the resize as decided here (phase {@code RESIZING}, sizes, power state)
     * @return the outcome of {@code resize}, naming {@code source} and {@code destination}
     */
    Outcome resize(Command<ResizeArgs> command, InstanceInfo info, ResizeRecord record);

    /** On the source: a re-sent resize whose instance left already; asks the destination to adopt it again. */
    Outcome resume(Command<ResizeArgs> command, ResizeRecord record);

    /** On the destination: the source drops what it kept ({@code migration.resize_confirm}); its answer's payload. */
    Map<String, Object> confirmOnSource(UUID uuid, ResizeRecord record);

    /**
     * On the destination: the source defines the instance again with its old flavor and disks, and starts it
     * when it ran ({@code migration.resize_revert}); returns its answer's payload (the instance there).
     */
    Map<String, Object> revertOnSource(UUID uuid, ResizeRecord record);
}
