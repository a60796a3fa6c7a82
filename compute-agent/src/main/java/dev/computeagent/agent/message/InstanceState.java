package dev.computeagent.agent.message;

/**
 * The instance states of the AsyncAPI contract ({@code InstanceState}). Which command is allowed in which
 * state is {@code state.InstanceStateMachine}'s table (docs/lifecycle.md).
 */
public enum InstanceState {
    BUILDING, ACTIVE, STOPPED, MIGRATING, ERROR, DELETED,
    /** The guest is frozen in memory ({@code pause}, or paused behind the agent's back). */
    PAUSED,
    /** The guest's memory is saved to disk and the guest is gone ({@code suspend}); {@code resume} restores it. */
    SUSPENDED,
    /** Resized, waiting for {@code confirm_resize} or {@code revert_resize} (Nova's VERIFY_RESIZE). */
    RESIZED,
    /** Booted from a rescue image with its own root disk second, until {@code unrescue} (Nova's RESCUED). */
    RESCUED
}
