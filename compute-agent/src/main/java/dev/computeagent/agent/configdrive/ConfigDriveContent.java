package dev.computeagent.agent.configdrive;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a config drive tells the guest.
 *
 * @param uuid     the instance
 * @param name     the instance's name (any text; the hostname is derived from it)
 * @param metadata the user's metadata, as {@code meta}
 * @param userData the user data, byte for byte, when given
 */
public record ConfigDriveContent(UUID uuid, String name, Map<String, String> metadata, Optional<byte[]> userData) {

    public ConfigDriveContent {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(userData, "userData");
    }
}
