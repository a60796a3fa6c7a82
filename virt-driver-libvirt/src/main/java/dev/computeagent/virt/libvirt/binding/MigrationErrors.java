package dev.computeagent.virt.libvirt.binding;

import dev.computeagent.virt.migration.MigrationException;
import dev.computeagent.virt.migration.MigrationException.Reason;
import dev.computeagent.virt.migration.MigrationException.Step;
import java.util.EnumSet;
import java.util.Set;
import org.libvirt.Error;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The migration part of the error choke point: what a failed {@code virDomainMigrateToURI3} means.
 * Used only after the source connection was found alive (a dead source connection is
 * {@link LibvirtErrors}' business), so transport errors here are about reaching the destination.
 */
final class MigrationErrors {

    private static final Set<ErrorNumber> UNREACHABLE = EnumSet.of(ErrorNumber.VIR_ERR_NO_CONNECT,
            ErrorNumber.VIR_ERR_RPC, ErrorNumber.VIR_ERR_UNKNOWN_HOST, ErrorNumber.VIR_ERR_AUTH_FAILED,
            ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE, ErrorNumber.VIR_ERR_AUTH_CANCELLED, ErrorNumber.VIR_ERR_NO_SERVER);
    private static final Set<ErrorDomain> TRANSPORT = EnumSet.of(ErrorDomain.VIR_FROM_RPC, ErrorDomain.VIR_FROM_REMOTE);
    private static final Set<ErrorNumber> REFUSED = EnumSet.of(ErrorNumber.VIR_ERR_OPERATION_INVALID,
            ErrorNumber.VIR_ERR_MIGRATE_UNSAFE, ErrorNumber.VIR_ERR_CPU_INCOMPATIBLE, ErrorNumber.VIR_ERR_DOM_EXIST,
            ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, ErrorNumber.VIR_ERR_NO_SOURCE, ErrorNumber.VIR_ERR_ACCESS_DENIED,
            ErrorNumber.VIR_ERR_OPERATION_DENIED, ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
            ErrorNumber.VIR_ERR_STORAGE_PROBE_FAILED, ErrorNumber.VIR_ERR_NO_STORAGE_VOL);

    private MigrationErrors() {
    }

    static Reason reason(LibvirtException e) {
        Error error = e.getError();
        if (error == null) {
            return Reason.FAILED;
        }
        ErrorNumber code = error.getCode();
        if (code == ErrorNumber.VIR_ERR_OPERATION_ABORTED) {
            return Reason.ABORTED;
        }
        if (code == ErrorNumber.VIR_ERR_NO_DOMAIN) {
            return Reason.NOT_MIGRATABLE;
        }
        if (UNREACHABLE.contains(code) || (TRANSPORT.contains(error.getDomain())
                && (code == ErrorNumber.VIR_ERR_SYSTEM_ERROR || code == ErrorNumber.VIR_ERR_INTERNAL_ERROR))) {
            return Reason.DESTINATION_UNREACHABLE;
        }
        if (REFUSED.contains(code)) {
            return Reason.DESTINATION_REFUSED;
        }
        return Reason.FAILED;
    }

    static MigrationException translate(Step step, String subject, LibvirtException e) {
        Error error = e.getError();
        String detail = error == null ? "" : " [" + error.getCode() + "/" + error.getDomain() + "]";
        return new MigrationException(step, reason(e), subject + ": " + e.getMessage() + detail, e);
    }
}
