package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.SnapshotArgs;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.StoredImage;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.RootDiskCopy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code snapshot}: an image of the instance's root disk in the image store, under the id and name the
 * caller chose. The driver copies the root disk into a standalone qcow2 file in the instance directory
 * (running: quiesced through the guest agent when it answers, else crash-consistent; stopped: at rest), the
 * image cache uploads it (all or nothing), the file is removed whatever happens. The instance is not changed.
 * The new image carries the instance's image properties (as Nova's snapshots inherit them, so an instance
 * spawned from it gets the same guest agent channel), {@code instance_uuid}, {@code image_type=snapshot} and
 * {@code base_image_ref}. Running again after a crash finds its own earlier upload (by {@code instance_uuid}).
 * Only an {@code ACTIVE} or {@code STOPPED} instance is snapshotted; unknown = {@code INSTANCE_NOT_FOUND}.
 */
public final class SnapshotHandler implements CommandHandler<SnapshotArgs> {

    /** The name of the root disk copy in the instance directory, before the image id. */
    public static final String COPY_PREFIX = "snapshot-";
    private static final Logger log = LoggerFactory.getLogger(SnapshotHandler.class);
    private static final Set<InstanceState> SNAPSHOTTABLE = Set.of(InstanceState.ACTIVE, InstanceState.STOPPED);
    /** Properties of the instance's image that describe that image's file, not the snapshot's. */
    private static final Set<String> NOT_INHERITED = Set.of(ImageUpload.INSTANCE_UUID, "image_type",
            "base_image_ref", "image_location", "owner_id", "owner_project_name", "owner_user_name");

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;

    public SnapshotHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files) {
        this.driver = driver;
        this.images = images;
        this.store = store;
        this.files = files;
    }

    @Override
    public CommandName command() {
        return CommandName.SNAPSHOT;
    }

    @Override
    public Outcome handle(Command<SnapshotArgs> command) {
        UUID uuid = command.instanceUuid();
        SnapshotArgs args = command.args();
        InstanceView view = store.view(uuid)
                .orElseThrow(() -> new InstanceNotFoundException("no instance " + uuid));
        if (!SNAPSHOTTABLE.contains(view.state())) {
            throw new CommandFailedException(ErrorCode.INVALID_COMMAND, "instance " + uuid + " is " + view.state()
                    + ": only an ACTIVE or STOPPED instance can be snapshotted", false);
        }
        Path copyFile = files.dir(uuid).resolve(COPY_PREFIX + args.imageId() + ".qcow2");
        try {
            RootDiskCopy copy = driver.copyRootDisk(uuid, copyFile);
            StoredImage stored = images.upload(new ImageUpload(args.imageId(), args.name(), copy.file(), "qcow2",
                    properties(view, uuid)));
            Map<String, Object> snapshot = new LinkedHashMap<>();
            snapshot.put("image_id", stored.imageId());
            snapshot.put("name", args.name());
            snapshot.put("size", stored.size());
            snapshot.put("checksum", stored.checksum());
            snapshot.put("consistency", copy.consistency().name());
            Map<String, Object> payload = new LinkedHashMap<>(Outcome.payloadOf(store.view(uuid).orElse(view)));
            payload.put("snapshot", snapshot);
            return new Outcome(payload);
        } finally {
            deleteCopy(copyFile);
        }
    }

    private Map<String, String> properties(InstanceView view, UUID uuid) {
        Map<String, String> properties = new LinkedHashMap<>();
        images.list().stream().filter(image -> image.imageId().equals(view.imageId())).findFirst()
                .map(CachedImage::properties).orElse(Map.of())
                .forEach((key, value) -> {
                    if (!NOT_INHERITED.contains(key)) {
                        properties.put(key, value);
                    }
                });
        properties.put(ImageUpload.INSTANCE_UUID, uuid.toString());
        properties.put("image_type", "snapshot");
        properties.put("base_image_ref", view.imageId());
        return properties;
    }

    private static void deleteCopy(Path copyFile) {
        try {
            Files.deleteIfExists(copyFile);
        } catch (IOException e) {
            log.warn("cannot remove the snapshot copy {}: {}", copyFile, e.getMessage());
        }
    }
}
