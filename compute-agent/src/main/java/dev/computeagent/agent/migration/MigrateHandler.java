package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.handler.Redefinitions;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.migration.PortableInstance;
import dev.computeagent.virt.migration.SharedStorageProbe;
import dev.computeagent.virt.network.SecurityGroupDriver;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code migrate}, on the source: drives the destination agent through {@code migration.check}
 * (capacity, shared storage detected with {@link SharedStorageProbe}, its migration URI),
 * {@code migration.prepare} (base image, empty overlay for a block migration), the hypervisor's live
 * migration, and {@code migration.adopt}; then forgets the instance here and removes its directory
 * unless shared.
 *
 * <p>Failure semantics: any failure before the hypervisor moved the guest rolls back — the instance
 * keeps running here in state {@code ACTIVE}, the destination is told {@code migration.abort} — and is
 * reported as {@code MIGRATION_FAILED} (or {@code TIMEOUT} for the driver's completion timeout) naming
 * the step and the reason; a destination that does not answer within its bound is a
 * {@code MIGRATION_FAILED} too. Once the guest runs on the destination it is never pulled back: a
 * failed adopt is reported, and the source still lets the instance go (libvirt removed it here).
 * Cold migration ({@code live: false}) stops the instance here; with shared storage the instance is
 * handed over with the adopt as typed data (rendered, defined and, when it was running, started there
 * by the destination itself, undefined here);
 * without it the driver moves the stopped instance with its overlay copied into the one prepare created
 * ({@link MigrationDriver#migrateStopped}) and the destination's adopt starts it when it was running. A
 * failure before the move starts the instance here again when it was running. A cold adopt over shared
 * storage that gets no answer leaves the instance stopped here in {@code ERROR} rather than risk two
 * guests on one shared disk.
 *
 * <p>A {@code resize} to another host is this cold migration with the disks copied, plus a
 * {@link ResizeLeg} ({@link #moveForResize}).
 *
 * <p>Volumes: shared ones (the controller's {@code connection_info} says both hosts reach them) stay where they
 * are and are never copied by a block migration; an instance with a local one is refused ({@code INVALID_STATE}),
 * and a cold migration over shared storage (a hand-over without the hypervisor's definition) of an instance with
 * volumes is refused at the check.
 *
 * <p>Once the instance left (moved by the hypervisor or handed over), its security groups' filter here is
 * removed: the destination has its own since prepare. A filter that cannot be removed is logged and left (the
 * migration succeeded; a stale filter filters nothing).
 */
public final class MigrateHandler implements CommandHandler<MigrateArgs> {

    private static final Logger log = LoggerFactory.getLogger(MigrateHandler.class);

    private final Collaborators parts;
    private final MigrationsInFlight inFlight;
    private final OutgoingMigrations outgoing;

    public MigrateHandler(ComputeDriver driver, MigrationDriver migrationDriver, DestinationClient destinations,
                          InstanceStore store, InstanceFiles files, MigrationsInFlight inFlight,
                          OutgoingMigrations outgoing, String host,
                          Path stateDir, MigrationTimeouts timeouts, MigrationPolicy policy,
                          MigrationProgressReporting progress, SecurityGroupDriver groups,
                          StaleCopyRemoval staleCopies) {
        this.parts = new Collaborators(driver, migrationDriver, destinations, store, files, host,
                stateDir.toAbsolutePath(), timeouts, policy, progress, groups, staleCopies);
        this.inFlight = inFlight;
        this.outgoing = outgoing;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATE;
    }

    @Override
    public Outcome handle(Command<MigrateArgs> command) {
        return handle(command, Optional.empty());
    }

    /** The instance as the state check just read it: a second read of the domain would only cost a few ms. */
    @Override
    public Outcome handle(Command<MigrateArgs> command, Optional<InstanceInfo> admitted) {
        UUID uuid = command.instanceUuid();
        MigrateArgs args = command.args();
        parts.destinations().unavailable().ifPresent(reason -> {
            throw OutgoingMigration.failed("check", reason, false);
        });
        // empty: not read, or not here (then read again: a migrate of an instance gone is rare)
        Optional<InstanceInfo> found = admitted.isPresent() ? admitted : parts.store().find(uuid);
        if (found.isEmpty()) {
            return finishMovedEarlier(command);
        }
        InstanceInfo info = found.get();
        if (args.liveOrDefault() && info.powerState() != PowerState.RUNNING) {
            throw OutgoingMigration.failed("check", "live migration needs a running instance; it is " + info.powerState(), false);
        }
        return move(command, info, null);
    }

    /**
     * The cold move of a {@code resize} to another host ({@link ResizeToAnotherHost}): this protocol, with
     * {@code leg} adding the new flavor to check, prepare and adopt and keeping the old disks here.
     *
     * @param command the resize as a cold {@code migrate} (its request id, destination and stop timeout)
     */
    Outcome moveForResize(Command<MigrateArgs> command, InstanceInfo info, ResizeLeg leg) {
        parts.destinations().unavailable().ifPresent(reason -> {
            throw OutgoingMigration.failed("check", reason, false);
        });
        return move(command, info, leg);
    }

    private Outcome move(Command<MigrateArgs> command, InstanceInfo info, @Nullable ResizeLeg leg) {
        UUID uuid = command.instanceUuid();
        MigrateArgs args = command.args();
        if (leg != null) {
            Redefinitions.requireNoVolumes(info, "resized");
        } else {
            Redefinitions.requireSharedVolumes(info, "migrated");
        }
        inFlight.begin(uuid);
        OutgoingMigrations.Running running = outgoing.begin(uuid, command.requestId(), args.destination());
        OutgoingMigration flow = new OutgoingMigration(parts, command, info, running, leg);
        try (flow) {
            return flow.run();
        } catch (RuntimeException e) {
            flow.rollBack(e);
            throw flow.cancelled().<RuntimeException>map(by -> OutgoingMigration.failed("cancel", "cancelled by "
                    + "migrate_abort " + by + "; the instance stays on this host", false)).orElse(e);
        } finally {
            inFlight.end(uuid);
            outgoing.end(uuid, running, flow.moved());
        }
    }

    /**
     * The instance is not here: a redelivered {@code migrate} whose first run (this agent crashed
     * meanwhile) got the guest to the destination. Asking the destination to adopt it finishes that
     * migration; a destination that does not have it (from this host) means the instance is unknown.
     */
    private Outcome finishMovedEarlier(Command<MigrateArgs> command) {
        UUID uuid = command.instanceUuid();
        String destination = command.args().destination();
        MigrationReply adopted;
        try {
            adopted = parts.destinations().call(destination, CommandName.MIGRATION_ADOPT,
                    StepRequestIds.of(command.requestId(), ".adopt"), uuid,
                    new MigrationAdoptArgs(parts.host(), command.requestId(), null, null), parts.timeouts().adopt());
        } catch (DestinationUnreachableException e) {
            throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "no instance " + uuid
                    + " here, and " + destination + " cannot be asked whether it arrived there: " + e.getMessage(),
                    !e.unknownHost());
        }
        if (adopted.failed()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "no instance " + uuid, false);
        }
        log.info("instance {} had already moved to {}; migration finished", uuid, destination);
        parts.files().delete(uuid);
        Map<String, Object> payload = new LinkedHashMap<>(adopted.payload());
        payload.put("destination", destination);
        return new Outcome(payload);
    }

    /** The instance as the typed data a cold migration over shared storage hands over. */
    static MigratedInstance migrated(PortableInstance instance) {
        InstanceMetadata meta = instance.metadata();
        Map<String, String> notes = meta.annotations();
        return new MigratedInstance(meta.name(), meta.flavor(), meta.imageId(),
                instance.nics().stream().map(NicArgs::of).toList(), meta.userMetadata(),
                notes.get(Annotations.CREATED_AT), notes.get(Annotations.SPAWN_REQUEST), notes.get(Annotations.SPEC_SHA256),
                Annotations.securityGroups(meta).orElse(null));
    }

    /** An abort reason within the contract's 4096 characters. */
    static String abbreviate(String reason) {
        return reason.length() <= 4096 ? reason : reason.substring(0, 4095) + "…";
    }

    /** What every step of an outgoing migration works with. */
    record Collaborators(ComputeDriver driver, MigrationDriver migrationDriver, DestinationClient destinations,
                         InstanceStore store, InstanceFiles files, String host, Path stateDir,
                         MigrationTimeouts timeouts, MigrationPolicy policy, MigrationProgressReporting progress,
                         SecurityGroupDriver groups, StaleCopyRemoval staleCopies) {
    }
}
