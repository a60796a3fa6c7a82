package dev.computeagent.agent.message;

/** The instance states of DESIGN.md §3. */
public enum InstanceState {
    BUILDING, ACTIVE, STOPPED, MIGRATING, ERROR, DELETED
}
