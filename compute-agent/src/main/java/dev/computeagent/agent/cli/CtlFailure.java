package dev.computeagent.agent.cli;

/**
 * The tool could not get an answer: broker or REST API unreachable, no agent queue for the host,
 * no outcome within the timeout. Exit status 3. Messages never carry a password.
 */
final class CtlFailure extends RuntimeException {

    CtlFailure(String message) {
        super(message);
    }

    CtlFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
