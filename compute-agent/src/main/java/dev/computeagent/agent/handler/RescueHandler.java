package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.failure.CommandFailedException;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.RescueArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.image.ImageCache;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

/**
 * {@code rescue}: the instance boots from a rescue image ({@code image_id}, default its own image; a fresh
 * overlay {@code disk.rescue} over the cached base) with its own root disk attached second
 * ({@link InstanceProvisioner#rescueDisks}), state {@code RESCUED}, until {@code unrescue}. Its attached volumes
 * stay attached, on their devices, as in Nova's stable device rescue (the legacy one leaves them out of the
 * rescue guest, which a redefinition from the agent's own disks cannot do without losing them). The guest is shut
 * down as {@code stop} does ({@code timeout_s}), the definition replaced in one step
 * ({@link ComputeDriver#redefine}), the guest started.
 *
 * <p>Refused ({@code INVALID_STATE}, nothing changed) in the states
 * {@link dev.computeagent.agent.state.InstanceStateMachine} does not allow, and when rescued already. An image that cannot be had fails as a spawn's would ({@code IMAGE_*}) before the guest
 * is touched. A failure before the new definition is in place leaves the instance as it was (its power
 * state back, the rescue overlay removed); once it is in place the instance is {@code RESCUED}, and the
 * same request again (a redelivery after a crash) finishes the boot.
 */
public final class RescueHandler implements CommandHandler<RescueArgs> {

    private final ComputeDriver driver;
    private final ImageCache images;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final InstanceProvisioner provisioner;

    public RescueHandler(ComputeDriver driver, ImageCache images, InstanceStore store, InstanceFiles files,
                         InstanceProvisioner provisioner) {
        this.driver = driver;
        this.images = images;
        this.store = store;
        this.files = files;
        this.provisioner = provisioner;
    }

    @Override
    public CommandName command() {
        return CommandName.RESCUE;
    }

    @Override
    public Outcome handle(Command<RescueArgs> command) {
        UUID uuid = command.instanceUuid();
        InstanceInfo info = driver.info(uuid);
        Map<String, String> annotations = info.metadata().annotations();
        InstanceState state = Annotations.state(info.metadata(), info.powerState());
        if (state == InstanceState.RESCUED) {
            if (command.requestId().equals(annotations.get(Annotations.RESCUE_REQUEST))) {
                return boot(uuid);
            }
            throw refused("instance " + uuid + " is RESCUED already; unrescue it first");
        }
        String imageId = command.args().imageId() == null ? info.metadata().imageId() : command.args().imageId();
        try {
            // what an interrupted rescue left is not ours to reuse: it may be of another image
            Files.deleteIfExists(files.rescueDisk(uuid));
            images.createOverlay(imageId, files.rescueDisk(uuid), 0);
            driver.stop(uuid, command.args().shutdownTimeout());
            driver.redefine(uuid, info.metadata().flavor(),
                    provisioner.rescueDisks(uuid, Redefinitions.volumeDevices(info)),
                    Annotations.with(Annotations.with(annotations, InstanceState.RESCUED, null),
                            Annotations.RESCUE_REQUEST, command.requestId()));
        } catch (IOException e) {
            throw restored(uuid, info, new UncheckedIOException("cannot replace the rescue disk of " + uuid, e));
        } catch (RuntimeException e) {
            throw restored(uuid, info, e);
        }
        return boot(uuid);
    }

    private Outcome boot(UUID uuid) {
        driver.start(uuid);
        GuestBoot.awaitRunning(driver, uuid);
        return Outcome.of(store.record(uuid, InstanceState.RESCUED, null));
    }

    /** The definition is unchanged (a redefinition is one step): the guest's power back, the overlay gone. */
    private RuntimeException restored(UUID uuid, InstanceInfo before, RuntimeException failure) {
        try {
            if (before.powerState() == PowerState.RUNNING) {
                driver.start(uuid);
            }
            Files.deleteIfExists(files.rescueDisk(uuid));
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    static CommandFailedException refused(String message) {
        return new CommandFailedException(ErrorCode.INVALID_STATE, message, false);
    }
}
