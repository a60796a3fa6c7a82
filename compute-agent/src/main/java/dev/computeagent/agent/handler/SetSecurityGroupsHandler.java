package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.SetSecurityGroupsArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.util.UUID;

/**
 * {@code set_security_groups}: replaces the allow rules of an instance spawned with {@code security_groups}; a
 * running instance's traffic changes at once, without a reboot. Unknown = {@code INSTANCE_NOT_FOUND}; an instance
 * spawned without security groups has unfiltered NICs, so rules could not apply: {@code INVALID_COMMAND}.
 */
public final class SetSecurityGroupsHandler implements CommandHandler<SetSecurityGroupsArgs> {

    private final InstanceStore store;
    private final SecurityGroupDriver groups;

    public SetSecurityGroupsHandler(InstanceStore store, SecurityGroupDriver groups) {
        this.store = store;
        this.groups = groups;
    }

    @Override
    public CommandName command() {
        return CommandName.SET_SECURITY_GROUPS;
    }

    @Override
    public Outcome handle(Command<SetSecurityGroupsArgs> command) {
        UUID uuid = command.instanceUuid();
        InstanceInfo info = store.find(uuid).orElseThrow(() -> new CommandFailedException(
                ErrorCode.INSTANCE_NOT_FOUND, "no instance " + uuid + " on this host", false));
        if (!Annotations.hasSecurityGroups(info.metadata())) {
            throw new CommandFailedException(ErrorCode.INVALID_COMMAND, "instance " + uuid
                    + " was spawned without security_groups: its NICs are not filtered", false);
        }
        groups.apply(uuid, command.args().rules());
        // kept with the instance: a migration's destination builds the same filter from it
        return Outcome.of(store.recordAnnotations(info, Annotations.withSecurityGroups(info.metadata().annotations(),
                command.args().securityGroups())));
    }
}
