package dev.computeagent.agent.configdrive;

import dev.computeagent.virt.NicSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * What a config drive tells the guest.
 *
 * @param uuid             the instance
 * @param name             the instance's name (any text; the hostname is derived from it)
 * @param metadata         the user's metadata, as {@code meta}
 * @param userData         the user data, byte for byte, when given
 * @param publicKeys       SSH public keys by name (OpenSSH one-line form), possibly none
 * @param nics             the instance's NICs in guest order, each with its MAC address
 * @param availabilityZone the zone the guest is told it runs in
 */
public record ConfigDriveContent(UUID uuid, String name, Map<String, String> metadata, Optional<byte[]> userData,
                                 Map<String, String> publicKeys, List<NicSpec> nics, String availabilityZone) {

    public ConfigDriveContent {
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(name, "name");
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(userData, "userData");
        publicKeys = Map.copyOf(publicKeys);
        nics = List.copyOf(nics);
        for (NicSpec nic : nics) {
            if (nic.mac().isEmpty()) {
                throw new IllegalArgumentException("a NIC on a config drive needs its MAC address: " + nic);
            }
        }
        Objects.requireNonNull(availabilityZone, "availabilityZone");
    }
}
