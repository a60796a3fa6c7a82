package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.ResizeRecord.Phase;

/**
 * {@code confirm_resize}: the resized instance keeps its new size for good; its old disks are removed and
 * its state follows its power state again ({@link ResizeCompletion#confirm}); after a resize to another host
 * it is sent to the destination, which owns the instance, and the source drops its old disks and
 * definition ({@link MovedResizeEnd#confirm}). Refused
 * ({@code INVALID_STATE}) without a finished resize, or while one is being reverted.
 */
public final class ConfirmResizeHandler implements CommandHandler<NoArgs> {

    private final ResizeEnding ending;
    private final ResizeCompletion completion;
    private final MovedResizeEnd moved;

    public ConfirmResizeHandler(ResizeEnding ending, ResizeCompletion completion, MovedResizeEnd moved) {
        this.ending = ending;
        this.completion = completion;
        this.moved = moved;
    }

    @Override
    public CommandName command() {
        return CommandName.CONFIRM_RESIZE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        return ending.end(command, Phase.CONFIRMING, Phase.REVERTING,
                (uuid, record) -> record.arrivedFromAnotherHost() ? moved.confirm(uuid, record)
                        : Outcome.of(completion.confirm(uuid, record)));
    }
}
