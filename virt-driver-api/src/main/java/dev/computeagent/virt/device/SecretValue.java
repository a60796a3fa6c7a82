package dev.computeagent.virt.device;

import java.util.Objects;

/**
 * A credential (a CHAP password, a Ceph key). {@link #toString()} never shows it, so a record holding
 * one can be logged; only {@link #reveal()} gives it, to the code that hands it to the hypervisor.
 */
public final class SecretValue {

    private final String value;

    private SecretValue(String value) {
        this.value = value;
    }

    /** @throws IllegalArgumentException empty, or longer than 1024 characters */
    public static SecretValue of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > 1024) {
            throw new IllegalArgumentException("a secret must be 1-1024 characters");
        }
        return new SecretValue(value);
    }

    /** The credential itself; never log it. */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecretValue s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "SecretValue[****]";
    }
}
