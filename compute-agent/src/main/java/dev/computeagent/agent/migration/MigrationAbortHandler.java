package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migration.abort}, on the destination: removes what prepare created (the security groups' filter and the
 * volumes' secrets too) and releases what it held; never an instance the hypervisor has here. Nothing prepared (or
 * already settled) is success; the volume secrets of an instance the hypervisor does not have are removed even
 * then (a prepare before an agent restart is not remembered when it made no directory).
 */
public final class MigrationAbortHandler implements CommandHandler<MigrationAbortArgs> {

    private static final Logger log = LoggerFactory.getLogger(MigrationAbortHandler.class);

    private final IncomingMigrations incoming;
    private final OwnedInstancesDriver ownership;
    private final SecurityGroupDriver groups;

    public MigrationAbortHandler(IncomingMigrations incoming, OwnedInstancesDriver ownership,
                                 SecurityGroupDriver groups) {
        this.incoming = incoming;
        this.ownership = ownership;
        this.groups = groups;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_ABORT;
    }

    @Override
    public Outcome handle(Command<MigrationAbortArgs> command) {
        UUID uuid = command.instanceUuid();
        String source = IncomingMigrations.authenticatedSource(command);
        Optional<String> preparer = incoming.preparer(uuid);
        if (preparer.isEmpty()) {
            // nothing known as prepared (settled, or this agent restarted since a prepare that made no directory):
            // volume secrets of an instance this hypervisor does not have are nobody's, removing them is safe
            if (!ownership.existsForAnyHost(uuid)) {
                incoming.releaseVolumes(uuid);
            }
            return new Outcome(Map.of());
        }
        incoming.requireNotPreparedByOther(uuid, source, "; not aborted");
        // whoever owns it: a guest that arrived and was not adopted yet is still the source's
        boolean arrived = ownership.existsForAnyHost(uuid);
        if (arrived) {
            // the hypervisor has it here: not prepare's leftovers, never removed by an abort
            log.warn("abort of the migration of {}: the instance exists here, left alone", uuid);
        }
        incoming.undoPrepare(uuid, arrived);
        if (!arrived) {
            groups.remove(uuid);
        }
        return new Outcome(Map.of());
    }
}
