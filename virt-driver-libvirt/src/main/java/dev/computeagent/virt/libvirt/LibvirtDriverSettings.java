package dev.computeagent.virt.libvirt;

import dev.computeagent.virt.libvirt.designer.DesignerOptions;
import dev.computeagent.virt.libvirt.designer.VirtType;
import java.time.Duration;
import java.util.Objects;

/**
 * How the libvirt driver connects and behaves.
 *
 * @param uri                     any libvirt URI: {@code qemu:///system}, {@code qemu+tcp://host/system},
 *                                {@code qemu+unix:///system?socket=/path}, {@code test:///default}
 * @param virtType                {@code kvm} or {@code qemu} domains
 * @param keepaliveInterval       seconds between keepalive probes (libvirt resolution: whole seconds, ≥ 1)
 * @param keepaliveCount          unanswered probes after which the connection counts as dead
 * @param reconnectInitialBackoff first wait before reconnecting; doubled per failed attempt
 * @param reconnectMaxBackoff     upper bound of the wait between reconnect attempts
 * @param stopResendInterval      how often a graceful stop re-sends its shutdown request (guest agent or ACPI)
 * @param operationTimeout        how long a forced power-off or an undefine may take to show
 *                                effect before {@link dev.computeagent.virt.OperationTimeoutException}
 * @param designerOptions         the domain-XML policy (machine type, RNG source, O_DIRECT probe)
 */
public record LibvirtDriverSettings(String uri, VirtType virtType, Duration keepaliveInterval, int keepaliveCount,
                                    Duration reconnectInitialBackoff, Duration reconnectMaxBackoff,
                                    Duration stopResendInterval, Duration operationTimeout,
                                    DesignerOptions designerOptions) {

    public LibvirtDriverSettings {
        Objects.requireNonNull(uri, "uri");
        if (uri.isBlank()) {
            throw new IllegalArgumentException("libvirt URI must not be blank");
        }
        Objects.requireNonNull(virtType, "virtType");
        positive("keepaliveInterval", keepaliveInterval);
        if (keepaliveCount < 1) {
            throw new IllegalArgumentException("keepaliveCount must be at least 1: " + keepaliveCount);
        }
        positive("reconnectInitialBackoff", reconnectInitialBackoff);
        positive("reconnectMaxBackoff", reconnectMaxBackoff);
        positive("stopResendInterval", stopResendInterval);
        positive("operationTimeout", operationTimeout);
        Objects.requireNonNull(designerOptions, "designerOptions");
        if (designerOptions.virtType() != virtType) {
            throw new IllegalArgumentException("designer virt type " + designerOptions.virtType()
                    + " differs from the driver's " + virtType);
        }
    }

    /**
     * Keepalive every 5 s (dead after 3 misses), reconnect backoff 0.5 s doubling up to 30 s,
     * shutdown request re-sent every 10 s, 30 s for a forced power-off, the designer's defaults.
     */
    public static LibvirtDriverSettings defaults(String uri, VirtType virtType) {
        return new LibvirtDriverSettings(uri, virtType, Duration.ofSeconds(5), 3, Duration.ofMillis(500),
                Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30),
                DesignerOptions.defaults(virtType));
    }

    /** {@link #defaults(String, VirtType)} with the virt type detected ({@code /dev/kvm}). */
    public static LibvirtDriverSettings defaults(String uri) {
        return defaults(uri, VirtType.detect());
    }

    public LibvirtDriverSettings withStopResendInterval(Duration interval) {
        return new LibvirtDriverSettings(uri, virtType, keepaliveInterval, keepaliveCount, reconnectInitialBackoff,
                reconnectMaxBackoff, interval, operationTimeout, designerOptions);
    }

    public LibvirtDriverSettings withKeepalive(Duration interval, int count) {
        return new LibvirtDriverSettings(uri, virtType, interval, count, reconnectInitialBackoff, reconnectMaxBackoff,
                stopResendInterval, operationTimeout, designerOptions);
    }

    public LibvirtDriverSettings withReconnectBackoff(Duration initial, Duration max) {
        return new LibvirtDriverSettings(uri, virtType, keepaliveInterval, keepaliveCount, initial, max,
                stopResendInterval, operationTimeout, designerOptions);
    }

    public LibvirtDriverSettings withDesignerOptions(DesignerOptions options) {
        return new LibvirtDriverSettings(uri, virtType, keepaliveInterval, keepaliveCount, reconnectInitialBackoff,
                reconnectMaxBackoff, stopResendInterval, operationTimeout, options);
    }

    private static void positive(String what, Duration value) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + value);
        }
    }
}
