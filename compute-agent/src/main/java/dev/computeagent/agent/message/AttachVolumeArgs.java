package dev.computeagent.agent.message;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.jspecify.annotations.Nullable;

/**
 * {@code attach_volume.args}: {@code volume_id} (1-128 chars of {@code [A-Za-z0-9._-]}), {@code device}
 * {@code vdb}-{@code vdz} (absent = the first free one), {@code read_only} (default false) and
 * {@code connection_info}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AttachVolumeArgs(@JsonProperty("volume_id") String volumeId,
                               @JsonProperty("device") @Nullable String device,
                               @JsonProperty("read_only") @Nullable Boolean readOnly,
                               @JsonProperty("connection_info") ConnectionInfoArgs connectionInfo)
        implements CommandArgs {

    public boolean readOnlyOrDefault() {
        return Boolean.TRUE.equals(readOnly);
    }
}
