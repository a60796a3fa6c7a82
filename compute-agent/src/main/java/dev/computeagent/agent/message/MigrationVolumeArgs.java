package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * An entry of {@code migration.prepare.args.volumes}: an attached volume as the destination reaches it
 * ({@code connection_info}, from {@code migrate.args.volumes}), its guest {@code device}, and the identity the
 * destination's hypervisor secret of its credentials takes ({@code secret_uuid}, a UUID the source derives from
 * the destination, the instance and the volume; the source's migration names it in the destination's
 * definition). {@link #toString()} never shows the credentials.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationVolumeArgs(@JsonProperty("volume_id") String volumeId,
                                  @JsonProperty("device") String device,
                                  @JsonProperty("connection_info") ConnectionInfoArgs connectionInfo,
                                  @JsonProperty("secret_uuid") String secretUuid) {
}
