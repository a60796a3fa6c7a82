package dev.computeagent.virt;

/** An instance with the uuid exists already; nothing was changed. */
public class InstanceExistsException extends DriverException {

    public InstanceExistsException(String message) {
        super(message, null);
    }

    public InstanceExistsException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
