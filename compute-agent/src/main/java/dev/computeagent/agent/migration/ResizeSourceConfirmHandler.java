package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migration.resize_confirm}, on the source of a resize to another host: the destination confirmed
 * it, so this host drops what it kept (the instance directory with the old disks and the record holding the
 * old definition). Accepted only from the destination the resize went to ({@code MIGRATION_FAILED}
 * otherwise); never removes the directory of an instance this host owns ({@code INVALID_STATE}).
 * Idempotent: nothing kept is nothing to do.
 */
public final class ResizeSourceConfirmHandler implements CommandHandler<MigrationResizeEndArgs> {

    private static final Logger log = LoggerFactory.getLogger(ResizeSourceConfirmHandler.class);

    private final ResizeFiles resizeFiles;
    private final InstanceFiles files;
    private final InstanceStore store;

    public ResizeSourceConfirmHandler(ResizeFiles resizeFiles, InstanceFiles files, InstanceStore store) {
        this.resizeFiles = resizeFiles;
        this.files = files;
        this.store = store;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_RESIZE_CONFIRM;
    }

    @Override
    public Outcome handle(Command<MigrationResizeEndArgs> command) {
        UUID uuid = command.instanceUuid();
        String sender = IncomingMigrations.authenticatedSource(command);
        Optional<ResizeRecord> kept = resizeFiles.record(uuid);
        if (kept.isEmpty()) {
            return Outcome.deleted();
        }
        ResizeSourceRevertHandler.requireResizedTo(uuid, kept.get(), sender);
        if (store.find(uuid).isPresent()) {
            throw new CommandFailedException(ErrorCode.INVALID_STATE, "instance " + uuid + " runs on this host; "
                    + "its disks are not a resize's leftovers", false);
        }
        files.delete(uuid);
        log.info("resize of {} to {} confirmed; its old disks here are removed", uuid, sender);
        return Outcome.deleted();
    }
}
