package dev.computeagent.virt;

/** The hypervisor refused or failed the operation. */
public class HypervisorException extends DriverException {

    public HypervisorException(String message) {
        super(message, null);
    }

    public HypervisorException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
