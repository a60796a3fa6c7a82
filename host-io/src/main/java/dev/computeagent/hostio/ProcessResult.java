package dev.computeagent.hostio;

/** A finished process: exit code and captured output (each capped). */
public record ProcessResult(int exitCode, String stdout, String stderr) {

    /**
     * Whether a signal ended the process rather than its own exit: a resource limit ({@code SIGXCPU},
     * {@code SIGKILL}), an {@code abort()} ({@code SIGABRT}) or a crash. Java reports such an end as
     * 128 + the signal's number; the programs run here exit with small codes of their own.
     */
    public boolean endedBySignal() {
        return exitCode > 128;
    }
}
