package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.agent.state.ResizeRecord.Phase;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;

/**
 * On the destination of a resize to another host: gives the instance that arrived (with its old flavor,
 * its disks copied) the new size, as {@link ResizeHandler} does on one host: the root disk grows to the new
 * flavor's, the ephemeral disk is created anew, empty, per the new flavor, memory and vCPUs change; then it
 * boots when it ran on the source and is {@code RESIZED}. Nothing is kept here for a revert: the source
 * keeps the old disks. Every step can run again after a crash ({@link ResizeRecovery} calls it for a record
 * in phase {@code RESIZING}); the record is in phase {@code RESIZED} only once the instance is.
 *
 * @throws RuntimeException what the driver, the image cache or the file system threw; the record stays
 *                          {@code RESIZING}, so running this again finishes it
 */
public final class ResizeArrival {

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceFiles files;
    private final ResizeFiles resizeFiles;
    private final InstanceProvisioner provisioner;
    private final InstanceStore store;

    public ResizeArrival(ComputeDriver driver, ImageCache images, InstanceFiles files, ResizeFiles resizeFiles,
                         InstanceProvisioner provisioner, InstanceStore store) {
        this.driver = driver;
        this.images = images;
        this.files = files;
        this.resizeFiles = resizeFiles;
        this.provisioner = provisioner;
        this.store = store;
    }

    /** Resizes the arrived instance per {@code record} (written first, as it is) and records it {@code RESIZED}. */
    public InstanceView finish(UUID uuid, ResizeRecord record) {
        resizeFiles.write(uuid, record);
        Flavor flavor = record.newFlavor();
        InstanceInfo info = driver.info(uuid);
        if (!info.metadata().flavor().equals(flavor)) {
            // the arrival is paused (a cold copy never runs before it is settled) or off: off it must be
            driver.stop(uuid, Duration.ZERO);
            long rootNow = images.diskVirtualSize(files.disk(uuid));
            long rootNew = flavor.rootGb() == 0 && record.oldFlavor().rootGb() == 0 ? rootNow : flavor.rootBytes();
            if (rootNew > rootNow) {
                images.growDisk(files.disk(uuid), rootNew);
            }
            recreateEphemeral(uuid, flavor);
            driver.redefine(uuid, flavor, provisioner.disks(uuid, flavor),
                    Annotations.with(driver.info(uuid).metadata().annotations(), InstanceState.RESIZED, null));
        }
        if (record.wasRunning() && driver.info(uuid).powerState() != PowerState.RUNNING) {
            driver.start(uuid);
            GuestBoot.awaitRunning(driver, uuid);
        }
        resizeFiles.write(uuid, record.in(Phase.RESIZED, record.requestId()));
        return store.record(uuid, InstanceState.RESIZED, null);
    }

    /** The copied ephemeral disk is the old flavor's: the new flavor's is a new, empty one (as on one host). */
    private void recreateEphemeral(UUID uuid, Flavor flavor) {
        try {
            Files.deleteIfExists(files.ephemeralDisk(uuid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old ephemeral disk of " + uuid, e);
        }
        if (flavor.ephemeralGb() > 0) {
            images.createBlankDisk(files.ephemeralDisk(uuid), flavor.ephemeralBytes());
        }
    }
}
