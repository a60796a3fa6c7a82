package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/** {@code migration.abort.args}: the migration failed; {@code reason} (at most 4096 chars) is for the record. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationAbortArgs(
        @JsonProperty("source_host") String sourceHost,
        @JsonProperty("reason") @Nullable String reason) implements InternalArgs {
}
