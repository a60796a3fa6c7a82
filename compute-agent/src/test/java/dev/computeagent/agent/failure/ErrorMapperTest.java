package dev.computeagent.agent.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.ImageConversionException;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.InvalidImageIdException;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.OperationTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {

    private static void maps(Throwable t, ErrorCode code, boolean retriable) {
        ErrorBody body = ErrorMapper.toError(t);
        assertThat(body.code()).as(t.getClass().getSimpleName()).isEqualTo(code);
        assertThat(body.retriable()).as(t.getClass().getSimpleName()).isEqualTo(retriable);
        assertThat(body.message()).isNotBlank();
    }

    @Test
    void mapsDriverFailuresByType() {
        maps(new InstanceNotFoundException("x"), ErrorCode.INSTANCE_NOT_FOUND, false);
        maps(new InstanceExistsException("x"), ErrorCode.INSTANCE_EXISTS, false);
        maps(new InvalidSpecException("x"), ErrorCode.INVALID_COMMAND, false);
        maps(new OperationTimeoutException("x"), ErrorCode.TIMEOUT, true);
        maps(new HypervisorUnavailableException("x"), ErrorCode.HYPERVISOR_ERROR, true);
        maps(new HypervisorException("x"), ErrorCode.HYPERVISOR_ERROR, false);
    }

    @Test
    void mapsImageFailuresByType() {
        maps(new ImageNotFoundException("x"), ErrorCode.IMAGE_NOT_FOUND, false);
        maps(new ImageDownloadException("x"), ErrorCode.IMAGE_DOWNLOAD_FAILED, true);
        maps(new ImageChecksumMismatchException("x"), ErrorCode.IMAGE_CHECKSUM_MISMATCH, false);
        maps(new ImageUnsafeException("x"), ErrorCode.IMAGE_UNSAFE, false);
        maps(new ImageTooLargeException("x"), ErrorCode.IMAGE_TOO_LARGE, false);
        maps(new InvalidImageIdException("x"), ErrorCode.IMAGE_NOT_FOUND, false);
        maps(new ImageStorageException("x"), ErrorCode.INSUFFICIENT_RESOURCES, true);
    }

    @Test
    void aConversionEndedByAHostLimitIsTheHostsRetriableFaultNotTheCallers() {
        maps(new ImageConversionException("qemu-img convert qcow2 -> raw was ended by signal 24"),
                ErrorCode.INTERNAL_ERROR, true);
    }

    @Test
    void keepsAHandlersOwnDecisionAndUnwrapsAsyncWrappers() {
        maps(new CommandFailedException(ErrorCode.MIGRATION_FAILED, "no", false), ErrorCode.MIGRATION_FAILED, false);
        maps(new CompletionException(new ImageUnsafeException("x")), ErrorCode.IMAGE_UNSAFE, false);
    }

    @Test
    void anythingElseIsAnInternalErrorWithAMessage() {
        maps(new NullPointerException(), ErrorCode.INTERNAL_ERROR, false);
        // commands are validated at the edge: an argument refused inside the agent is the agent's fault
        maps(new IllegalArgumentException("bad"), ErrorCode.INTERNAL_ERROR, false);
        assertThat(ErrorMapper.toError(new NullPointerException()).message()).isEqualTo("NullPointerException");
        assertThat(ErrorMapper.toError(new RuntimeException("x".repeat(5000))).message()).hasSizeLessThan(1100);
    }
}
