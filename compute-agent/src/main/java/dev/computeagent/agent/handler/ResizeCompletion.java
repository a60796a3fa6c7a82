package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.ResizeFiles;
import dev.computeagent.agent.state.ResizeRecord;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The two ways a resize ends, for the {@code confirm_resize} and {@code revert_resize} handlers, a resize
 * that failed half-way and start-up recovery. Each step can be run again after a crash (the
 * {@link ResizeRecord} says which end is under way), so both always finish.
 */
public final class ResizeCompletion {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final ResizeFiles resizeFiles;
    private final InstanceProvisioner provisioner;

    public ResizeCompletion(ComputeDriver driver, InstanceStore store, ResizeFiles resizeFiles,
                            InstanceProvisioner provisioner) {
        this.driver = driver;
        this.store = store;
        this.resizeFiles = resizeFiles;
        this.provisioner = provisioner;
    }

    /**
     * Brings the instance back exactly as it was before the resize: forced off, its old disks back in
     * place, its old definition (flavor, disks), then its old power state; what the resize kept is removed
     * last. {@code record.requestId()} is stored as the instance's last resize request.
     *
     * @throws RuntimeException what the driver or the file system threw; the record stays, so running
     *                          this again (a retry, recovery) finishes the revert
     */
    public InstanceView revert(UUID uuid, ResizeRecord record) {
        Flavor old = record.oldFlavor();
        driver.stop(uuid, Duration.ZERO);
        resizeFiles.restoreOldDisks(uuid, old.ephemeralGb() > 0);
        InstanceState back = record.wasRunning() ? InstanceState.ACTIVE : InstanceState.STOPPED;
        InstanceInfo info = driver.info(uuid);
        if (!info.metadata().flavor().equals(old)) {
            Map<String, String> annotations = Annotations.with(info.metadata().annotations(), back, null);
            driver.redefine(uuid, old, provisioner.disks(uuid, old), annotations);
        }
        if (record.wasRunning()) {
            driver.start(uuid);
            GuestBoot.awaitRunning(driver, uuid);
        }
        InstanceView view = recordEnd(uuid, back, record);
        resizeFiles.finish(uuid);
        return view;
    }

    /**
     * Keeps the new size for good: the instance's state follows its power state again, then the old disks
     * and the record are removed. Runs again harmlessly after a crash.
     */
    public InstanceView confirm(UUID uuid, ResizeRecord record) {
        InstanceView view = recordEnd(uuid, Annotations.fromPower(driver.info(uuid).powerState()), record);
        resizeFiles.finish(uuid);
        return view;
    }

    private InstanceView recordEnd(UUID uuid, InstanceState state, ResizeRecord record) {
        InstanceInfo info = driver.info(uuid);
        return store.record(info.withAnnotations(Annotations.with(info.metadata().annotations(),
                Annotations.RESIZE_REQUEST, record.requestId())), state, null);
    }
}
