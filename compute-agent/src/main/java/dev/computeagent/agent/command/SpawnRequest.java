package dev.computeagent.agent.command;

import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The validated arguments of {@code spawn}.
 *
 * @param name     1–255 characters of any text
 * @param flavor   within the §3 ranges
 * @param imageId  1–128 chars of {@code [A-Za-z0-9._-]}
 * @param nics     possibly empty
 * @param metadata at most 128 entries
 * @param userData   decoded user data (at most 64 KiB), when given
 * @param publicKeys SSH public keys by name, each one OpenSSH line ({@code type base64 [comment]}),
 *                   possibly none
 */
public record SpawnRequest(String name, Flavor flavor, String imageId, List<NicSpec> nics,
                           Map<String, String> metadata, Optional<byte[]> userData, Map<String, String> publicKeys) {

    public SpawnRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(imageId, "imageId");
        nics = List.copyOf(nics);
        metadata = Map.copyOf(metadata);
        Objects.requireNonNull(userData, "userData");
        publicKeys = Map.copyOf(publicKeys);
    }

    /** A request without SSH public keys. */
    public SpawnRequest(String name, Flavor flavor, String imageId, List<NicSpec> nics,
                        Map<String, String> metadata, Optional<byte[]> userData) {
        this(name, flavor, imageId, nics, metadata, userData, Map.of());
    }
}
