package dev.computeagent.virt;

/** The operation did not finish within its deadline; its outcome on the hypervisor is unknown. */
public class OperationTimeoutException extends DriverException {

    public OperationTimeoutException(String message) {
        super(message, null);
    }

    public OperationTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
