package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code migrate.args}; {@code block_migration} absent = copy storage unless the instance directory is
 * shared; {@code stop_timeout_s} (cold migration of a running instance: graceful stop as {@code stop}'s
 * {@code timeout_s}, 0 = force off at once) absent = 60.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrateArgs(
        @JsonProperty("destination") String destination,
        @JsonProperty("live") Boolean live,
        @JsonProperty("block_migration") Boolean blockMigration,
        @JsonProperty("max_downtime_ms") Integer maxDowntimeMs,
        @JsonProperty("completion_timeout_s") Integer completionTimeoutS,
        @JsonProperty("stop_timeout_s") Integer stopTimeoutS) {

    public boolean liveOrDefault() {
        return live == null || live;
    }

    public java.time.Duration stopTimeoutOrDefault() {
        return java.time.Duration.ofSeconds(stopTimeoutS == null ? 60 : stopTimeoutS);
    }

    public int maxDowntimeOrDefault() {
        return maxDowntimeMs == null ? 500 : maxDowntimeMs;
    }
}
