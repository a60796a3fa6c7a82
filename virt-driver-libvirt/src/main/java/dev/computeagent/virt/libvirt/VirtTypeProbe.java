package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.libvirt.binding.LibvirtConnection;
import dev.computeagent.virt.libvirt.designer.VirtType;
import dev.computeagent.virt.libvirt.domain.DomainType;
import dev.computeagent.virt.libvirt.domain.HostCapabilities;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code agent.libvirt.virt-type}. {@code auto} asks the libvirtd the driver will use: KVM
 * when its capabilities offer {@code kvm} guests of the host's architecture (its QEMU can use
 * {@code /dev/kvm}) and the host CPU virtualises in hardware (VT-x or AMD-V), else QEMU/TCG. That is
 * right for a remote URI and inside a container that does not see {@code /dev/kvm}. A {@code /dev/kvm}
 * without VT-x or AMD-V is a software KVM (such as PVM in a cloud VM without nested virtualisation):
 * it runs an unmodified guest kernel by emulating its instructions, far slower than TCG, so {@code auto}
 * never picks it (docs/virtualisation.md); {@code kvm} still forces it. Only when that libvirtd cannot
 * be asked does it fall back to this process's own view ({@link VirtType#detect()}). Never throws for
 * {@code auto}.
 */
public final class VirtTypeProbe {

    private static final Logger log = LoggerFactory.getLogger(VirtTypeProbe.class);
    private static final Duration KEEPALIVE = Duration.ofSeconds(5);
    /** How long start-up waits for libvirtd's answer before falling back. */
    static final Duration PATIENCE = Duration.ofSeconds(10);

    private VirtTypeProbe() {
    }

    /**
     * {@code kvm}, {@code qemu}, or {@code auto} resolved against the libvirtd at {@code uri}.
     *
     * @throws IllegalArgumentException any other value
     */
    public static VirtType resolve(String configured, String uri) {
        return VirtType.fromConfig(configured, () -> detect(uri));
    }

    /**
     * The virt type the libvirtd at {@code uri} can run guests with; see the class comment. Waits at
     * most {@link #PATIENCE} (an unreachable remote host must not hold up start-up for a TCP timeout).
     */
    public static VirtType detect(String uri) {
        CompletableFuture<HostCapabilities> asked = new CompletableFuture<>();
        Thread asker = new Thread(() -> {
            try (LibvirtConnection connection = LibvirtConnection.open(uri, KEEPALIVE, 3, reason -> { })) {
                asked.complete(HostCapabilities.parse(connection.capabilitiesXml()));
            } catch (RuntimeException e) {
                asked.completeExceptionally(e);
            }
        }, "virt-type-probe");
        asker.setDaemon(true);
        asker.start();
        try {
            HostCapabilities capabilities = asked.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            VirtType type = fromCapabilities(capabilities);
            log.info("virt type auto: libvirt at {} offers {} guests of {}: {}", uri, capabilities.domainTypes(),
                    capabilities.hostArch(), type.xmlName());
            return type;
        } catch (ExecutionException | TimeoutException e) {
            return fallBack(uri, e instanceof ExecutionException ? e.getCause().getMessage() : "no answer within "
                    + PATIENCE.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallBack(uri, "interrupted");
        }
    }

    private static VirtType fallBack(String uri, String why) {
        VirtType local = VirtType.detect();
        log.warn("virt type auto: cannot read the capabilities of {} ({}); /dev/kvm here says {}", uri, why,
                local.xmlName());
        return local;
    }

    static VirtType fromCapabilities(HostCapabilities capabilities) {
        if (!capabilities.supports(DomainType.KVM)) {
            return VirtType.QEMU;
        }
        if (!capabilities.virtualisesInHardware()) {
            log.warn("virt type auto: libvirt offers kvm guests, but the host CPU has neither vmx nor svm: its "
                    + "/dev/kvm is a software KVM that emulates a guest kernel far slower than TCG; using qemu "
                    + "(agent.libvirt.virt-type=kvm forces it)");
            return VirtType.QEMU;
        }
        return VirtType.KVM;
    }
}
