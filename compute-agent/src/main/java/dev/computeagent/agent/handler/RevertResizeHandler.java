package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.ResizeRecord.Phase;

/**
 * {@code revert_resize}: the resized instance comes back exactly as it was before its resize (flavor,
 * disks with their content, power state) and the new disks are dropped ({@link ResizeCompletion#revert}).
 * Also finishes a resize whose own roll-back failed. Refused ({@code INVALID_STATE}) without a resize, or
 * while one is being confirmed.
 */
public final class RevertResizeHandler implements CommandHandler<NoArgs> {

    private final ResizeEnding ending;
    private final ResizeCompletion completion;

    public RevertResizeHandler(ResizeEnding ending, ResizeCompletion completion) {
        this.ending = ending;
        this.completion = completion;
    }

    @Override
    public CommandName command() {
        return CommandName.REVERT_RESIZE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        return ending.end(command, Phase.REVERTING, Phase.CONFIRMING,
                (uuid, record) -> completion.revert(uuid, record));
    }
}
