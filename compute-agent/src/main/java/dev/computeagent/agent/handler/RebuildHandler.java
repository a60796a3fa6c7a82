package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.configdrive.ConfigDriveContent;
import dev.computeagent.agent.configdrive.ConfigDriveOptions;
import dev.computeagent.agent.configdrive.ConfigDriveReader;
import dev.computeagent.agent.failure.ErrorMapper;
import dev.computeagent.agent.message.AgentJson;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.RebuildArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.provision.InstanceProvisioner.ConfigDrive;
import dev.computeagent.agent.provision.Phases;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.state.RebuildRecord;
import dev.computeagent.agent.state.RebuildRecord.Phase;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.Gib;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.PowerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * {@code rebuild}, Nova's: the instance keeps its uuid, name, flavor, NICs with their MACs, security groups and
 * attached volumes, and gets a new root overlay of {@code image_id} (default its own image), an ephemeral disk
 * made anew, empty (kept with {@code preserve_ephemeral}, as Nova's) and its config drive built again with the
 * new {@code user_data} / {@code public_keys} (each absent = what its config drive has). It comes back in the
 * power state it had (a stopped instance stays {@code STOPPED}, as Nova's rebuild leaves it), {@code ACTIVE}
 * otherwise.
 *
 * <p>Steps: the image is fetched first, so an image that cannot be had fails as a spawn's would
 * ({@code IMAGE_*}) with the instance untouched; then a {@link RebuildRecord} in {@link Phase#PREPARING} and the
 * new disks beside the old ones ({@link RebuildFiles}, made by {@link InstanceProvisioner} as a spawn makes
 * them); a failure there removes them and leaves the instance as it was. Then {@link Phase#SWAPPING}, from which
 * the rebuild is only finished ({@link RebuildCompletion}): the guest shut down as {@code stop} does
 * ({@code timeout_s}), the new disks in place of the old ones (the old overlay is gone; its base stays for the
 * image cache's GC), one redefinition, the guest started. A failure there keeps the record and notes
 * {@code last_error}; the same request again or start-up recovery ({@link RebuildRecovery}) finishes it. A
 * rebuild re-sent after it finished (the instance carries its request id) is answered with the instance as it
 * is; an unfinished one of another request is finished (or rolled back) before a new one starts.
 *
 * <p>Not checked: host capacity (the new overlay replaces the old one; only the image's size against the root
 * disk is refused, as a spawn refuses it). The guest-agent channel stays as the instance's first image decided.
 */
public final class RebuildHandler implements CommandHandler<RebuildArgs> {

    private static final Logger log = LoggerFactory.getLogger(RebuildHandler.class);
    private static final String USER_DATA = "openstack/latest/user_data";
    private static final String META_DATA = "openstack/latest/meta_data.json";

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final RebuildFiles rebuildFiles;
    private final InstanceProvisioner provisioner;
    private final ConfigDriveOptions configDriveOptions;
    private final RebuildCompletion completion;

    public RebuildHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                          RebuildFiles rebuildFiles, InstanceProvisioner provisioner,
                          ConfigDriveOptions configDriveOptions, RebuildCompletion completion) {
        this.driver = driver;
        this.images = images;
        this.store = store;
        this.files = files;
        this.rebuildFiles = rebuildFiles;
        this.provisioner = provisioner;
        this.configDriveOptions = configDriveOptions;
        this.completion = completion;
    }

    @Override
    public CommandName command() {
        return CommandName.REBUILD;
    }

    @Override
    public Outcome handle(Command<RebuildArgs> command) {
        UUID uuid = command.instanceUuid();
        RebuildArgs args = command.args();
        Optional<RebuildRecord> pending = rebuildFiles.record(uuid);
        if (pending.isPresent()) {
            // a rebuild cut by a failure: finished (or rolled back) before anything else
            Outcome finished = Outcome.of(complete(uuid, pending.get(), args));
            if (pending.get().requestId().equals(command.requestId()) && pending.get().phase() == Phase.SWAPPING) {
                return finished;
            }
        }
        InstanceInfo info = driver.info(uuid);
        if (command.requestId().equals(info.metadata().annotations().get(Annotations.REBUILD_REQUEST))) {
            return Outcome.of(store.track(info));
        }
        Flavor flavor = info.metadata().flavor();
        String imageId = args.imageId() == null ? info.metadata().imageId() : args.imageId();
        long rootBytes = flavor.rootBytes();
        // before anything changes: an image that cannot be had, or is above the root disk, leaves all as it was
        images.fetch(imageId, rootBytes > 0 ? rootBytes : Gib.toBytes(Flavor.MAX_DISK_GB));
        ConfigDrive drive = configDrive(info, args);
        RebuildRecord record = new RebuildRecord(Phase.PREPARING, command.requestId(), imageId,
                info.powerState() == PowerState.RUNNING);
        rebuildFiles.write(uuid, record);
        try {
            provisioner.createDisksAt(uuid, RebuildFiles::staged, imageId, args.keepsEphemeral() ? null : flavor,
                    rootBytes, drive, Phases.UNTIMED);
        } catch (RuntimeException | Error e) {
            try {
                rebuildFiles.rollBack(uuid);
            } catch (RuntimeException rollBack) {
                e.addSuppressed(rollBack);
            }
            throw e;
        }
        RebuildRecord swapping = record.in(Phase.SWAPPING);
        rebuildFiles.write(uuid, swapping);
        return Outcome.of(complete(uuid, swapping, args));
    }

    private InstanceView complete(UUID uuid, RebuildRecord record, RebuildArgs args) {
        try {
            return completion.complete(uuid, record, args.shutdownTimeout());
        } catch (RuntimeException | Error e) {
            if (record.phase() == Phase.PREPARING) {
                // the new disks of a cut rebuild could not be removed: the instance itself was not touched
                throw e;
            }
            log.error("rebuild of {} failed after its new disks were made; the same rebuild or a restart finishes it",
                    uuid, e);
            try {
                store.noteError(uuid, "rebuild failed (" + ErrorMapper.toError(e).message()
                        + ") after its new disks were made; the same rebuild or a restart finishes it");
            } catch (RuntimeException noted) {
                e.addSuppressed(noted);
            }
            throw e;
        }
    }

    /**
     * The config drive the rebuilt instance gets: built again when it had one, or the rebuild gives the guest
     * something to read, or the host forces one; what the rebuild does not replace is read from the current one.
     */
    private ConfigDrive configDrive(InstanceInfo info, RebuildArgs args) {
        UUID uuid = info.uuid();
        Path current = files.configDrive(uuid);
        boolean had = Files.isRegularFile(current);
        if (!had && !configDriveOptions.force() && args.userData() == null && args.publicKeys() == null) {
            return new ConfigDrive.None();
        }
        Optional<byte[]> userData = args.userData() != null ? args.userDataBytes()
                : had ? ConfigDriveReader.read(current, USER_DATA) : Optional.empty();
        Map<String, String> keys = args.newPublicKeys()
                .orElseGet(() -> had ? publicKeys(current) : Map.of());
        List<NicSpec> nics = driver.interfaces(uuid).stream()
                .map(n -> new NicSpec(n.type(), n.source(), Optional.of(n.mac()), n.model().orElse("virtio")))
                .toList();
        return new ConfigDrive.Build(new ConfigDriveContent(uuid, info.metadata().name(),
                info.metadata().userMetadata(), userData, keys, nics, configDriveOptions.availabilityZone()));
    }

    /** The {@code public_keys} of the config drive {@code iso}'s metadata. */
    private static Map<String, String> publicKeys(Path iso) {
        Optional<byte[]> metaData = ConfigDriveReader.read(iso, META_DATA);
        Map<String, String> keys = new LinkedHashMap<>();
        if (metaData.isPresent()) {
            JsonNode found = AgentJson.mapper().readTree(metaData.get()).get("public_keys");
            if (found != null && found.isObject()) {
                found.properties().forEach(e -> keys.put(e.getKey(), e.getValue().asString()));
            }
        }
        return keys;
    }
}
