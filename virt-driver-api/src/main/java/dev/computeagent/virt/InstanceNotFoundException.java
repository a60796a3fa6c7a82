package dev.computeagent.virt;

/** The instance does not exist (or is not one of the driver's). */
public class InstanceNotFoundException extends DriverException {

    public InstanceNotFoundException(String message) {
        super(message, null);
    }

    public InstanceNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
