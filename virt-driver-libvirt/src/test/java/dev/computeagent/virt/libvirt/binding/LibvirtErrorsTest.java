package dev.computeagent.virt.libvirt.binding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.OperationTimeoutException;
import java.lang.reflect.Constructor;
import org.junit.jupiter.api.Test;
import org.libvirt.Error;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.jna.virError;

/** The error numbers libvirt reports become the API's exception types, decided in one place. */
class LibvirtErrorsTest {

    @Test
    void missingDomainIsNotFound() {
        assertThat(translate(LibvirtCall.LOOKUP, ErrorNumber.VIR_ERR_NO_DOMAIN, ErrorDomain.VIR_FROM_QEMU))
                .isInstanceOf(InstanceNotFoundException.class);
    }

    @Test
    void transportFailuresAreRetriablyUnavailable() {
        assertThat(translate(LibvirtCall.INFO, ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC))
                .isInstanceOf(HypervisorUnavailableException.class);
        assertThat(translate(LibvirtCall.INFO, ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_RPC))
                .isInstanceOf(HypervisorUnavailableException.class);
        // "internal error: client socket is closed"
        assertThat(translate(LibvirtCall.LIST, ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC))
                .isInstanceOf(HypervisorUnavailableException.class);
        assertThat(translate(LibvirtCall.INFO, ErrorNumber.VIR_ERR_NO_CONNECT, ErrorDomain.VIR_FROM_REMOTE))
                .isInstanceOf(HypervisorUnavailableException.class);
        assertThat(translate(LibvirtCall.OPEN, ErrorNumber.VIR_ERR_AUTH_FAILED, ErrorDomain.VIR_FROM_AUTH))
                .isInstanceOf(HypervisorUnavailableException.class)
                .matches(DriverException::retriable);
    }

    @Test
    void operationInvalidMeansExistsOnlyForDefine() {
        assertThat(translate(LibvirtCall.DEFINE, ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_QEMU))
                .isInstanceOf(InstanceExistsException.class);
        assertThat(translate(LibvirtCall.DEFINE, ErrorNumber.VIR_ERR_DOM_EXIST, ErrorDomain.VIR_FROM_QEMU))
                .isInstanceOf(InstanceExistsException.class);
        assertThat(translate(LibvirtCall.RESET, ErrorNumber.VIR_ERR_OPERATION_INVALID, ErrorDomain.VIR_FROM_QEMU))
                .isInstanceOf(HypervisorException.class);
    }

    @Test
    void badSpecsAreInvalidSpecsButADiskTheHostCannotOpenIsTheHostsFault() {
        assertThat(translate(LibvirtCall.DEFINE, ErrorNumber.VIR_ERR_XML_ERROR, ErrorDomain.VIR_FROM_DOMAIN))
                .isInstanceOf(InvalidSpecException.class);
        assertThat(translate(LibvirtCall.CREATE, ErrorNumber.VIR_ERR_NO_NETWORK, ErrorDomain.VIR_FROM_NETWORK))
                .isInstanceOf(InvalidSpecException.class);
        // "Cannot access storage file ... (as uid:64055, gid:64055): Permission denied"
        assertThat(translate(LibvirtCall.CREATE, ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_STORAGE))
                .isExactlyInstanceOf(HypervisorException.class);
        assertThat(translate(LibvirtCall.DESTROY, ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_STORAGE))
                .isInstanceOf(HypervisorException.class);
    }

    @Test
    void timeoutsAreRetriableAndTheRestIsAHypervisorError() {
        assertThat(translate(LibvirtCall.SHUTDOWN, ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, ErrorDomain.VIR_FROM_QEMU))
                .isInstanceOf(OperationTimeoutException.class).matches(DriverException::retriable);
        DriverException other = translate(LibvirtCall.CREATE, ErrorNumber.VIR_ERR_INTERNAL_ERROR,
                ErrorDomain.VIR_FROM_QEMU);
        assertThat(other).isExactlyInstanceOf(HypervisorException.class);
        assertThat(other.retriable()).isFalse();
        assertThat(other.getMessage()).contains("VIR_ERR_INTERNAL_ERROR").contains("instance-x");
    }

    @Test
    void anAddressSourceThatCannotAnswerIsUnavailableButALostConnectionOrDomainIsNot() {
        // "QEMU guest agent is not configured", "... is not connected", an agent timeout, a network gone
        assertThat(LibvirtErrors.isAddressSourceUnavailable(exception(ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED,
                ErrorDomain.VIR_FROM_QEMU))).isTrue();
        assertThat(LibvirtErrors.isAddressSourceUnavailable(exception(ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE,
                ErrorDomain.VIR_FROM_QEMU))).isTrue();
        assertThat(LibvirtErrors.isAddressSourceUnavailable(exception(ErrorNumber.VIR_ERR_INTERNAL_ERROR,
                ErrorDomain.VIR_FROM_QEMU))).isTrue();
        assertThat(LibvirtErrors.isAddressSourceUnavailable(exception(ErrorNumber.VIR_ERR_NO_NETWORK,
                ErrorDomain.VIR_FROM_NETWORK))).isTrue();
        assertThat(LibvirtErrors.isAddressSourceUnavailable(exception(ErrorNumber.VIR_ERR_RPC,
                ErrorDomain.VIR_FROM_RPC))).isFalse();
        assertThat(LibvirtErrors.isAddressSourceUnavailable(exception(ErrorNumber.VIR_ERR_NO_DOMAIN,
                ErrorDomain.VIR_FROM_QEMU))).isFalse();
    }

    private static DriverException translate(LibvirtCall call, ErrorNumber code, ErrorDomain domain) {
        return LibvirtErrors.translate(call, "instance-x", exception(code, domain));
    }

    /** libvirt-java only builds these from a native error; the constructor is package-private. */
    private static LibvirtException exception(ErrorNumber code, ErrorDomain domain) {
        virError raw = new virError();
        raw.code = code.ordinal();
        raw.domain = domain.ordinal();
        raw.level = 2;
        raw.message = "simulated " + code;
        try {
            Constructor<LibvirtException> constructor = LibvirtException.class.getDeclaredConstructor(Error.class);
            constructor.setAccessible(true);
            return constructor.newInstance(new Error(raw));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
