package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.RebootArgs;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;

/**
 * {@code reboot}: soft (graceful shutdown as {@code stop}, then booted again; hard after the timeout) or
 * hard; a stopped instance is started.
 */
public final class RebootHandler implements CommandHandler<RebootArgs> {

    private final ComputeDriver driver;
    private final InstanceStore store;

    public RebootHandler(ComputeDriver driver, InstanceStore store) {
        this.driver = driver;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.REBOOT;
    }

    @Override
    public Outcome handle(Command<RebootArgs> command) {
        driver.reboot(command.instanceUuid(), command.args().rebootType(), command.args().softTimeout());
        return Outcome.of(store.record(command.instanceUuid(), InstanceState.ACTIVE, null));
    }
}
