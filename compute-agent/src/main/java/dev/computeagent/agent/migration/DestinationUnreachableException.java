package dev.computeagent.agent.migration;

/**
 * No agent answered an internal {@code migration.*} command: the destination host has no command
 * queue (unknown host) or its agent did not reply within the bound (down, stuck, unreachable).
 * The command expires in the broker, so a late agent never acts on it.
 */
public class DestinationUnreachableException extends RuntimeException {

    private final boolean unknownHost;

    public DestinationUnreachableException(String message, boolean unknownHost) {
        super(message);
        this.unknownHost = unknownHost;
    }

    /** The broker had no queue for the destination at all. */
    public boolean unknownHost() {
        return unknownHost;
    }
}
