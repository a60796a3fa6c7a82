package dev.computeagent.virt.device;

import dev.computeagent.virt.NicSpec;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

/**
 * Adds and removes devices of an existing instance (Nova's {@code attach_volume},
 * {@code detach_volume}, {@code attach_interface}, {@code detach_interface}).
 *
 * <p>On a running instance a change is made live (hot plug) <em>and</em> in the persistent
 * definition, so it survives stop/start and reboot; on a stopped instance only in the definition.
 * Credentials of a volume live in the hypervisor's secret store, named after the instance and the
 * volume, and never appear in the definition, in exceptions or in logs.
 *
 * <p>Failure semantics: a failed attach leaves neither the device nor its secret; a detach removes the
 * device from the running guest first and only once the guest has released it from the definition,
 * so a guest that never releases it ({@link dev.computeagent.virt.OperationTimeoutException}) still
 * has it everywhere and the detach can be retried. Attach and detach are idempotent for the same
 * device. Callers serialise operations on one instance.
 */
public interface DeviceDriver {

    /**
     * Attaches {@code volume} as {@code volume.device()}.
     *
     * @throws dev.computeagent.virt.InstanceNotFoundException no such instance
     * @throws dev.computeagent.virt.InvalidSpecException      the device is taken by another disk, or the
     *                                                         hypervisor refuses the volume's description
     * @throws dev.computeagent.virt.HypervisorException       the hypervisor cannot open the volume
     */
    default void attachVolume(UUID instance, VolumeAttachment volume) {
        attachVolume(instance, devices -> volume);
    }

    /**
     * Attaches the volume {@code choose} describes once shown the devices the instance has now
     * ({@link #attached}'s view), and returns it: a caller that picks the device among the free ones
     * does so from the same read of the instance the attach is checked against, not from one of its own.
     * Whatever {@code choose} throws is thrown, with nothing attached.
     *
     * @throws dev.computeagent.virt.InstanceNotFoundException no such instance
     * @throws dev.computeagent.virt.InvalidSpecException      the device is taken by another disk, or the
     *                                                         hypervisor refuses the volume's description
     * @throws dev.computeagent.virt.HypervisorException       the hypervisor cannot open the volume
     */
    VolumeAttachment attachVolume(UUID instance, Function<AttachedDevices, VolumeAttachment> choose);

    /**
     * Detaches the disk on {@code device} and forgets the volume's secret; waits at most
     * {@code timeout} for a running guest to release it. A device that is not attached is success.
     *
     * @throws dev.computeagent.virt.InstanceNotFoundException no such instance
     * @throws dev.computeagent.virt.OperationTimeoutException the guest did not release the device in time
     *                                                         (it stays attached)
     */
    void detachVolume(UUID instance, String device, Duration timeout);

    /**
     * Plugs {@code nic} in; its MAC must be given (the caller chooses it, so it can detach by it).
     *
     * @throws dev.computeagent.virt.InstanceNotFoundException no such instance
     * @throws dev.computeagent.virt.InvalidSpecException      no MAC, a MAC already in use, an unknown network
     */
    void attachInterface(UUID instance, NicSpec nic);

    /**
     * Unplugs the NIC with {@code mac}, waiting at most {@code timeout} for a running guest to release
     * it. A MAC the instance does not have is success.
     *
     * @throws dev.computeagent.virt.InstanceNotFoundException no such instance
     * @throws dev.computeagent.virt.OperationTimeoutException the guest did not release it in time
     */
    void detachInterface(UUID instance, String mac, Duration timeout);

    /**
     * The disks and NICs the instance has now.
     *
     * @throws dev.computeagent.virt.InstanceNotFoundException no such instance
     */
    AttachedDevices attached(UUID instance);
}
