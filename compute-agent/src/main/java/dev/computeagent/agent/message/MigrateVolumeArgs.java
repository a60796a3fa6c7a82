package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An entry of {@code migrate.args.volumes}: the {@code connection_info} by which the destination reaches the
 * attached volume {@code volume_id} (Nova: the one the controller got from the volume service for the
 * destination host), in {@code attach_volume}'s format. {@link #toString()} never shows its credentials.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrateVolumeArgs(@JsonProperty("volume_id") String volumeId,
                                @JsonProperty("connection_info") ConnectionInfoArgs connectionInfo) {
}
