package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * {@code migration.adopt.args}: the hypervisor moved the instance, or (cold migration over shared
 * storage, {@code instance} given) the destination is to define it itself from {@code instance}, with
 * its own paths; {@code start}: boot it afterwards (it was running on the source); {@code resize}: a
 * {@code resize} to another host, the destination gives the arrived instance the new flavor and keeps it
 * {@code RESIZED} (with {@code start}: boots it after that).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationAdoptArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("migrate_request_id") @Nullable String migrateRequestId,
        @JsonProperty("instance") @Nullable MigratedInstance instance,
        @JsonProperty("start") @Nullable Boolean start,
        @JsonProperty("resize") @Nullable MigrationResize resize) implements InternalArgs {

    /** Arguments of a plain migration (no resize on the way). */
    public MigrationAdoptArgs(String sourceHost, @Nullable String migrateRequestId, @Nullable MigratedInstance instance,
                              @Nullable Boolean start) {
        this(sourceHost, migrateRequestId, instance, start, null);
    }
}
