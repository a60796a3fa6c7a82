package dev.computeagent.agent.handler;

import dev.computeagent.agent.message.InstanceState;
import dev.computeagent.agent.provision.InstanceProvisioner;
import dev.computeagent.agent.state.Annotations;
import dev.computeagent.agent.state.InstanceStore;
import dev.computeagent.agent.state.InstanceView;
import dev.computeagent.agent.state.RebuildFiles;
import dev.computeagent.agent.state.RebuildRecord;
import dev.computeagent.agent.state.RebuildRecord.Phase;
import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.PowerState;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * The second half of a rebuild, shared by {@link RebuildHandler} and start-up recovery ({@link RebuildRecovery}):
 * from {@link Phase#SWAPPING} on it is only ever finished. The guest is shut down, the new disks replace the old
 * ones ({@link RebuildFiles#swap}), the definition takes the new image id and the request in one redefinition
 * (name, NICs with their MACs, security groups and attached volumes kept: {@link ComputeDriver#redefine}), and
 * the guest is started again when it ran before; then the record goes. Each step is safe to run again after a
 * crash: a definition that carries the request already is not redefined (its disks are swapped already).
 *
 * <p>A {@link Phase#PREPARING} rebuild is rolled back instead: its new disks are removed, the instance was not
 * touched.
 */
public final class RebuildCompletion {

    private final ComputeDriver driver;
    private final InstanceStore store;
    private final RebuildFiles rebuildFiles;
    private final InstanceProvisioner provisioner;

    public RebuildCompletion(ComputeDriver driver, InstanceStore store, RebuildFiles rebuildFiles,
                             InstanceProvisioner provisioner) {
        this.driver = driver;
        this.store = store;
        this.rebuildFiles = rebuildFiles;
        this.provisioner = provisioner;
    }

    /**
     * Finishes ({@link Phase#SWAPPING}) or rolls back ({@link Phase#PREPARING}) the rebuild of {@code record}.
     *
     * @param shutdownTimeout how long the guest may take to shut down before it is forced off
     * @return the instance afterwards
     */
    public InstanceView complete(UUID uuid, RebuildRecord record, Duration shutdownTimeout) {
        if (record.phase() == Phase.PREPARING) {
            rebuildFiles.rollBack(uuid);
            return store.track(uuid);
        }
        InstanceInfo info = driver.info(uuid);
        Map<String, String> annotations = info.metadata().annotations();
        InstanceState end = record.wasRunning() ? InstanceState.ACTIVE : InstanceState.STOPPED;
        boolean redefined = record.requestId().equals(annotations.get(Annotations.REBUILD_REQUEST))
                && record.imageId().equals(info.metadata().imageId());
        if (!redefined) {
            driver.stop(uuid, shutdownTimeout);
            rebuildFiles.swap(uuid);
            Flavor flavor = info.metadata().flavor();
            driver.redefine(uuid, flavor, record.imageId(), provisioner.disks(uuid, flavor),
                    Annotations.with(Annotations.with(annotations, end, null), Annotations.REBUILD_REQUEST,
                            record.requestId()));
        }
        if (record.wasRunning() && driver.info(uuid).powerState() != PowerState.RUNNING) {
            driver.start(uuid);
            GuestBoot.awaitRunning(driver, uuid);
        }
        rebuildFiles.finish(uuid);
        return store.record(uuid, end, null);
    }
}
