package dev.computeagent.agent.recovery;

import dev.computeagent.virt.ComputeDriver;
import dev.computeagent.virt.DiskSpec;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.GuestAgentStatus;
import dev.computeagent.virt.HostResources;
import dev.computeagent.virt.InstanceInfo;
import dev.computeagent.virt.InstanceSpec;
import dev.computeagent.virt.InterfaceStatus;
import dev.computeagent.virt.LifecycleListener;
import dev.computeagent.virt.RebootType;
import dev.computeagent.virt.RootDiskCopy;
import dev.computeagent.virt.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A driver with one fault placed exactly: once armed, the next {@link #spawn} returns after the domain
 * is defined and started, and the hypervisor is cut off (by the given action: kill libvirtd, disconnect
 * the in-memory driver) before the spawn can go on. Every other call goes straight to the driver.
 */
final class HypervisorLostAfterDefine implements ComputeDriver {

    private final ComputeDriver delegate;
    private final AtomicReference<Runnable> cutOffAfterDefine = new AtomicReference<>();

    HypervisorLostAfterDefine(ComputeDriver delegate) {
        this.delegate = delegate;
    }

    /** The next spawn runs {@code cutOff} right after the domain is defined and started. */
    void loseAfterNextDefine(Runnable cutOff) {
        cutOffAfterDefine.set(cutOff);
    }

    @Override
    public void spawn(InstanceSpec spec) {
        delegate.spawn(spec);
        Runnable cutOff = cutOffAfterDefine.getAndSet(null);
        if (cutOff != null) {
            cutOff.run();
        }
    }

    @Override
    public void start(UUID uuid) {
        delegate.start(uuid);
    }

    @Override
    public void stop(UUID uuid, Duration timeout) {
        delegate.stop(uuid, timeout);
    }

    @Override
    public void finishInterruptedCopy(UUID uuid) {
        delegate.finishInterruptedCopy(uuid);
    }

    @Override
    public RootDiskCopy copyRootDisk(UUID uuid, Path target) {
        return delegate.copyRootDisk(uuid, target);
    }

    @Override
    public void reboot(UUID uuid, RebootType type, Duration softTimeout) {
        delegate.reboot(uuid, type, softTimeout);
    }

    @Override
    public void destroy(UUID uuid) {
        delegate.destroy(uuid);
    }

    @Override
    public void redefine(UUID uuid, Flavor flavor, String imageId, List<DiskSpec> disks,
                         Map<String, String> annotations) {
        delegate.redefine(uuid, flavor, imageId, disks, annotations);
    }

    @Override
    public InstanceInfo info(UUID uuid) {
        return delegate.info(uuid);
    }

    @Override
    public List<InstanceInfo> listInstances() {
        return delegate.listInstances();
    }

    @Override
    public void updateAnnotations(UUID uuid, Map<String, String> annotations) {
        delegate.updateAnnotations(uuid, annotations);
    }

    @Override
    public List<InterfaceStatus> interfaces(UUID uuid) {
        return delegate.interfaces(uuid);
    }

    @Override
    public GuestAgentStatus guestAgent(UUID uuid, Duration timeout) {
        return delegate.guestAgent(uuid, timeout);
    }

    @Override
    public HostResources hostResources() {
        return delegate.hostResources();
    }

    @Override
    public Subscription subscribe(LifecycleListener listener) {
        return delegate.subscribe(listener);
    }

    @Override
    public boolean isConnected() {
        return delegate.isConnected();
    }

    @Override
    public long connectionCount() {
        return delegate.connectionCount();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
