package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.ResizeRecord.Phase;

/**
 * {@code confirm_resize}: the resized instance keeps its new size for good; its old disks are removed and
 * its state follows its power state again ({@link ResizeCompletion#confirm}). Refused
 * ({@code INVALID_STATE}) without a finished resize, or while one is being reverted.
 */
public final class ConfirmResizeHandler implements CommandHandler<NoArgs> {

    private final ResizeEnding ending;
    private final ResizeCompletion completion;

    public ConfirmResizeHandler(ResizeEnding ending, ResizeCompletion completion) {
        this.ending = ending;
        this.completion = completion;
    }

    @Override
    public CommandName command() {
        return CommandName.CONFIRM_RESIZE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        return ending.end(command, Phase.CONFIRMING, Phase.REVERTING,
                (uuid, record) -> completion.confirm(uuid, record));
    }
}
