package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.GuestBoot;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationResizeEndArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migration.resize_revert}, on the source of a resize to another host: the destination reverts it
 * (its copy is already off), so this host defines the instance again from the old definition it kept, with
 * its own paths and the old disks that stayed in its directory untouched ({@link MigratedInstanceSpecs}, as
 * a spawn here would render it), boots it when it ran before the resize, and owns it again from here on;
 * the record goes last. Accepted only from the destination the resize went to ({@code MIGRATION_FAILED}
 * otherwise). Idempotent: an instance already defined is not defined again, one already taken back is
 * answered as it is. A failure leaves the record, so the destination's next attempt (or this agent's
 * start-up recovery, once the definition exists) finishes it.
 */
public final class ResizeSourceRevertHandler implements CommandHandler<MigrationResizeEndArgs> {

    private static final Logger log = LoggerFactory.getLogger(ResizeSourceRevertHandler.class);

    private final ResizeFiles resizeFiles;
    private final InstanceStore store;
    private final OwnedInstancesDriver ownership;
    private final MigrationDriver migrationDriver;
    private final MigratedInstanceSpecs specs;
    private final SecurityGroupDriver groups;

    ResizeSourceRevertHandler(ResizeFiles resizeFiles, InstanceStore store, OwnedInstancesDriver ownership,
                              MigrationDriver migrationDriver, MigratedInstanceSpecs specs,
                              SecurityGroupDriver groups) {
        this.resizeFiles = resizeFiles;
        this.store = store;
        this.ownership = ownership;
        this.migrationDriver = migrationDriver;
        this.specs = specs;
        this.groups = groups;
    }

    /** @param host this agent's {@code agent.host}, the owner of what it defines */
    public static ResizeSourceRevertHandler create(ResizeFiles resizeFiles, InstanceStore store,
                                                   OwnedInstancesDriver ownership, MigrationDriver migrationDriver,
                                                   InstanceProvisioner provisioner, ImageCache images,
                                                   SecurityGroupDriver groups, String host) {
        return new ResizeSourceRevertHandler(resizeFiles, store, ownership, migrationDriver,
                new MigratedInstanceSpecs(provisioner, images, host), groups);
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_RESIZE_REVERT;
    }

    @Override
    public Outcome handle(Command<MigrationResizeEndArgs> command) {
        UUID uuid = command.instanceUuid();
        String sender = IncomingMigrations.authenticatedSource(command);
        Optional<ResizeRecord> kept = resizeFiles.record(uuid);
        if (kept.isEmpty()) {
            InstanceInfo info = store.find(uuid).orElseThrow(() -> new CommandFailedException(
                    ErrorCode.INSTANCE_NOT_FOUND, "nothing of instance " + uuid + " is kept on this host", false));
            return Outcome.of(store.track(info));
        }
        ResizeRecord record = kept.get();
        requireResizedTo(uuid, record, sender);
        MigratedInstance old = record.instance();
        if (old == null) {
            throw new CommandFailedException(ErrorCode.MIGRATION_FAILED, "the resize record of " + uuid
                    + " here holds no old definition", false);
        }
        if (!ownership.existsForAnyHost(uuid)) {
            if (old.securityGroups() != null) {
                groups.apply(uuid, old.securityGroups().stream().map(SecurityRuleArgs::toRule).toList());
            }
            migrationDriver.defineInstance(specs.spec(uuid, old));
        }
        if (record.wasRunning() && ownership.info(uuid).powerState() != PowerState.RUNNING) {
            ownership.start(uuid);
            GuestBoot.awaitRunning(ownership, uuid);
        }
        InstanceView view = store.record(uuid, record.wasRunning() ? InstanceState.ACTIVE : InstanceState.STOPPED, null);
        resizeFiles.finish(uuid);
        log.info("resize of {} to {} reverted; the instance is back on this host", uuid, sender);
        return Outcome.of(view);
    }

    /** The record is this host's side of a resize that went to {@code sender}. */
    static void requireResizedTo(UUID uuid, ResizeRecord record, String sender) {
        if (!record.leftForAnotherHost() || !sender.equals(record.destination())) {
            throw IncomingMigrations.refused("instance " + uuid + " was not resized from this host to " + sender);
        }
    }
}
