package dev.computeagent.agent.handler;

import dev.computeagent.agent.command.Command;
import dev.computeagent.agent.message.CommandName;
import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.message.NoArgs;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceFiles;
import dev.computeagent.agent.state.InstanceStore;
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
 * {@code unrescue}: the rescue guest is forced off, the instance's own definition comes back in one step
 * ({@link ComputeDriver#redefine}, its disks as a spawn made them), it boots ({@code ACTIVE}, as Nova's
 * unrescue) and the rescue overlay is removed: nothing of it remains. Refused ({@code INVALID_STATE}) for
 * an instance that is not {@code RESCUED}; the same request again (a redelivery after a crash) finishes
 * what is left (the boot, the removal).
 */
public final class UnrescueHandler implements CommandHandler<NoArgs> {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final InstanceFiles files;
    private final InstanceProvisioner provisioner;

    public UnrescueHandler(ComputeDriver driver, InstanceStore store, InstanceFiles files,
                           InstanceProvisioner provisioner) {
        this.driver = driver;
        this.store = store;
        this.files = files;
        this.provisioner = provisioner;
    }

    @Override
    public CommandName command() {
        return CommandName.UNRESCUE;
    }

    @Override
    public Outcome handle(Command<NoArgs> command) {
        UUID uuid = command.instanceUuid();
        InstanceInfo info = driver.info(uuid);
        InstanceState state = Annotations.state(info.metadata(), info.powerState());
        if (state != InstanceState.RESCUED) {
            if (command.requestId().equals(info.metadata().annotations().get(Annotations.RESCUE_REQUEST))) {
                return finish(uuid);
            }
            throw RescueHandler.refused("instance " + uuid + " is " + state + ", not RESCUED");
        }
        driver.stop(uuid, Duration.ZERO);
        Flavor flavor = info.metadata().flavor();
        driver.redefine(uuid, flavor, provisioner.disks(uuid, flavor),
                Annotations.with(Annotations.with(info.metadata().annotations(), InstanceState.ACTIVE, null),
                        Annotations.RESCUE_REQUEST, command.requestId()));
        return finish(uuid);
    }

    private Outcome finish(UUID uuid) {
        if (driver.info(uuid).powerState() != PowerState.RUNNING) {
            driver.start(uuid);
            GuestBoot.awaitRunning(driver, uuid);
        }
        try {
            Files.deleteIfExists(files.rescueDisk(uuid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the rescue disk of " + uuid, e);
        }
        return Outcome.of(store.record(uuid, InstanceState.ACTIVE, null));
    }
}
