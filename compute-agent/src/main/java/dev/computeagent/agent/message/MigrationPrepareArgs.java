package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.computeagent.virt.Flavor;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.prepare.args}: get ready to receive the instance. {@code disk_virtual_size} (bytes)
 * and {@code config_drive} (base64 of the drive's bytes, at most 4 MiB) matter for a block migration
 * only; {@code start}: a cold copy of an instance that was running, to boot on arrival.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationPrepareArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("name") String name,
        @JsonProperty("flavor") Flavor flavor,
        @JsonProperty("image_id") String imageId,
        @JsonProperty("block_migration") boolean blockMigration,
        @JsonProperty("disk_virtual_size") @Nullable Long diskVirtualSize,
        @JsonProperty("metadata") @Nullable Map<String, String> metadata,
        @JsonProperty("start") @Nullable Boolean start,
        @JsonProperty("config_drive") @Nullable String configDrive) implements InternalArgs {
}
