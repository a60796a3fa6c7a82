package dev.computeagent.virt;

/** The power state of an instance; the names are those of the agent's events and REST API. */
public enum PowerState {
    RUNNING, PAUSED, SHUTDOWN, CRASHED, NOSTATE
}
