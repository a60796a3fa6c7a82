package dev.computeagent.agent.message;

/** The error codes of the AsyncAPI contract ({@code ErrorCode}); nothing else ever appears in {@code error.code}. */
public enum ErrorCode {
    INVALID_COMMAND,
    INSTANCE_NOT_FOUND,
    INSTANCE_EXISTS,
    IMAGE_NOT_FOUND,
    IMAGE_DOWNLOAD_FAILED,
    IMAGE_CHECKSUM_MISMATCH,
    IMAGE_UNSAFE,
    IMAGE_TOO_LARGE,
    INSUFFICIENT_RESOURCES,
    HYPERVISOR_ERROR,
    MIGRATION_FAILED,
    TIMEOUT,
    INTERNAL_ERROR,
    /** The command is not allowed in the instance's state (the caller's fault, never retriable); nothing changed. */
    INVALID_STATE,
    /** A snapshot's upload to the image store failed; nothing of it is left in the store. */
    IMAGE_UPLOAD_FAILED
}
