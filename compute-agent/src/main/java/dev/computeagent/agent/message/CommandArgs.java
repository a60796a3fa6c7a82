package dev.computeagent.agent.message;

/**
 * The typed arguments of one command, in their wire form ({@code args} of the AsyncAPI command messages):
 * what a sender builds (the operator CLI, a source agent) and what the agent's validator produces from a
 * message once every rule of the contract holds, so a handler receives exactly these records. Each
 * {@link CommandName} names its record type.
 */
public interface CommandArgs {
}
