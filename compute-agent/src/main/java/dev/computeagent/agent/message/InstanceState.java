package dev.computeagent.agent.message;

/** The instance states of the AsyncAPI contract ({@code InstanceState}). */
public enum InstanceState {
    BUILDING, ACTIVE, STOPPED, MIGRATING, ERROR, DELETED,
    /** Resized, waiting for {@code confirm_resize} or {@code revert_resize} (Nova's VERIFY_RESIZE). */
    RESIZED,
    /** Booted from a rescue image with its own root disk second, until {@code unrescue} (Nova's RESCUED). */
    RESCUED
}
