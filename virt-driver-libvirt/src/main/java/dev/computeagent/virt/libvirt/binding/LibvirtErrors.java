package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.OperationTimeoutException;
import java.util.EnumSet;
import java.util.Set;
import org.libvirt.Error;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The single place where libvirt error numbers become the driver API's exceptions
 * (after libvirt-java's {@code ErrorHandler}, Nova's {@code host._get_domain}). Callers decide
 * by exception type, never by message text.
 */
public final class LibvirtErrors {

    /** Errors that mean the connection to libvirtd is unusable: retry after a reconnect. */
    private static final Set<ErrorNumber> CONNECTION = EnumSet.of(ErrorNumber.VIR_ERR_RPC,
            ErrorNumber.VIR_ERR_NO_CONNECT, ErrorNumber.VIR_ERR_INVALID_CONN, ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE,
            ErrorNumber.VIR_ERR_UNKNOWN_HOST);
    /** Error domains whose system/internal errors are about the transport, not the operation. */
    private static final Set<ErrorDomain> TRANSPORT = EnumSet.of(ErrorDomain.VIR_FROM_RPC,
            ErrorDomain.VIR_FROM_REMOTE);
    /**
     * The spec asks for what this host does not have or cannot do (a network it lacks, a configuration or
     * CPU it does not support). Not the host's storage failing: a disk QEMU cannot open (permission denied
     * to its user, a file gone) is the host's fault and a {@link HypervisorException}.
     */
    private static final Set<ErrorNumber> INVALID_SPEC = EnumSet.of(ErrorNumber.VIR_ERR_XML_ERROR,
            ErrorNumber.VIR_ERR_XML_DETAIL, ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA,
            ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, ErrorNumber.VIR_ERR_NO_NETWORK, ErrorNumber.VIR_ERR_NO_SOURCE,
            ErrorNumber.VIR_ERR_INVALID_MAC, ErrorNumber.VIR_ERR_CPU_INCOMPATIBLE);

    private LibvirtErrors() {
    }

    /** Translates a libvirt failure of {@code call}; {@code subject} names what it was about. */
    public static DriverException translate(LibvirtCall call, String subject, LibvirtException e) {
        Error error = e.getError();
        ErrorNumber code = error == null ? ErrorNumber.VIR_ERR_UNKNOWN : error.getCode();
        ErrorDomain domain = error == null ? ErrorDomain.VIR_FROM_NONE : error.getDomain();
        String message = call.name().toLowerCase() + " " + subject + " failed: " + e.getMessage()
                + " [" + code + "/" + domain + "]";
        if (isConnectionError(code, domain) || call == LibvirtCall.OPEN) {
            return new HypervisorUnavailableException(message, e);
        }
        if (code == ErrorNumber.VIR_ERR_NO_DOMAIN) {
            return new InstanceNotFoundException(message, e);
        }
        if (code == ErrorNumber.VIR_ERR_DOM_EXIST
                || (call == LibvirtCall.DEFINE && code == ErrorNumber.VIR_ERR_OPERATION_INVALID)) {
            return new InstanceExistsException(message, e);
        }
        if (INVALID_SPEC.contains(code)) {
            return new InvalidSpecException(message, e);
        }
        if (code == ErrorNumber.VIR_ERR_OPERATION_TIMEOUT) {
            return new OperationTimeoutException(message, e);
        }
        return new HypervisorException(message, e);
    }

    /** Whether libvirt refused a pivot because it does not hold the block job ready (yet). */
    public static boolean isBlockJobNotReady(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_BLOCK_COPY_ACTIVE;
    }

    /** Whether libvirt knows no such secret. */
    public static boolean isNoSecret(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_SECRET;
    }

    /** Whether libvirt knows no such domain. */
    public static boolean isNoDomain(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN;
    }

    /** Whether libvirt knows no such network. */
    public static boolean isNoNetwork(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_NETWORK;
    }

    /** Whether libvirt knows no such network filter. */
    public static boolean isNoNwfilter(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_NWFILTER;
    }

    /**
     * Whether a failed {@code virDomainInterfaceAddresses} only means that its source cannot answer for
     * this domain now (no guest agent channel, agent not connected, not answering in time or failing,
     * a network gone or inactive, the domain just stopped): anything but a lost connection or a vanished
     * domain. What a guest's agent does is the guest's business, never the driver's failure.
     */
    public static boolean isAddressSourceUnavailable(LibvirtException e) {
        Error error = e.getError();
        boolean connectionLost = error != null && isConnectionError(error.getCode(), error.getDomain());
        return !connectionLost && !isNoDomain(e);
    }

    /** Whether the connection's driver does not support the call (e.g. keepalive on a local driver). */
    public static boolean isUnsupported(LibvirtException e) {
        return e.getError() != null && (e.getError().getCode() == ErrorNumber.VIR_ERR_NO_SUPPORT
                || e.getError().getCode() == ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED);
    }

    private static boolean isConnectionError(ErrorNumber code, ErrorDomain domain) {
        return CONNECTION.contains(code) || (TRANSPORT.contains(domain)
                && (code == ErrorNumber.VIR_ERR_SYSTEM_ERROR || code == ErrorNumber.VIR_ERR_INTERNAL_ERROR));
    }
}
