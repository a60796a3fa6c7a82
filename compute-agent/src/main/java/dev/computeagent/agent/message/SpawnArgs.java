package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import java.util.List;
import java.util.Map;

/** {@code spawn.args}; see DESIGN.md §3 for the limits the validator enforces. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SpawnArgs(
        @JsonProperty("name") String name,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("nics") List<NicArgs> nics,
        @JsonProperty("metadata") Map<String, String> metadata,
        @JsonProperty("user_data") String userData,
        @JsonProperty("public_keys") Map<String, String> publicKeys) {

    /** Arguments without SSH public keys. */
    public SpawnArgs(String name, Flavor flavor, String imageId, List<NicArgs> nics, Map<String, String> metadata,
                     String userData) {
        this(name, flavor, imageId, nics, metadata, userData, null);
    }
}
