package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;

/**
 * {@code delete}: destroys and undefines the domain, then its security groups' filter, then removes the instance
 * directory (bases stay for garbage collection). An unknown instance is success; a repeated delete is harmless.
 */
public final class DeleteHandler implements CommandHandler<NoArgs> {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final SecurityGroupDriver groups;

    public DeleteHandler(ComputeDriver driver, InstanceStore store, InstanceFiles files, SecurityGroupDriver groups) {
        this.driver = driver;
        this.store = store;
        this.files = files;
        this.groups = groups;
    }

    @Override
    public CommandName command() {
        return CommandName.DELETE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        driver.destroy(command.instanceUuid());
        groups.remove(command.instanceUuid());
        store.forget(command.instanceUuid());
        files.delete(command.instanceUuid());
        return Outcome.deleted();
    }
}
