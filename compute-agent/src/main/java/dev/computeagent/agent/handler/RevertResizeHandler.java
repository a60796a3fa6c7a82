package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.ResizeRecord.Phase;

/**
 * {@code revert_resize}: the resized instance comes back exactly as it was before its resize (flavor,
 * disks with their content, power state) and the new disks are dropped ({@link ResizeCompletion#revert}); after
 * a resize to another host it is sent to the destination, and the instance goes back to its source
 * ({@link MovedResizeEnd#revert}).
 * Also finishes a resize whose own roll-back failed. Refused ({@code INVALID_STATE}) without a resize, or
 * while one is being confirmed.
 */
public final class RevertResizeHandler implements CommandHandler<NoArgs> {

    private final ResizeEnding ending;
    private final ResizeCompletion completion;
    private final MovedResizeEnd moved;

    public RevertResizeHandler(ResizeEnding ending, ResizeCompletion completion, MovedResizeEnd moved) {
        this.ending = ending;
        this.completion = completion;
        this.moved = moved;
    }

    @Override
    public CommandName command() {
        return CommandName.REVERT_RESIZE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        return ending.end(command, Phase.REVERTING, Phase.CONFIRMING,
                (uuid, record) -> record.arrivedFromAnotherHost() ? moved.revert(uuid, record)
                        : Outcome.of(completion.revert(uuid, record)));
    }
}
