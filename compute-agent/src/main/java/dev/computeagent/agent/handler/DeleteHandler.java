package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.util.UUID;

/**
 * {@code delete}: destroys and undefines the domain, then its security groups' filter, then removes the instance
 * directory (bases stay for garbage collection). An unknown instance is success; a repeated delete is harmless; the
 * directory of an instance another host owns (a shared instances directory it migrated over) is left to that host
 * ({@link InstanceFiles#delete}).
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
        UUID uuid = command.instanceUuid();
        // this host's instance (the hypervisor says so): its directory goes whatever an older agent's records say;
        // one that is not has no domain here to destroy (the driver's destroy would read it again to find that)
        boolean ownedHere = store.find(uuid).isPresent();
        if (ownedHere) {
            driver.destroy(uuid);
        }
        groups.remove(uuid);
        store.forget(uuid);
        if (ownedHere) {
            files.deleteOwned(uuid);
        } else {
            files.delete(uuid);
        }
        return Outcome.deleted();
    }
}
