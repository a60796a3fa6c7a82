package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.check.args}: can the destination take an instance of {@code flavor} from
 * {@code image_id}, and does it see the probe file {@code shared_storage_probe} the source put in the
 * instance directory (shared storage)?
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationCheckArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("shared_storage_probe") @Nullable String sharedStorageProbe) implements InternalArgs {
}
