package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.MigrationVolumeArgs;
import dev.computeagent.agent.message.SecurityRuleArgs;
import dev.computeagent.agent.provision.HostCapacity;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.provision.InstanceProvisioner.ConfigDrive;
import dev.computeagent.agent.provision.Phases;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.migration.DestinationVolume;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.prepare}, on the destination: holds the instance's capacity ({@link HostCapacity}: its
 * memory and, when its disks are copied, its disks) until adopt or abort, caches the base image (its
 * failure codes pass through, e.g. {@code IMAGE_NOT_FOUND}) and, when the storage is not shared, creates
 * the instance directory with its disks as a spawn here would ({@link InstanceProvisioner}): an empty
 * overlay over the same base, the ephemeral disk, and the source's config drive, which a block migration
 * does not copy. The directory is marked as prepared (with its source) so that abort knows it is its own
 * to remove. An instance whose NICs are filtered gets its security groups' filter here first (a domain arriving
 * with a filter reference that does not exist would not start). On failure nothing stays held and the
 * directory and filter it created are removed.
 *
 * <p>A prepare with {@code shared_storage_probe} is the check and the prepare in one round trip
 * ({@link DestinationCheck}): its answer carries the check's {@code shared_storage} and state directory and
 * {@code prepared}; when the storage it sees does not match {@code block_migration} it prepares nothing
 * ({@code prepared: false}, only the check's refusals apply) and the source prepares again as the storage needs.
 */
public final class MigrationPrepareHandler implements CommandHandler<MigrationPrepareArgs> {

    private final IncomingMigrations incoming;
    private final ImageCache images;
    private final InstanceFiles files;
    private final InstanceProvisioner provisioner;
    private final HostCapacity capacity;
    private final DestinationCheck check;
    private final SecurityGroupDriver groups;

    public MigrationPrepareHandler(IncomingMigrations incoming, ImageCache images, InstanceFiles files,
                                   InstanceProvisioner provisioner, HostCapacity capacity, DestinationCheck check,
                                   SecurityGroupDriver groups) {
        this.incoming = incoming;
        this.images = images;
        this.files = files;
        this.provisioner = provisioner;
        this.capacity = capacity;
        this.check = check;
        this.groups = groups;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATION_PREPARE;
    }

    @Override
    public Outcome handle(Command<MigrationPrepareArgs> command) {
        UUID uuid = command.instanceUuid();
        MigrationPrepareArgs args = command.args();
        String source = IncomingMigrations.authenticatedSource(command);
        check.requireAbsent(uuid);
        boolean block = args.blockMigration();
        Map<String, Object> checked = null;
        if (args.sharedStorageProbe() != null) {
            boolean shared = check.seesProbe(uuid, args.sharedStorageProbe());
            checked = check.answer(shared);
            if (shared == block) {
                // copying onto a shared disk, or not copying an unshared one: answer the check, hold nothing
                check.requireFits(uuid, args.flavorThere());
                checked.put("prepared", false);
                return new Outcome(checked);
            }
        }
        incoming.requireNotPreparedByOther(uuid, source, "");
        Flavor flavor = args.flavor();
        long rootBytes = args.diskVirtualSize() != null && args.diskVirtualSize() > 0 ? args.diskVirtualSize()
                : flavor.rootBytes();
        // held until adopt or abort: spawns and other arrivals meanwhile count it; a resize on its way
        // holds its new flavor's size (the disks are laid out per the old one for the copy, adopt resizes them)
        Flavor held = args.resizeFlavor() == null ? flavor : args.resizeFlavor();
        long heldRoot = Math.max(rootBytes, held.rootBytes());
        capacity.reserve(uuid, block ? HostCapacity.Need.withDisks(held, heldRoot)
                : HostCapacity.Need.withoutDisks(held));
        // a cold copy says whether to start it, a resize names its flavor: neither arrives running
        incoming.prepared(uuid, source, args.start() == null && args.resizeFlavor() == null, notice(command));
        boolean created = false;
        boolean filtered = false;
        try {
            if (args.securityGroups() != null) {
                filtered = true;
                groups.apply(uuid, args.securityGroups().stream().map(SecurityRuleArgs::toRule).toList());
            }
            long imageBytes = images.fetch(args.imageId()).virtualSize();
            if (block) {
                if (rootBytes == 0) {
                    // the overlay takes the image's virtual size: hold that, not nothing
                    capacity.reserve(uuid, HostCapacity.Need.withDisks(held, Math.max(imageBytes, held.rootBytes())));
                }
                created = files.create(uuid);
                incoming.mark(uuid, new IncomingMigrations.PreparedMarker(source, Boolean.TRUE.equals(args.start())));
                provisioner.createDisks(uuid, args.imageId(), flavor, rootBytes, configDrive(args), Phases.UNTIMED);
            }
            try {
                incoming.prepareVolumes(uuid, volumes(args));
            } catch (MigrationException e) {
                throw MigrationFailures.toCommandFailure(e, "nothing moved");
            }
        } catch (RuntimeException e) {
            incoming.settled(uuid);
            releaseVolumesQuietly(uuid, e);
            if (created) {
                files.delete(uuid);
            }
            if (filtered) {
                removeFilterQuietly(uuid, e);
            }
            throw e;
        }
        incoming.ready(uuid);
        if (checked == null) {
            return new Outcome(Map.of("migration_uri", check.migrationUri()));
        }
        checked.put("prepared", true);
        return new Outcome(checked);
    }

    /** Where the source asked to be told of the claim on arrival: its id, at the reply address it signed. */
    private static @Nullable ArrivalNotice notice(Command<MigrationPrepareArgs> command) {
        String id = command.args().arrivalNotice();
        return id == null || command.senderReplyTo() == null ? null
                : new ArrivalNotice(command.senderReplyTo(), id, command.requestId());
    }

    private void releaseVolumesQuietly(UUID uuid, RuntimeException cause) {
        try {
            incoming.releaseVolumes(uuid);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** The arriving volumes; a driver failure to define their secrets is the migration's ({@code MIGRATION_FAILED}). */
    private static List<DestinationVolume> volumes(MigrationPrepareArgs args) {
        if (args.volumes() == null) {
            return List.of();
        }
        return args.volumes().stream().map(MigrationPrepareHandler::volume).toList();
    }

    private static DestinationVolume volume(MigrationVolumeArgs v) {
        return new DestinationVolume(v.volumeId(), v.device(), v.connectionInfo().toConnection(),
                UUID.fromString(v.secretUuid()));
    }

    private void removeFilterQuietly(UUID uuid, RuntimeException cause) {
        try {
            groups.remove(uuid);
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static ConfigDrive configDrive(MigrationPrepareArgs args) {
        return args.configDrive() == null ? new ConfigDrive.None()
                : new ConfigDrive.Install(Base64.getDecoder().decode(args.configDrive()));
    }
}
