package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.adopt.args}: the hypervisor moved the instance, or (cold migration over shared
 * storage, {@code instance} given) the destination is to define it itself from {@code instance}, with
 * its own paths; {@code start}: boot it afterwards (it was running on the source).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationAdoptArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("migrate_request_id") @Nullable String migrateRequestId,
        @JsonProperty("instance") @Nullable MigratedInstance instance,
        @JsonProperty("start") @Nullable Boolean start) implements InternalArgs {
}
