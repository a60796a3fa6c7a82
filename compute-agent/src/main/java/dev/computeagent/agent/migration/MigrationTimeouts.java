package dev.computeagent.agent.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the source waits for the destination's answer to each internal command. Prepare may
 * download the base image, so it gets the longest bound.
 */
public record MigrationTimeouts(Duration check, Duration prepare, Duration adopt, Duration abort) {

    public static final MigrationTimeouts DEFAULTS = new MigrationTimeouts(Duration.ofSeconds(10),
            Duration.ofMinutes(10), Duration.ofSeconds(30), Duration.ofSeconds(30));

    public MigrationTimeouts {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(prepare, "prepare");
        Objects.requireNonNull(adopt, "adopt");
        Objects.requireNonNull(abort, "abort");
    }
}
