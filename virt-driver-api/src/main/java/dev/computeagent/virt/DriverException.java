package dev.computeagent.virt;

/**
 * Base of every failure a {@link ComputeDriver} reports. The subtype is the decision a caller
 * needs; {@link #retriable()} tells whether repeating the call later may succeed.
 */
public abstract class DriverException extends RuntimeException {

    protected DriverException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Whether the same call may succeed when tried again later. */
    public abstract boolean retriable();
}
