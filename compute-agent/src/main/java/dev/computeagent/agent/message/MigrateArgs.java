package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * {@code migrate.args}; {@code block_migration} absent = copy storage unless the instance directory is
 * shared; {@code stop_timeout_s} (cold migration of a running instance: graceful stop as {@code stop}'s
 * {@code timeout_s}, 0 = force off at once) absent = 60; {@code volumes}: the destination's
 * {@code connection_info} of attached volumes (required for a volume with credentials, whose secret here is
 * private to this host; absent = every volume is opened there as here).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrateArgs(
        @JsonProperty("destination") String destination,
        @JsonProperty("live") @Nullable Boolean live,
        @JsonProperty("block_migration") @Nullable Boolean blockMigration,
        @JsonProperty("max_downtime_ms") @Nullable Integer maxDowntimeMs,
        @JsonProperty("completion_timeout_s") @Nullable Integer completionTimeoutS,
        @JsonProperty("stop_timeout_s") @Nullable Integer stopTimeoutS,
        @JsonProperty("volumes") @Nullable List<MigrateVolumeArgs> volumes) implements CommandArgs {

    /** Arguments without destination volumes. */
    public MigrateArgs(String destination, @Nullable Boolean live, @Nullable Boolean blockMigration,
                       @Nullable Integer maxDowntimeMs, @Nullable Integer completionTimeoutS,
                       @Nullable Integer stopTimeoutS) {
        this(destination, live, blockMigration, maxDowntimeMs, completionTimeoutS, stopTimeoutS, null);
    }

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
