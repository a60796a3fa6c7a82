package dev.computeagent.virt;

/** How to reboot: ask the guest, or reset the machine. */
public enum RebootType {
    SOFT, HARD
}
