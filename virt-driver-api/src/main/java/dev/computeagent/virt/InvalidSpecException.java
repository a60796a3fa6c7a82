package dev.computeagent.virt;

/** The spec cannot be honoured on this host (a disk file is missing, a network is unknown...). */
public class InvalidSpecException extends DriverException {

    public InvalidSpecException(String message) {
        super(message, null);
    }

    public InvalidSpecException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retriable() {
        return false;
    }
}
