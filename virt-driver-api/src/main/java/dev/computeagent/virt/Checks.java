package dev.computeagent.virt;

import java.util.Objects;

/** Argument checks for the records of this package; failures are {@link IllegalArgumentException}s. */
final class Checks {

    private Checks() {
    }

    static void range(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " must be within [" + min + ", " + max + "]: " + value);
        }
    }

    static String notBlank(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
