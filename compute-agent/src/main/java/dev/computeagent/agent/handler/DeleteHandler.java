package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;

/**
 * {@code delete}: destroys and undefines the domain, then removes the instance directory (bases
 * stay for garbage collection). An unknown instance is success; a repeated delete is harmless.
 */
public final class DeleteHandler implements CommandHandler<NoArgs> {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceFiles files;

    public DeleteHandler(ComputeDriver driver, InstanceStore store, InstanceFiles files) {
        this.driver = driver;
        this.store = store;
        this.files = files;
    }

    @Override
    public CommandName command() {
        return CommandName.DELETE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        driver.destroy(command.instanceUuid());
        store.forget(command.instanceUuid());
        files.delete(command.instanceUuid());
        return Outcome.deleted();
    }
}
