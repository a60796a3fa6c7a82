package dev.computeagent.agent.message;

/** The instance states of the AsyncAPI contract ({@code InstanceState}). */
public enum InstanceState {
    BUILDING, ACTIVE, STOPPED, MIGRATING, ERROR, DELETED
}
