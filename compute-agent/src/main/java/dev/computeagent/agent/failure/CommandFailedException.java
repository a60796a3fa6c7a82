package dev.computeagent.agent.failure;

import dev.computeagent.agent.message.ErrorCode;
import java.util.Objects;

/** A handler's own decision that a command failed, with the contract's error code to report and whether a retry may succeed. */
public class CommandFailedException extends RuntimeException {

    private final ErrorCode code;
    private final boolean retriable;

    public CommandFailedException(ErrorCode code, String message, boolean retriable) {
        this(code, message, retriable, null);
    }

    public CommandFailedException(ErrorCode code, String message, boolean retriable, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.retriable = retriable;
    }

    public ErrorCode code() {
        return code;
    }

    public boolean retriable() {
        return retriable;
    }
}
