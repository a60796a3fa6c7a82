package dev.computeagent.agent.configdrive;

/** A config drive could not be built or stored: a local failure (disk full, genisoimage missing or failing). */
public final class ConfigDriveException extends RuntimeException {

    public ConfigDriveException(String message) {
        super(message);
    }

    public ConfigDriveException(String message, Throwable cause) {
        super(message, cause);
    }
}
