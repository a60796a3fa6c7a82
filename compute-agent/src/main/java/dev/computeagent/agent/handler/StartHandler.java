package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;

/** {@code start}: powers on a stopped instance; a running one is success. Unknown = {@code INSTANCE_NOT_FOUND}. */
public final class StartHandler implements CommandHandler<NoArgs> {

    private final ComputeDriver driver;
    private final InstanceStore store;

    public StartHandler(ComputeDriver driver, InstanceStore store) {
        this.driver = driver;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.START;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        driver.start(command.instanceUuid());
        return Outcome.of(store.record(command.instanceUuid(), InstanceState.ACTIVE, null));
    }
}
