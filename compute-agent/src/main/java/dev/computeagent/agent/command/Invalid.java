package dev.computeagent.agent.command;

/** A broken rule of the contract, naming the offending field; control flow inside the validator only. */
final class Invalid extends RuntimeException {

    Invalid(String message) {
        super(message, null, false, false);
    }
}
