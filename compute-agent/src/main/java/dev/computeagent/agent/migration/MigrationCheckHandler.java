package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import java.nio.file.Path;
import java.util.UUID;

/**
 * {@code migration.check}, on the destination: refuses an instance it already has ({@code INSTANCE_EXISTS})
 * or cannot fit ({@link HostCapacity}, disks aside: whether they are copied is decided after this
 * answer); tells whether it sees the source's storage probe (shared storage), its migration URI and,
 * to the source only, its state directory ({@link DestinationCheck}). Holds nothing. A source of this version
 * sends a live migration's check within its {@code migration.prepare} instead; this command stays for the others
 * (cold migrations, resizes, explicit block migrations) and for controllers and older sources that call it.
 */
public final class MigrationCheckHandler implements CommandHandler<MigrationCheckArgs> {

    private final DestinationCheck check;

    public MigrationCheckHandler(InstanceStore store, InstanceFiles files, HostCapacity capacity, String migrationUri,
                                 Path stateDir) {
        this(new DestinationCheck(store, files, capacity, migrationUri, stateDir));
    }

    public MigrationCheckHandler(DestinationCheck check) {
        this.check = check;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_CHECK;
    }

    @Override
    public Outcome handle(Command<MigrationCheckArgs> command) {
        UUID uuid = command.instanceUuid();
        MigrationCheckArgs args = command.args();
        IncomingMigrations.authenticatedSource(command);
        // a resize on its way must fit with its new flavor, as a spawn of it would
        check.requireFits(uuid, args.flavorThere());
        return new Outcome(check.answer(check.seesProbe(uuid, args.sharedStorageProbe())));
    }
}
