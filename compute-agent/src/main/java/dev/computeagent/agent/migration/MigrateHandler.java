package dev.computeagent.agent.migration;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.execution.CommandFailedException;
import dev.computeagent.agent.handler.CommandHandler;
import dev.computeagent.agent.handler.Outcome;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.InternalArgs;
import dev.computeagent.agent.message.MigrateArgs;
import dev.computeagent.agent.message.MigratedInstance;
import dev.computeagent.agent.message.MigrationAbortArgs;
import dev.computeagent.agent.message.MigrationAdoptArgs;
import dev.computeagent.agent.message.MigrationCheckArgs;
import dev.computeagent.agent.message.MigrationPrepareArgs;
import dev.computeagent.agent.message.NicArgs;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.PowerState;
import dev.computeagent.virt.migration.MigrationDriver;
import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationProgress;
import dev.computeagent.virt.migration.MigrationRequest;
import dev.computeagent.virt.migration.MigrationResult;
import dev.computeagent.virt.migration.PortableInstance;
import dev.computeagent.virt.migration.SharedStorageProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
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
 */
public final class MigrateHandler implements CommandHandler<Command.Migrate> {

    private static final Logger log = LoggerFactory.getLogger(MigrateHandler.class);

    private final ComputeDriver driver;
    private final MigrationDriver migrationDriver;
    private final DestinationClient destinations;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final MigrationsInFlight inFlight;
    private final String host;
    private final Path stateDir;
    private final MigrationTimeouts timeouts;
    private final MigrationPolicy policy;

    public MigrateHandler(ComputeDriver driver, MigrationDriver migrationDriver, DestinationClient destinations,
                          InstanceStore store, InstanceFiles files, MigrationsInFlight inFlight, String host,
                          Path stateDir, MigrationTimeouts timeouts, MigrationPolicy policy) {
        this.driver = driver;
        this.migrationDriver = migrationDriver;
        this.destinations = destinations;
        this.store = store;
        this.files = files;
        this.inFlight = inFlight;
        this.host = host;
        this.stateDir = stateDir.toAbsolutePath();
        this.timeouts = timeouts;
        this.policy = policy;
    }

    @Override
    public CommandName command() {
        return CommandName.MIGRATE;
    }

    @Override
    public Class<Command.Migrate> type() {
        return Command.Migrate.class;
    }

    @Override
    public Outcome handle(Command.Migrate command) {
        UUID uuid = command.instanceUuid();
        MigrateArgs args = command.args();
        destinations.unavailable().ifPresent(reason -> {
            throw failed("check", reason, false);
        });
        java.util.Optional<InstanceInfo> found = store.find(uuid);
        if (found.isEmpty()) {
            return finishMovedEarlier(command);
        }
        InstanceInfo info = found.get();
        if (args.liveOrDefault() && info.powerState() != PowerState.RUNNING) {
            throw failed("check", "live migration needs a running instance; it is " + info.powerState(), false);
        }
        inFlight.begin(uuid);
        Flow flow = new Flow(command, info);
        try {
            return flow.run();
        } catch (RuntimeException e) {
            flow.rollBack(e);
            throw e;
        } finally {
            inFlight.end(uuid);
        }
    }

    /**
     * The instance is not here: a redelivered {@code migrate} whose first run (this agent crashed
     * meanwhile) got the guest to the destination. Asking the destination to adopt it finishes that
     * migration; a destination that does not have it (from this host) means the instance is unknown.
     */
    private Outcome finishMovedEarlier(Command.Migrate command) {
        UUID uuid = command.instanceUuid();
        String destination = command.args().destination();
        MigrationReply adopted;
        try {
            adopted = destinations.call(destination, CommandName.MIGRATION_ADOPT, command.requestId() + ".adopt", uuid,
                    new MigrationAdoptArgs(host, command.requestId(), null, null), timeouts.adopt());
        } catch (DestinationUnreachableException e) {
            throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "no instance " + uuid
                    + " here, and " + destination + " cannot be asked whether it arrived there: " + e.getMessage(),
                    !e.unknownHost());
        }
        if (adopted.failed()) {
            throw new CommandFailedException(ErrorCode.INSTANCE_NOT_FOUND, "no instance " + uuid, false);
        }
        log.info("instance {} had already moved to {}; migration finished", uuid, destination);
        files.delete(uuid);
        Map<String, Object> payload = new LinkedHashMap<>(adopted.payload());
        payload.put("destination", destination);
        return new Outcome(payload);
    }

    /** One migration's progress, so a failure knows what to undo. */
    private final class Flow {
        private final Command.Migrate command;
        private final UUID uuid;
        private final String destination;
        private final InstanceInfo info;
        private boolean shared;
        private boolean prepareSent;
        private boolean moved;
        private boolean wasRunning;
        private boolean stopped;

        Flow(Command.Migrate command, InstanceInfo info) {
            this.command = command;
            this.uuid = command.instanceUuid();
            this.destination = command.args().destination();
            this.info = info;
        }

        Outcome run() {
            InstanceMetadata meta = info.metadata();
            MigrationReply check = checkDestination(meta);
            shared = check.flag("shared_storage");
            String uri = check.string("migration_uri").orElseThrow(() -> failed("check",
                    "destination " + destination + " did not tell its migration URI", false));
            MigrationPlan plan;
            try {
                plan = MigrationPlan.decide(command.args(), shared, uri, policy);
            } catch (CommandFailedException e) {
                throw failed("check", e.getMessage(), false);
            } catch (IllegalArgumentException e) {
                throw failed("check", "destination " + destination + " sent an unusable migration URI: "
                        + e.getMessage(), false);
            }
            MigrationRequest request = withPathRewrite(plan.request(), shared, destinationStateDir(check));
            prepareSent = true;
            // kept there for a cold copy: a re-sent migrate whose first adopt went unanswered no longer knows it
            Boolean start = plan instanceof MigrationPlan.Cold && plan.destinationNeedsOverlay()
                    ? info.powerState() == PowerState.RUNNING : null;
            call("prepare", CommandName.MIGRATION_PREPARE, prepareArgs(meta, plan.destinationNeedsOverlay(), start),
                    timeouts.prepare());
            store.record(uuid, InstanceState.MIGRATING, null);
            if (plan instanceof MigrationPlan.Cold) {
                wasRunning = info.powerState() == PowerState.RUNNING;
                driver.stop(uuid, command.args().stopTimeoutOrDefault());
                stopped = true;
                return plan.destinationNeedsOverlay() ? moveStoppedWithDisk(request) : handOverInstance();
            }
            MigrationResult result;
            try {
                result = migrationDriver.migrateLive(uuid, request, this::logProgress);
            } catch (MigrationException e) {
                moved = !e.sourceStillRunning() && store.find(uuid).isEmpty();
                throw MigrationFailures.toCommandFailure(e);
            }
            moved = true;
            log.info("instance {} moved to {} in {} ms ({} bytes)", uuid, destination, result.wallTime().toMillis(),
                    result.bytesTransferred());
            store.forget(uuid);
            return finish(adopt(null), PowerState.RUNNING);
        }

        private void logProgress(MigrationProgress progress) {
            log.info("migration of {} to {}: {}% ({} of {} bytes, iteration {}, downtime limit {} ms)", uuid,
                    destination, progress.percent(), progress.dataProcessed(), progress.dataTotal(),
                    progress.memoryIteration(), progress.downtimeLimit().toMillis());
        }

        /** The guest runs (or, cold, is defined) there and its agent adopted it: the source lets it go. */
        private Outcome finish(MigrationReply adopted, PowerState expected) {
            if (!shared) {
                removeSourceFiles();
            }
            Map<String, Object> payload = new LinkedHashMap<>(adopted.payload());
            payload.put("destination", destination);
            payload.putIfAbsent("state", Annotations.fromPower(expected).name());
            payload.putIfAbsent("power_state", expected.name());
            return new Outcome(payload);
        }

        /**
         * Cold without shared storage: the stopped instance moves with its overlay copied into the one
         * prepare created there; it arrives paused, never having run, and the destination's adopt powers it
         * off and starts it when it was running here.
         */
        private Outcome moveStoppedWithDisk(MigrationRequest request) {
            MigrationResult result;
            try {
                result = migrationDriver.migrateStopped(uuid, request, this::logProgress);
            } catch (MigrationException e) {
                moved = store.find(uuid).isEmpty();
                throw MigrationFailures.toCommandFailure(e, moved ? "the instance is no longer on the source"
                        : "the instance stays on the source");
            }
            moved = true;
            log.info("stopped instance {} moved to {} with its disk in {} ms ({} bytes)", uuid, destination,
                    result.wallTime().toMillis(), result.bytesTransferred());
            store.forget(uuid);
            return finish(adopt(wasRunning), wasRunning ? PowerState.RUNNING : PowerState.SHUTDOWN);
        }

        /**
         * Cold over shared storage: hand the instance over with the adopt, as typed data (never a
         * hypervisor document); the destination renders and defines it with its own paths and (when it was
         * running) starts it, then undefine here. The disk stays where it is.
         */
        private Outcome handOverInstance() {
            MigrationAdoptArgs args = new MigrationAdoptArgs(host, command.requestId(),
                    migrated(migrationDriver.exportInstance(uuid)), wasRunning);
            MigrationReply adopted;
            try {
                adopted = destinations.call(destination, CommandName.MIGRATION_ADOPT, command.requestId() + ".adopt",
                        uuid, args, timeouts.adopt());
            } catch (DestinationUnreachableException e) {
                // the destination may or may not have started it: never start a second copy on the shared disk
                moved = true;
                store.record(uuid, InstanceState.ERROR, "cold migration to " + destination + " unconfirmed: "
                        + e.getMessage());
                throw failed("adopt", e.getMessage() + "; the instance stays stopped here until its owner is "
                        + "known", true);
            }
            if (adopted.failed()) {
                throw failed("adopt", "destination " + destination + " refused: " + adopted.error().code() + ": "
                        + adopted.error().message(), adopted.error().retriable());
            }
            moved = true;
            driver.destroy(uuid);
            store.forget(uuid);
            Map<String, Object> payload = new LinkedHashMap<>(adopted.payload());
            payload.put("destination", destination);
            return new Outcome(payload);
        }

        private MigrationReply checkDestination(InstanceMetadata meta) {
            SharedStorageProbe.Marker marker = files.exists(uuid) ? SharedStorageProbe.plant(files.dir(uuid)) : null;
            try {
                return call("check", CommandName.MIGRATION_CHECK, new MigrationCheckArgs(host, meta.flavor(),
                        meta.imageId(), marker == null ? null : SharedStorageProbe.PREFIX + marker.token()),
                        timeouts.check());
            } finally {
                if (marker != null) {
                    SharedStorageProbe.remove(marker);
                }
            }
        }

        private MigrationPrepareArgs prepareArgs(InstanceMetadata meta, boolean block, Boolean start) {
            Path configDrive = files.configDrive(uuid);
            // read-only disks are not mirrored: the destination needs the same drive before the move
            String drive = block && Files.isRegularFile(configDrive)
                    ? Base64.getEncoder().encodeToString(readConfigDrive(configDrive)) : null;
            return new MigrationPrepareArgs(host, meta.name(), meta.flavor(), meta.imageId(), block,
                    meta.flavor().rootBytes(), meta.userMetadata(), start, drive);
        }

        /** The destination's state directory, as its check answered (privately), else the same as here. */
        private Path destinationStateDir(MigrationReply check) {
            try {
                Path given = check.replyOnly("state_dir").map(Path::of).orElse(stateDir);
                if (given.isAbsolute() && given.normalize().equals(given)) {
                    return given;
                }
            } catch (java.nio.file.InvalidPathException e) {
                // refused below
            }
            throw failed("check", "destination " + destination + " sent an unusable state directory", false);
        }

        private static byte[] readConfigDrive(Path configDrive) {
            try {
                return Files.readAllBytes(configDrive);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the config drive " + configDrive, e);
            }
        }

        private MigrationRequest withPathRewrite(MigrationRequest request, boolean shared, Path destinationStateDir) {
            // hosts laid out differently: the destination's definition must point at its own files
            return shared || destinationStateDir.equals(stateDir) ? request
                    : request.withPathRewrite(stateDir, destinationStateDir);
        }

        /** @param start cold copy: boot it on arrival; null for a live migration */
        private MigrationReply adopt(Boolean start) {
            try {
                return call("adopt", CommandName.MIGRATION_ADOPT,
                        new MigrationAdoptArgs(host, command.requestId(), null, start), timeouts.adopt());
            } catch (CommandFailedException e) {
                // the guest runs there whatever its agent said: this host must let it go
                if (!shared) {
                    removeSourceFiles();
                }
                throw new CommandFailedException(e.code(), e.getMessage() + "; the instance runs on " + destination
                        + ": send migrate again to have its agent adopt it", true, e);
            }
        }

        private void removeSourceFiles() {
            try {
                files.delete(uuid);
            } catch (RuntimeException e) {
                log.warn("instance {} migrated, but its directory here could not be removed", uuid, e);
            }
        }

        private MigrationReply call(String step, CommandName name, InternalArgs args, Duration timeout) {
            MigrationReply reply;
            try {
                reply = destinations.call(destination, name, command.requestId() + "." + step, uuid, args, timeout);
            } catch (DestinationUnreachableException e) {
                throw failed(step, e.getMessage(), !e.unknownHost());
            }
            if (reply.failed()) {
                throw failed(step, "destination " + destination + " refused: " + reply.error().code() + ": "
                        + reply.error().message(), reply.error().retriable());
            }
            return reply;
        }

        void rollBack(RuntimeException cause) {
            if (moved) {
                return;
            }
            if (prepareSent) {
                try {
                    destinations.call(destination, CommandName.MIGRATION_ABORT, command.requestId() + ".abort", uuid,
                            new MigrationAbortArgs(host, abbreviate(String.valueOf(cause.getMessage()))),
                            timeouts.abort());
                } catch (RuntimeException e) {
                    log.warn("could not tell {} to abort the migration of {}: {}", destination, uuid, e.toString());
                }
            }
            if (stopped && wasRunning) {
                try {
                    driver.start(uuid);
                } catch (RuntimeException e) {
                    log.warn("could not start {} again after a failed cold migration", uuid, e);
                }
            }
            try {
                store.find(uuid).ifPresent(i -> store.record(uuid, Annotations.fromPower(i.powerState()), null));
            } catch (RuntimeException e) {
                log.warn("could not restore the state of {} after a failed migration", uuid, e);
            }
        }
    }

    /** The instance as the typed data a cold migration over shared storage hands over. */
    private static MigratedInstance migrated(PortableInstance instance) {
        InstanceMetadata meta = instance.metadata();
        Map<String, String> notes = meta.annotations();
        return new MigratedInstance(meta.name(), meta.flavor(), meta.imageId(),
                instance.nics().stream().map(NicArgs::of).toList(), meta.userMetadata(),
                notes.get(Annotations.CREATED_AT), notes.get(Annotations.SPAWN_REQUEST), notes.get(Annotations.SPEC_SHA256));
    }

    private static String abbreviate(String reason) {
        return reason.length() <= 4096 ? reason : reason.substring(0, 4095) + "…";
    }

    private static CommandFailedException failed(String step, String reason, boolean retriable) {
        return new CommandFailedException(ErrorCode.MIGRATION_FAILED, "migration failed at step " + step + ": "
                + reason, retriable);
    }
}
