package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import dev.computeagent.virt.NicSpec;
import dev.computeagent.virt.network.SecurityRule;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code spawn.args}. As the validator hands it on, every rule of the contract holds: {@code name} 1–255
 * characters, {@code image_id} 1–128 of {@code [A-Za-z0-9._-]}, at most 16 valid NICs (MACs in lower
 * case), at most 128 metadata entries, {@code user_data} base64 (without white space) of at most 64 KiB,
 * at most 32 OpenSSH public keys. Absent lists and maps are empty; empty ones are not written.
 *
 * @param userData       base64 of the user data, or null when there is none
 * @param securityGroups the allow rules of the instance's security groups (at most 64, each valid); null = its
 *                       NICs are not filtered, empty = nothing is let in
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record SpawnArgs(
        @JsonProperty("name") String name,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("nics") List<NicArgs> nics,
        @JsonProperty("metadata") Map<String, String> metadata,
        @JsonProperty("user_data") @Nullable String userData,
        @JsonProperty("public_keys") Map<String, String> publicKeys,
        @JsonProperty("security_groups") @JsonInclude(JsonInclude.Include.NON_NULL)
        @Nullable List<SecurityRuleArgs> securityGroups) implements CommandArgs {

    public SpawnArgs {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(imageId, "imageId");
        nics = nics == null ? List.of() : List.copyOf(nics);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        publicKeys = publicKeys == null ? Map.of() : Map.copyOf(publicKeys);
        securityGroups = securityGroups == null ? null : List.copyOf(securityGroups);
    }

    /** Arguments without security groups (unfiltered NICs). */
    public SpawnArgs(String name, Flavor flavor, String imageId, @Nullable List<NicArgs> nics,
                     @Nullable Map<String, String> metadata, @Nullable String userData,
                     @Nullable Map<String, String> publicKeys) {
        this(name, flavor, imageId, nics, metadata, userData, publicKeys, null);
    }

    /** Arguments without SSH public keys. */
    public SpawnArgs(String name, Flavor flavor, String imageId, @Nullable List<NicArgs> nics,
                     @Nullable Map<String, String> metadata, @Nullable String userData) {
        this(name, flavor, imageId, nics, metadata, userData, null);
    }

    /**
     * The NICs as the driver takes them. @throws IllegalArgumentException a NIC the validator would refuse
     */
    public List<NicSpec> nicSpecs() {
        return nics.stream().map(NicArgs::toSpec).toList();
    }

    /** The security groups' rules as the driver takes them; empty when the NICs are not filtered. */
    public Optional<List<SecurityRule>> securityRules() {
        return Optional.ofNullable(securityGroups).map(rules -> rules.stream().map(SecurityRuleArgs::toRule).toList());
    }

    /** The decoded user data. @throws IllegalArgumentException it is not base64 */
    public Optional<byte[]> userDataBytes() {
        return Optional.ofNullable(userData).map(Base64.getDecoder()::decode);
    }
}
