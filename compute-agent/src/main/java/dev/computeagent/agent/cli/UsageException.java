package dev.computeagent.agent.cli;

/** The command line is wrong: the tool prints the message and its usage and exits with 2. */
final class UsageException extends RuntimeException {

    UsageException(String message) {
        super(message);
    }
}
