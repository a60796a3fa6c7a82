package dev.computeagent.agent.failure;

import dev.computeagent.agent.configdrive.ConfigDriveException;
import dev.computeagent.agent.message.ErrorBody;
import dev.computeagent.agent.message.ErrorCode;
import dev.computeagent.agent.text.Untrusted;
import dev.computeagent.image.ImageChecksumMismatchException;
import dev.computeagent.image.ImageConversionException;
import dev.computeagent.image.ImageDownloadException;
import dev.computeagent.image.ImageException;
import dev.computeagent.image.ImageIdTakenException;
import dev.computeagent.image.ImageNotFoundException;
import dev.computeagent.image.ImageStorageException;
import dev.computeagent.image.ImageTooLargeException;
import dev.computeagent.image.ImageUnsafeException;
import dev.computeagent.image.ImageUploadException;
import dev.computeagent.image.InvalidImageIdException;
import dev.computeagent.virt.DriverException;
import dev.computeagent.virt.HypervisorException;
import dev.computeagent.virt.HypervisorUnavailableException;
import dev.computeagent.virt.InstanceExistsException;
import dev.computeagent.virt.InstanceNotFoundException;
import dev.computeagent.virt.InvalidSpecException;
import dev.computeagent.virt.OperationTimeoutException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where failures of the driver, the image cache, the config drive and the handlers become
 * the contract's error codes, telling whose fault it is: the caller's ({@code INVALID_COMMAND}: only a
 * handler's own decision or a spec asking for what this host lacks, since every command was validated at
 * the edge), the image's, this host's ({@code HYPERVISOR_ERROR}, {@code INSUFFICIENT_RESOURCES},
 * {@code INTERNAL_ERROR}). Decisions are made on exception types only, never on message text. Anything
 * unknown, an {@link IllegalArgumentException} included (validated input cannot cause one), is
 * {@code INTERNAL_ERROR}.
 */
public final class ErrorMapper {

    private ErrorMapper() {
    }

    public static ErrorBody toError(Throwable failure) {
        Throwable t = unwrap(failure);
        String message = message(t);
        if (t instanceof CommandFailedException c) {
            return new ErrorBody(c.code(), message, c.retriable());
        }
        if (t instanceof DriverException d) {
            return new ErrorBody(driverCode(d), message, d.retriable());
        }
        if (t instanceof ImageException i) {
            return new ErrorBody(imageCode(i), message, i.retriable());
        }
        if (t instanceof ConfigDriveException) {
            // local and often passing (disk space, a missing genisoimage installed): worth a retry
            return new ErrorBody(ErrorCode.INTERNAL_ERROR, message, true);
        }
        return new ErrorBody(ErrorCode.INTERNAL_ERROR, message, false);
    }

    static ErrorCode driverCode(DriverException d) {
        if (d instanceof InstanceNotFoundException) {
            return ErrorCode.INSTANCE_NOT_FOUND;
        }
        if (d instanceof InstanceExistsException) {
            return ErrorCode.INSTANCE_EXISTS;
        }
        if (d instanceof InvalidSpecException) {
            // the request names what this host does not have (a network, a CPU model): not here
            return ErrorCode.INVALID_COMMAND;
        }
        if (d instanceof OperationTimeoutException) {
            return ErrorCode.TIMEOUT;
        }
        if (d instanceof HypervisorUnavailableException || d instanceof HypervisorException) {
            return ErrorCode.HYPERVISOR_ERROR;
        }
        return ErrorCode.HYPERVISOR_ERROR;
    }

    static ErrorCode imageCode(ImageException i) {
        if (i instanceof ImageNotFoundException) {
            return ErrorCode.IMAGE_NOT_FOUND;
        }
        if (i instanceof ImageDownloadException) {
            return ErrorCode.IMAGE_DOWNLOAD_FAILED;
        }
        if (i instanceof ImageChecksumMismatchException) {
            return ErrorCode.IMAGE_CHECKSUM_MISMATCH;
        }
        if (i instanceof ImageUnsafeException) {
            return ErrorCode.IMAGE_UNSAFE;
        }
        if (i instanceof ImageTooLargeException) {
            return ErrorCode.IMAGE_TOO_LARGE;
        }
        if (i instanceof InvalidImageIdException) {
            // an id no store can hold names no image: the controller sees "not found", as for Glance
            return ErrorCode.IMAGE_NOT_FOUND;
        }
        if (i instanceof ImageUploadException) {
            return ErrorCode.IMAGE_UPLOAD_FAILED;
        }
        if (i instanceof ImageIdTakenException) {
            // the caller chose an id another image has
            return ErrorCode.INVALID_COMMAND;
        }
        if (i instanceof ImageConversionException) {
            // qemu-img killed by this host's limits or crashed on an image that passed every check:
            // neither the caller's nor the image's fault, and no shortage the scheduler could avoid
            return ErrorCode.INTERNAL_ERROR;
        }
        if (i instanceof ImageStorageException) {
            // local storage exhausted or failing: another host may well succeed
            return ErrorCode.INSUFFICIENT_RESOURCES;
        }
        return ErrorCode.INTERNAL_ERROR;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException
                || current instanceof ExecutionException
                || current instanceof UndeclaredThrowableException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** The error's text, which may quote what a message carried: escaped for the logs and events it reaches. */
    private static String message(Throwable t) {
        String m = t.getMessage();
        String text = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
        return Untrusted.text(text.length() > 1024 ? text.substring(0, 1024) + "…" : text);
    }
}
