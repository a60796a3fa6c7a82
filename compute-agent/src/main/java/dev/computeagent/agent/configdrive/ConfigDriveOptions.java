package dev.computeagent.agent.configdrive;

import java.util.Objects;

/**
 * The host's config drive choices.
 *
 * @param force            build a drive for every instance (Nova's {@code force_config_drive}), not only for
 *                         those given something to tell their guest (user data, SSH keys, NICs)
 * @param availabilityZone the zone guests are told they run in ({@code availability_zone})
 */
public record ConfigDriveOptions(boolean force, String availabilityZone) {

    public ConfigDriveOptions {
        Objects.requireNonNull(availabilityZone, "availabilityZone");
    }
}
