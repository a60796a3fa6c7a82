package dev.computeagent.virt;

/** The hypervisor cannot be reached right now (connection lost, daemon down); retry later. */
public class HypervisorUnavailableException extends DriverException {

    public HypervisorUnavailableException(String message) {
        super(message, null);
    }

    public HypervisorUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return true;
    }
}
