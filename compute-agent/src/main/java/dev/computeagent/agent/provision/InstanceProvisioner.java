package dev.computeagent.agent.provision;

import dev.computeagent.agent.configdrive.ConfigDriveBuilder;
import dev.computeagent.agent.configdrive.ConfigDriveContent;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceMetadata;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.NicSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * How an instance is laid out on this host, in one place for every way one arrives: a spawn, a block
 * migration's prepare, a cold migration's adopt over shared storage, a rebuild. Its disks
 * live in its instance directory ({@link InstanceFiles}): the root overlay {@code disk} ({@code vda}) over
 * the image's cached base, the flavor's ephemeral disk {@code disk.eph0} ({@code vdb}, empty and
 * unformatted, as Nova's), the config drive {@code disk.config} (a read-only IDE CD-ROM, {@code hdd});
 * its serial console goes to {@code console.log}; the image's properties decide its guest-agent channel
 * ({@link ImageProperties}).
 *
 * <p>Failure semantics: {@link #createDisks} stops at the first failure (an image-cache or config-drive
 * exception) and leaves what it made in the directory, which its caller removes with the directory.
 */
public final class InstanceProvisioner {

    /** Where an instance's config drive comes from. */
    public sealed interface ConfigDrive {

        /** Built here from what the guest is to be told (a spawn). */
        record Build(ConfigDriveContent content) implements ConfigDrive {
        }

        /** The bytes another host built (a block migration does not copy read-only disks). */
        record Install(byte[] iso) implements ConfigDrive {
        }

        /** No config drive. */
        record None() implements ConfigDrive {
        }
    }

    private final ImageCache images;
    private final InstanceFiles files;
    private final ConfigDriveBuilder configDrives;

    public InstanceProvisioner(ImageCache images, InstanceFiles files, ConfigDriveBuilder configDrives) {
        this.images = images;
        this.files = files;
        this.configDrives = configDrives;
    }

    /**
     * Creates the disks of instance {@code uuid} in its directory, which must exist: the root overlay of
     * {@code rootBytes} (0 = the image's virtual size) over the cached base of {@code imageId}, the flavor's
     * ephemeral disk when it has one, the config drive. Steps are timed by {@code phases} as {@code disk},
     * {@code ephemeral-disk} and {@code config-drive}.
     *
     * @return the disks, as {@link #disks} finds them
     */
    public List<DiskSpec> createDisks(UUID uuid, String imageId, Flavor flavor, long rootBytes, ConfigDrive drive,
                                      Phases phases) {
        createDisksAt(uuid, UnaryOperator.identity(), imageId, flavor.ephemeralGb() > 0 ? flavor : null, rootBytes,
                drive, phases);
        return disks(uuid, flavor);
    }

    /**
     * As {@link #createDisks}, each disk made at {@code placement} of its usual path instead (a rebuild makes its
     * new disks beside the instance's current ones); the ephemeral disk only when {@code ephemeralOf} is given
     * and has one.
     */
    public void createDisksAt(UUID uuid, UnaryOperator<Path> placement, String imageId, @Nullable Flavor ephemeralOf,
                              long rootBytes, ConfigDrive drive, Phases phases) {
        phases.run("disk", () -> images.createOverlay(imageId, placement.apply(files.disk(uuid)), rootBytes));
        if (ephemeralOf != null && ephemeralOf.ephemeralGb() > 0) {
            phases.run("ephemeral-disk", () -> images.createBlankDisk(placement.apply(files.ephemeralDisk(uuid)),
                    ephemeralOf.ephemeralBytes()));
        }
        Path configDrive = placement.apply(files.configDrive(uuid));
        if (drive instanceof ConfigDrive.Build build) {
            phases.run("config-drive", () -> configDrives.build(configDrive, build.content()));
        } else if (drive instanceof ConfigDrive.Install install) {
            phases.run("config-drive", () -> configDrives.install(configDrive, install.iso()));
        }
    }

    /**
     * The disks of instance {@code uuid} as they are in its directory: the root overlay, the ephemeral disk
     * when {@code flavor} has one, the config drive when there is one.
     */
    public List<DiskSpec> disks(UUID uuid, Flavor flavor) {
        List<DiskSpec> disks = new ArrayList<>(List.of(DiskSpec.qcow2Root(files.disk(uuid))));
        if (flavor.ephemeralGb() > 0) {
            disks.add(DiskSpec.qcow2Ephemeral(files.ephemeralDisk(uuid)));
        }
        if (Files.isRegularFile(files.configDrive(uuid))) {
            disks.add(DiskSpec.configDrive(files.configDrive(uuid)));
        }
        return List.copyOf(disks);
    }

    /**
     * The disks of instance {@code uuid} while it is rescued: the rescue image's overlay boots as {@code vda},
     * the instance's own root disk follows as {@code vdb} (to be repaired from the rescue system), or the first
     * device after it that none of {@code volumeDevices} (its attached volumes, which stay) takes, then the
     * config drive when there is one; the ephemeral disk is left out, as Nova leaves it out.
     *
     * @throws IllegalStateException the volumes take every device up to {@code vdz}
     */
    public List<DiskSpec> rescueDisks(UUID uuid, Set<String> volumeDevices) {
        String rootDevice = IntStream.rangeClosed('b', 'z').mapToObj(c -> "vd" + (char) c)
                .filter(d -> !volumeDevices.contains(d)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no free device for the root disk of " + uuid));
        List<DiskSpec> disks = new ArrayList<>(List.of(DiskSpec.qcow2Root(files.rescueDisk(uuid)),
                new DiskSpec(files.disk(uuid), DiskSpec.Format.QCOW2, DiskSpec.Bus.VIRTIO, DiskSpec.CacheMode.NONE,
                        rootDevice)));
        if (Files.isRegularFile(files.configDrive(uuid))) {
            disks.add(DiskSpec.configDrive(files.configDrive(uuid)));
        }
        return List.copyOf(disks);
    }

    /**
     * The spec the driver defines: {@code metadata}, {@code disks} and {@code nics} (each with its MAC), the
     * console log in the instance's directory, and the guest-agent channel when the image's
     * {@code properties} declare one.
     */
    public InstanceSpec spec(UUID uuid, InstanceMetadata metadata, List<DiskSpec> disks, List<NicSpec> nics,
                             Map<String, String> imageProperties) {
        return new InstanceSpec(uuid, metadata, disks, nics, files.consoleLog(uuid), false,
                ImageProperties.guestAgent(imageProperties));
    }
}
