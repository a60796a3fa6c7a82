package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * {@code migrate.args}; {@code block_migration} absent = copy storage unless the instance directory is
 * shared; {@code stop_timeout_s} (cold migration of a running instance: graceful stop as {@code stop}'s
 * {@code timeout_s}, 0 = force off at once) absent = 60.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrateArgs(
        @JsonProperty("destination") String destination,
        @JsonProperty("live") @Nullable Boolean live,
        @JsonProperty("block_migration") @Nullable Boolean blockMigration,
        @JsonProperty("max_downtime_ms") @Nullable Integer maxDowntimeMs,
        @JsonProperty("completion_timeout_s") @Nullable Integer completionTimeoutS,
        @JsonProperty("stop_timeout_s") @Nullable Integer stopTimeoutS) implements CommandArgs {

    public boolean liveOrDefault() {
        return live == null || live;
    }

    public Duration stopTimeoutOrDefault() {
        return Duration.ofSeconds(stopTimeoutS == null ? 60 : stopTimeoutS);
    }

    public int maxDowntimeOrDefault() {
        return maxDowntimeMs == null ? 500 : maxDowntimeMs;
    }
}
