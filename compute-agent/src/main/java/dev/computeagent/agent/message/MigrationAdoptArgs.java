package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code migration.adopt.args}: the hypervisor moved the instance, or (cold migration over shared
 * storage, {@code instance} given) the destination is to define it itself from {@code instance}, with
 * its own paths; {@code start}: boot it afterwards (it was running on the source).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationAdoptArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("migrate_request_id") String migrateRequestId,
        @JsonProperty("instance") MigratedInstance instance,
        @JsonProperty("start") Boolean start) implements InternalArgs {
}
