package dev.computeagent.hostio;

/**
 * An external program did not run to an end of its own: it could not be started, it ran past its
 * timeout (it was killed), or its output could not be read. A program that ran and exited, with any
 * exit code, is a {@link ProcessResult} instead; what either means is the caller's decision.
 */
public class ProcessException extends RuntimeException {

    private final boolean timedOut;

    public ProcessException(String message, boolean timedOut, Throwable cause) {
        super(message, cause);
        this.timedOut = timedOut;
    }

    /** Whether the program was killed for running past its timeout. */
    public boolean timedOut() {
        return timedOut;
    }
}
