package dev.computeagent.virt;

/** Whether an instance's QEMU guest agent answers, as {@link ComputeDriver#guestAgent} found it. */
public enum GuestAgentStatus {
    /** The instance has no guest agent channel: its image does not declare one. */
    NOT_CONFIGURED,
    /** The guest agent answered a ping. */
    RESPONSIVE,
    /** The channel exists but nothing answered in time: the guest is off, still booting, or has no agent running. */
    NOT_RESPONDING
}
